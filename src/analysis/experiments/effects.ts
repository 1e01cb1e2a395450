import { pnorm } from "./distributions.js";
import { pt, qt } from "./distributions-t.js";
import { sequentialHalfWidth, sequentialPValue } from "./sequential.js";
import { covariance, type MetricScale, type MetricSums, mean, pooled, variance } from "./sums.js";

/** How a comparison is made: CUPED on the pre-exposure sums, and always-valid inference. */
export interface EffectOptions {
  readonly scale: MetricScale;
  readonly cuped: boolean;
  /** The tuning parameter N* of the confidence sequence, or null for fixed-horizon tests. */
  readonly sequential: number | null;
  readonly alpha: number;
}

/** A variation against the control on one metric; null where a figure is undefined (0/0). */
export interface Effect {
  /** Absolute difference of means (CUPED-adjusted with CUPED), its interval and p-value. */
  readonly diff: number | null;
  readonly diffCi: [number, number] | null;
  readonly diffPValue: number | null;
  /** Relative lift (mean_v − mean_c) / mean_c, its delta-method interval and p-value. */
  readonly lift: number | null;
  readonly liftCi: [number, number] | null;
  readonly liftPValue: number | null;
  /** P(lift > 0) under a flat prior: Φ(lift / se). */
  readonly chanceToBeat: number | null;
  /** With CUPED: θ, the unadjusted difference and 1 − Var(adjusted diff) / Var(unadjusted diff). */
  readonly theta: number | null;
  readonly diffUnadjusted: number | null;
  readonly varianceReduction: number | null;
}

/** One variation's mean and per-visitor variance, adjusted by θ (θ = 0: unadjusted). */
interface Arm {
  readonly n: number;
  readonly mean: number;
  readonly unadjustedMean: number;
  readonly variance: number;
  /** Parts the relative CUPED variance needs. */
  readonly postVariance: number;
  readonly preVariance: number;
  readonly covariance: number;
  readonly preMean: number;
}

function arm(s: MetricSums, scale: MetricScale, theta: number): Arm {
  const postMean = mean(s.n, s.sum);
  const postVariance = variance(scale, s.n, s.sum, s.sumSquares);
  if (!s.pre || theta === 0) {
    return {
      n: s.n,
      mean: postMean,
      unadjustedMean: postMean,
      variance: postVariance,
      postVariance,
      preVariance: 0,
      covariance: 0,
      preMean: 0,
    };
  }
  const preMean = mean(s.n, s.pre.sum);
  const preVariance = variance(scale, s.n, s.pre.sum, s.pre.sumSquares);
  const cov = covariance(scale, s.n, s.sum, s.pre.sum, s.pre.sumProducts);
  return {
    n: s.n,
    mean: postMean - theta * preMean,
    unadjustedMean: postMean,
    variance: s.n <= 1 ? 0 : postVariance + theta * theta * preVariance - 2 * theta * cov,
    postVariance,
    preVariance,
    covariance: cov,
    preMean,
  };
}

/**
 * CUPED's θ = Cov(post, pre) / Var(pre) on the two variations pooled (Deng et al. 2013, "Improving
 * the sensitivity of online controlled experiments by utilizing pre-experiment data"; gbstats'
 * compute_theta); 0 when either pooled variance is 0, which leaves the metric unadjusted.
 */
export function cupedTheta(a: MetricSums, b: MetricSums, scale: MetricScale): number {
  const joint = pooled(a, b);
  if (!joint.pre) return 0;
  const preVariance = variance(scale, joint.n, joint.pre.sum, joint.pre.sumSquares);
  const postVariance = variance(scale, joint.n, joint.sum, joint.sumSquares);
  if (preVariance === 0 || postVariance === 0) return 0;
  return covariance(scale, joint.n, joint.sum, joint.pre.sum, joint.pre.sumProducts) / preVariance;
}

/** Welch–Satterthwaite degrees of freedom of the two per-visitor variances. */
function welchDof(a: Arm, b: Arm): number {
  const numerator = (b.variance / b.n + a.variance / a.n) ** 2;
  const denominator = b.variance ** 2 / (b.n ** 2 * (b.n - 1)) + a.variance ** 2 / (a.n ** 2 * (a.n - 1));
  return numerator / denominator;
}

