import { createRequire } from "node:module";

/**
 * Student's t distribution from stdlib (https://stdlib.io), loaded on first use as
 * distributions.ts loads the others: only experiment commands pay for it.
 */
const require = createRequire(import.meta.url);
let cdf: typeof import("@stdlib/stats-base-dists-t-cdf") | undefined;
let quantile: typeof import("@stdlib/stats-base-dists-t-quantile") | undefined;

/** P(T ≤ x) for T Student-t with `dof` degrees of freedom. */
export function pt(x: number, dof: number): number {
  cdf ??= require("@stdlib/stats-base-dists-t-cdf") as typeof import("@stdlib/stats-base-dists-t-cdf");
  return cdf(x, dof);
}

/** The p-quantile of Student's t with `dof` degrees of freedom. */
export function qt(p: number, dof: number): number {
  quantile ??=
    require("@stdlib/stats-base-dists-t-quantile") as typeof import("@stdlib/stats-base-dists-t-quantile");
  return quantile(p, dof);
}
