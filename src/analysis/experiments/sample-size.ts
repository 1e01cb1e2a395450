import { pnorm, qnorm } from "./distributions.js";

/**
 * Power of the two-sided two-sample test for proportions with n per group, the formula of R's
 * power.prop.test (strict = FALSE, its default; R's stats/R/power.R):
 *   Φ((√(n·d²) − q·√((p1 + p2)(1 − (p1 + p2)/2))) / √(p1(1 − p1) + p2(1 − p2))),  q = Φ⁻¹(1 − α/2).
 * With `strict` it adds the opposite tail Φ(−(√(n·d²) + q·√(2·p̄·q̄)) / √(v1 + v2)) as R does.
 */
export function powerTwoProportions(
  n: number,
  p1: number,
  p2: number,
  alpha: number,
  strict = false,
): number {
  const q = qnorm(1 - alpha / 2);
  const d = Math.abs(p1 - p2);
  const sd = Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  const pooled = Math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2));
  const main = pnorm((Math.sqrt(n * d * d) - q * pooled) / sd);
  return strict ? main + pnorm(-(Math.sqrt(n * d * d) + q * pooled) / sd) : main;
}

/**
 * The n per group at which the power reaches `power`, found as R finds it (uniroot of power − target
 * over n ≥ 2) but solved to 1e-9 by bisection on the increasing power function, so it is the root
 * itself rather than uniroot's approximation within its tolerance (1.2e-4). Null when no n reaches
 * the power (p1 = p2).
 */
export function sampleSizeTwoProportions(
  p1: number,
  p2: number,
  alpha = 0.05,
  power = 0.8,
  strict = false,
): number | null {
  if (p1 === p2) return null;
  const f = (n: number) => powerTwoProportions(n, p1, p2, alpha, strict) - power;
  let lo = 2;
  let hi = 1e7;
  if (f(lo) >= 0) return lo;
  while (f(hi) < 0) {
    hi *= 10;
    if (hi > 1e15) return null;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-9 * Math.max(1, lo); i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
