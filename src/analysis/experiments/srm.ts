import { chisqUpper } from "./distributions.js";

/**
 * Pearson's chi-square goodness-of-fit of observed counts against planned shares (the sample ratio
 * mismatch check): X² = Σ (O − E)²/E with E = N·share/Σshares, k − 1 degrees of freedom, as
 * scipy.stats.chisquare and R's chisq.test(x, p = …). Null with fewer than two groups or no visitors.
 */
export function chiSquareGoodnessOfFit(
  observed: readonly number[],
  shares: readonly number[],
): { statistic: number; pValue: number } | null {
  if (observed.length < 2 || observed.length !== shares.length) return null;
  const total = observed.reduce((s, x) => s + x, 0);
  const shareSum = shares.reduce((s, x) => s + x, 0);
  if (total <= 0 || !(shareSum > 0)) return null;
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (total * (shares[i] ?? 0)) / shareSum;
    if (!(expected > 0)) return null;
    statistic += ((observed[i] ?? 0) - expected) ** 2 / expected;
  }
  return { statistic, pValue: chisqUpper(statistic, observed.length - 1) };
}

/** SRM is flagged below this p-value (docs/funnels-and-experiments.md#methods). */
export const SRM_THRESHOLD = 0.001;