/** Variance of (mean_b − mean_a) / mean_a by the delta method, as gbstats writes it with and without CUPED. */
function relativeVariance(a: Arm, b: Arm, theta: number): number {
  if (theta === 0) {
    return b.variance / (b.n * a.mean ** 2) + (a.variance * b.mean ** 2) / (a.n * a.mean ** 4);
  }
  // gbstats' frequentist_variance_relative_cuped: the ratio's gradient at the unadjusted means.
  const c2 = a.unadjustedMean ** 2;
  const treatment = b.variance / (b.n * c2);
  const k = -b.unadjustedMean;
  const control =
    ((a.postVariance * k * k) / a.unadjustedMean ** 2 +
      (2 * theta * a.covariance * k) / a.unadjustedMean +
      theta * theta * a.preVariance) /
    (a.n * c2);
  return treatment + control;
}

/** An estimate with its standard error: interval and p-value, fixed-horizon (Welch t) or sequential. */
function infer(
  estimate: number,
  se: number,
  dof: number,
  n: number,
  options: EffectOptions,
): { ci: [number, number]; p: number } {
  if (options.sequential !== null) {
    const half = sequentialHalfWidth(se, n, options.alpha, options.sequential);
    return {
      ci: [estimate - half, estimate + half],
      p: sequentialPValue(estimate, se, n, options.alpha, options.sequential),
    };
  }
  const half = qt(1 - options.alpha / 2, dof) * se;
  return { ci: [estimate - half, estimate + half], p: 2 * pt(-Math.abs(estimate / se), dof) };
}

const NONE: Effect = {
  diff: null,
  diffCi: null,
  diffPValue: null,
  lift: null,
  liftCi: null,
  liftPValue: null,
  chanceToBeat: null,
  theta: null,
  diffUnadjusted: null,
  varianceReduction: null,
};

/**
 * A variation against the control from their sufficient statistics, as GrowthBook's gbstats
 * computes a frequentist test (https://docs.growthbook.io/statistics/details): Welch's t-test on
 * the difference of means, the delta method for the relative lift, the Gaussian posterior under
 * a flat prior for the chance to beat the control, CUPED with θ from the pooled covariance, and
 * the confidence sequence of sequential.ts. Every figure is null when a variance is 0 (fewer than
 * two visitors, or a constant metric); the lift is null when the control's mean is 0.
 */
export function compareMetric(control: MetricSums, variation: MetricSums, options: EffectOptions): Effect {
  const theta = options.cuped ? cupedTheta(control, variation, options.scale) : 0;
  const a = arm(control, options.scale, theta);
  const b = arm(variation, options.scale, theta);
  if (a.n <= 1 || b.n <= 1 || !(a.variance > 0) || !(b.variance > 0)) {
    return { ...NONE, theta: options.cuped ? theta : null };
  }
  const n = a.n + b.n;
  const dof = welchDof(a, b);
  const diff = b.mean - a.mean;
  const diffVariance = b.variance / b.n + a.variance / a.n;
  const absolute = infer(diff, Math.sqrt(diffVariance), dof, n, options);

  let lift: Pick<Effect, "lift" | "liftCi" | "liftPValue" | "chanceToBeat"> = {
    lift: null,
    liftCi: null,
    liftPValue: null,
    chanceToBeat: null,
  };
  const liftVariance = a.mean !== 0 && a.unadjustedMean !== 0 ? relativeVariance(a, b, theta) : 0;
  if (liftVariance > 0) {
    const estimate = diff / a.unadjustedMean;
    const se = Math.sqrt(liftVariance);
    const relative = infer(estimate, se, dof, n, options);
    lift = {
      lift: estimate,
      liftCi: relative.ci,
      liftPValue: relative.p,
      chanceToBeat: pnorm(estimate / se),
    };
  }

  let cuped: Pick<Effect, "theta" | "diffUnadjusted" | "varianceReduction"> = {
    theta: null,
    diffUnadjusted: null,
    varianceReduction: null,
  };
  if (options.cuped) {
    const a0 = arm(control, options.scale, 0);
    const b0 = arm(variation, options.scale, 0);
    const unadjustedVariance = b0.variance / b0.n + a0.variance / a0.n;
    cuped = {
      theta,
      diffUnadjusted: b0.mean - a0.mean,
      varianceReduction: unadjustedVariance > 0 ? 1 - diffVariance / unadjustedVariance : null,
    };
  }
  return { diff, diffCi: absolute.ci, diffPValue: absolute.p, ...lift, ...cuped };
}
