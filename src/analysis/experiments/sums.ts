/**
 * Sufficient statistics of one variation for one metric: what SQL adds up per visitor and the
 * statistics read back (GrowthBook's gbstats works on the same summaries). `pre` is the same
 * metric before each visitor's first exposure (CUPED's covariate), with Σ post·pre.
 */
export interface MetricSums {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly pre?: { readonly sum: number; readonly sumSquares: number; readonly sumProducts: number };
}

/**
 * A proportion (0/1 per visitor) has the variance p(1 − p), not the sample variance with n − 1,
 * and its covariances divide by n, as gbstats' ProportionStatistic does.
 */
export type MetricScale = "proportion" | "mean";

export const mean = (n: number, sum: number): number => (n === 0 ? 0 : sum / n);

/** Variance of one visitor's value: p(1 − p) for a proportion, the sample variance (n − 1) otherwise. */
export function variance(scale: MetricScale, n: number, sum: number, sumSquares: number): number {
  if (scale === "proportion") {
    const p = mean(n, sum);
    return p * (1 - p);
  }
  if (n <= 1) return 0;
  return (sumSquares - (sum * sum) / n) / (n - 1);
}

/** Covariance of two per-visitor values from their sums and Σ x·y (gbstats' compute_covariance). */
export function covariance(
  scale: MetricScale,
  n: number,
  sumX: number,
  sumY: number,
  sumProducts: number,
): number {
  if (n <= 1) return 0;
  if (scale === "proportion") return sumProducts / n - (sumX * sumY) / (n * n);
  return (sumProducts - (sumX * sumY) / n) / (n - 1);
}

/** The two variations' sums added up: the pooled sample CUPED's θ is estimated on. */
export function pooled(a: MetricSums, b: MetricSums): MetricSums {
  const sums = { n: a.n + b.n, sum: a.sum + b.sum, sumSquares: a.sumSquares + b.sumSquares };
  if (!a.pre || !b.pre) return sums;
  return {
    ...sums,
    pre: {
      sum: a.pre.sum + b.pre.sum,
      sumSquares: a.pre.sumSquares + b.pre.sumSquares,
      sumProducts: a.pre.sumProducts + b.pre.sumProducts,
    },
  };
}
