import type { MetricSource, MetricSumsRow } from "../../store/store.js";
import { compareIds } from "./compare.js";
import { compareMetric } from "./effects.js";
import { holmAdjust } from "./holm.js";
import { metricName, scaleOf } from "./metric-spec.js";
import type { MetricSums } from "./sums.js";

/** How metrics are compared: CUPED's lookback (null: off), the sequential tuning parameter (null: off). */
export interface MetricOptions {
  readonly lookbackDays: number | null;
  readonly tuning: number | null;
  readonly alpha: number;
}

/** One variation on one metric; comparison fields null for the control. Lifts are fractions (0.05 = +5 %). */
export interface MetricVariation {
  id: string;
  visitors: number;
  /** The metric per exposed visitor, Σ value / n (CUPED aside). */
  mean: number | null;
  sum: number;
  sum_squares: number;
  /** With CUPED: the same metric over the lookback before each visitor's first exposure, per visitor. */
  pre_mean?: number | null;
  diff: number | null;
  diff_ci: [number, number] | null;
  diff_p_value: number | null;
  lift: number | null;
  lift_ci: [number, number] | null;
  /** The lift's p-value, the one Holm adjusts and verdicts read (gbstats tests the relative lift). */
  p_value: number | null;
  p_value_holm: number | null;
  chance_to_beat_control: number | null;
  theta?: number | null;
  diff_unadjusted?: number | null;
  variance_reduction?: number | null;
}

export interface MetricResult {
  metric: string;
  scale: "mean" | "proportion";
  cuped: { lookback_days: number } | null;
  sequential: { tuning: number } | null;
  alpha: number;
  variations: MetricVariation[];
}

const sumsOf = (row: MetricSumsRow, cuped: boolean): MetricSums => ({
  n: row.n,
  sum: row.sum,
  sumSquares: row.sumSquares,
  ...(cuped ? { pre: { sum: row.preSum, sumSquares: row.preSumSquares, sumProducts: row.sumProducts } } : {}),
});

/**
 * Every metric's figures per variation against the control (effects.ts), with Holm's adjustment
 * over all comparisons of all metrics together (m = metrics × variations other than the control).
 * A variation missing from a metric's rows (no exposures) has n = 0 and null figures.
 */
export function compareMetrics(
  metrics: readonly { readonly source: MetricSource; readonly rows: readonly MetricSumsRow[] }[],
  ids: readonly string[],
  control: string,
  options: MetricOptions,
): MetricResult[] {
  const cuped = options.lookbackDays !== null;
  const ordered = [control, ...ids.filter((id) => id !== control).sort(compareIds)];
  const results = metrics.map(({ source, rows }): MetricResult => {
    const scale = scaleOf(source);
    const empty: MetricSumsRow = {
      variation: "",
      n: 0,
      sum: 0,
      sumSquares: 0,
      preSum: 0,
      preSumSquares: 0,
      sumProducts: 0,
    };
    const rowOf = (id: string) => rows.find((r) => r.variation === id) ?? { ...empty, variation: id };
    const c = rowOf(control);
    return {
      metric: metricName(source),
      scale,
      cuped: options.lookbackDays === null ? null : { lookback_days: options.lookbackDays },
      sequential: options.tuning === null ? null : { tuning: options.tuning },
      alpha: options.alpha,
      variations: ordered.map((id, i): MetricVariation => {
        const r = rowOf(id);
        const base = {
          id,
          visitors: r.n,
          mean: r.n > 0 ? r.sum / r.n : null,
          sum: r.sum,
          sum_squares: r.sumSquares,
          ...(cuped ? { pre_mean: r.n > 0 ? r.preSum / r.n : null } : {}),
        };
        if (i === 0) {
          return {
            ...base,
            diff: null,
            diff_ci: null,
            diff_p_value: null,
            lift: null,
            lift_ci: null,
            p_value: null,
            p_value_holm: null,
            chance_to_beat_control: null,
            ...(cuped ? { theta: null, diff_unadjusted: null, variance_reduction: null } : {}),
          };
        }
        const e = compareMetric(sumsOf(c, cuped), sumsOf(r, cuped), {
          scale,
          cuped,
          sequential: options.tuning,
          alpha: options.alpha,
        });
        return {
          ...base,
          diff: e.diff,
          diff_ci: e.diffCi,
          diff_p_value: e.diffPValue,
          lift: e.lift,
          lift_ci: e.liftCi,
          p_value: e.liftPValue,
          p_value_holm: null,
          chance_to_beat_control: e.chanceToBeat,
          ...(cuped
            ? { theta: e.theta, diff_unadjusted: e.diffUnadjusted, variance_reduction: e.varianceReduction }
            : {}),
        };
      }),
    };
  });
  const compared = results.flatMap((m) => m.variations.slice(1));
  const adjusted = holmAdjust(compared.map((v) => v.p_value));
  compared.forEach((v, i) => {
    v.p_value_holm = adjusted[i] ?? null;
  });
  return results;
}
