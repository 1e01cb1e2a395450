import betaln from "@stdlib/math-base-special-betaln";
import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";

/**
 * The distributions the statistics need, from stdlib (https://stdlib.io): maintained, typed,
 * each function its own small package, accurate to double precision in its tests.
 */

/** Φ(x), the standard normal CDF. */
export function pnorm(x: number): number {
  return normalCdf(x, 0, 1);
}

/** Φ⁻¹(p), the standard normal quantile. */
export function qnorm(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** P(X ≥ x) for X chi-square with `df` degrees of freedom. */
export function chisqUpper(x: number, df: number): number {
  return 1 - chisquareCdf(x, df);
}

/** ln B(a, b). */
export function lnBeta(a: number, b: number): number {
  return betaln(a, b);
}
