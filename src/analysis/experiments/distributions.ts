import { createRequire } from "node:module";

/**
 * The distributions the statistics need, from stdlib (https://stdlib.io): maintained, typed,
 * each function its own small package, accurate to double precision in its tests.
 *
 * They are loaded on first use: together they are some 300 small CommonJS files, about 100 ms
 * that every `sextant` command paid at start when they were imported at the top.
 */
const require = createRequire(import.meta.url);

function lazy<F>(name: string): () => F {
  let loaded: F | undefined;
  return () => {
    loaded ??= require(name) as F;
    return loaded;
  };
}

const normalCdf = lazy<typeof import("@stdlib/stats-base-dists-normal-cdf")>(
  "@stdlib/stats-base-dists-normal-cdf",
);
const normalQuantile = lazy<typeof import("@stdlib/stats-base-dists-normal-quantile")>(
  "@stdlib/stats-base-dists-normal-quantile",
);
const chisquareCdf = lazy<typeof import("@stdlib/stats-base-dists-chisquare-cdf")>(
  "@stdlib/stats-base-dists-chisquare-cdf",
);
const betaln = lazy<typeof import("@stdlib/math-base-special-betaln")>("@stdlib/math-base-special-betaln");

/** Φ(x), the standard normal CDF. */
export function pnorm(x: number): number {
  return normalCdf()(x, 0, 1);
}

/** Φ⁻¹(p), the standard normal quantile. */
export function qnorm(p: number): number {
  return normalQuantile()(p, 0, 1);
}

/** P(X ≥ x) for X chi-square with `df` degrees of freedom. */
export function chisqUpper(x: number, df: number): number {
  return 1 - chisquareCdf()(x, df);
}

/** ln B(a, b). */
export function lnBeta(a: number, b: number): number {
  return betaln()(a, b);
}
