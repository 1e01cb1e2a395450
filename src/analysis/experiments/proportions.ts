import { pnorm, qnorm } from "./distributions.js";

/** An interval, or null where it is undefined (no visitors). */
export type Interval = readonly [number, number] | null;

/** The z of a two-sided interval at `confidence` (0.95 → 1.959964…). */
export function zOf(confidence: number): number {
  return qnorm(1 - (1 - confidence) / 2);
}

/**
 * Wilson score interval for a proportion x/n, without continuity correction (Wilson 1927;
 * Newcombe 1998, method 3), as statsmodels' proportion_confint(method="wilson") and R's
 * prop.test(correct = FALSE) compute it.
 */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return null;
  const z = zOf(confidence);
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Wald interval, unpooled, for the difference of two proportions p_v − p_c. */
export function waldDifference(xv: number, nv: number, xc: number, nc: number, confidence = 0.95): Interval {
  if (nv <= 0 || nc <= 0) return null;
  const pv = xv / nv;
  const pc = xc / nc;
  const se = Math.sqrt((pv * (1 - pv)) / nv + (pc * (1 - pc)) / nc);
  const z = zOf(confidence);
  return [pv - pc - z * se, pv - pc + z * se];
}

/**
 * Relative lift p_v/p_c − 1 and its symmetric delta-method interval, exactly as docs/funnels-and-experiments.md#methods writes it:
 * lift ± z·(p_v/p_c)·√(v_v/p_v² + v_c/p_c²), v = p(1 − p)/n. Null when p_c = 0 (no ratio) and the
 * interval null when p_v = 0 too (the formula divides by p_v).
 */
export function relativeLift(
  xv: number,
  nv: number,
  xc: number,
  nc: number,
  confidence = 0.95,
): { lift: number | null; interval: Interval } {
  if (nv <= 0 || nc <= 0 || xc <= 0) return { lift: null, interval: null };
  const pv = xv / nv;
  const pc = xc / nc;
  const lift = pv / pc - 1;
  if (xv <= 0) return { lift, interval: null };
  const vv = (pv * (1 - pv)) / nv;
  const vc = (pc * (1 - pc)) / nc;
  const half = zOf(confidence) * (pv / pc) * Math.sqrt(vv / (pv * pv) + vc / (pc * pc));
  return { lift, interval: [lift - half, lift + half] };
}

/**
 * Two-sided p-value of the two-proportion z-test with the pooled standard error (as statsmodels'
 * proportions_ztest and R's prop.test(correct = FALSE), whose X² is z²). Null when the pooled
 * rate is 0 or 1: the test statistic is 0/0 there.
 */
export function twoProportionPValue(xv: number, nv: number, xc: number, nc: number): number | null {
  if (nv <= 0 || nc <= 0) return null;
  const pooled = (xv + xc) / (nv + nc);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nv + 1 / nc));
  if (!(se > 0)) return null;
  const z = (xv / nv - xc / nc) / se;
  return 2 * pnorm(-Math.abs(z));
}
