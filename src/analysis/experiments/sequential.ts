/**
 * Always-valid (sequential) inference for a difference with standard error `se` after n visitors
 * in all, as GrowthBook's gbstats computes it: the normal-mixture confidence sequence of
 * Waudby-Smith et al. (2023, "Time-uniform central limit theory and asymptotic confidence
 * sequences", https://arxiv.org/abs/2103.06476, eq. 155). The mixture's ρ is chosen so the
 * interval is narrowest when the total sample size reaches the tuning parameter N*:
 *   ρ = √((−2 ln α + ln(−2 ln α + 1)) / N*).
 * A look at any time, as often as one likes, keeps P(0 ever leaves the interval | no effect) ≤ α.
 */
export const DEFAULT_TUNING = 5000;

/** The mixture parameter ρ for a two-sided level α and tuning parameter N*. */
export function sequentialRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/**
 * Half-width of the confidence sequence: √(s²) · √(2(nρ² + 1) ln(√(nρ² + 1)/α) / (nρ)²), where
 * s² = se²·n is the per-visitor variance of the estimate.
 */
export function sequentialHalfWidth(se: number, n: number, alpha: number, tuning: number): number {
  const rho = sequentialRho(alpha, tuning);
  const nr2 = n * rho * rho;
  const s2 = se * se * n;
  return Math.sqrt(s2) * Math.sqrt((2 * (nr2 + 1) * Math.log(Math.sqrt(nr2 + 1) / alpha)) / (n * rho) ** 2);
}

/**
 * The always-valid p-value: 1 / the mixture e-value, at most 1. With z = estimate / se,
 *   e = exp(ρ²·n·z² / (2(nρ² + 1))) / √(nρ² + 1).
 * It is below α exactly when 0 is outside the interval of sequentialHalfWidth.
 */
export function sequentialPValue(
  estimate: number,
  se: number,
  n: number,
  alpha: number,
  tuning: number,
): number {
  const rho = sequentialRho(alpha, tuning);
  const nr2p1 = n * rho * rho + 1;
  const st2 = (estimate * estimate * n) / (se * se);
  const logE = (rho * rho * st2) / (2 * nr2p1) - 0.5 * Math.log(nr2p1);
  return Math.min(1, Math.exp(-logE));
}
