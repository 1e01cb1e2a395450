import { holmAdjust } from "../experiments/holm.js";
import { twoProportionPValue } from "../experiments/proportions.js";
import type { SegmentShape } from "./shapes.js";

/** Significance level of the `significant` flag, on Holm-adjusted p-values. */
export const ALPHA = 0.05;

/** A KPI's value over one segment (or the whole), with the counts behind it where it is a ratio. */
export interface SegmentFigures {
  readonly value: number | null;
  readonly numerator?: number | null;
  readonly denominator?: number | null;
}

export interface SegmentComparison {
  readonly segment: string;
  readonly value: number | null;
  /** Percent of the whole: of the total for additive KPIs, of the denominator for ratios. */
  readonly share: number | null;
  /** value − total, in the KPI's unit (percentage points for a rate). */
  readonly diff_abs: number | null;
  /** (value / total − 1) × 100. */
  readonly diff_rel: number | null;
  /** Two-sided p-value of the pooled two-proportion z-test, segment against the rest. */
  readonly p_value: number | null;
  /** p_value adjusted by Holm over every tested segment. */
  readonly p_value_holm: number | null;
  /** p_value_holm < ALPHA; null where there is no test. */
  readonly significant: boolean | null;
}

const finite = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);

/** a / b × 100, or null when undefined (docs/concepts.md#kpis: division by zero is null). */
function percentOf(a: number | null | undefined, b: number | null | undefined): number | null {
  if (!finite(a) || !finite(b) || b === 0) return null;
  return (a / b) * 100;
}

/**
 * The p-value of a segment (x successes of n) against the rest of the population (X − x of N − n),
 * or null where the test does not apply: no trials on either side, or counts that are not a
 * proportion (more successes than trials, as conversion events per visitor can be).
 */
export function segmentPValue(x: number, n: number, totalX: number, totalN: number): number | null {
  const restX = totalX - x;
  const restN = totalN - n;
  const isProportion = (s: number, t: number) => t > 0 && s >= 0 && s <= t;
  if (![x, n, totalX, totalN].every(finite)) return null;
  if (!isProportion(x, n) || !isProportion(restX, restN)) return null;
  return twoProportionPValue(x, n, restX, restN);
}

/**
 * Compares each segment to the whole: value, share, absolute and relative difference and, for a
 * proportion, the z-test of the segment against the rest with Holm's adjustment over the segments
 * (Holm 1979), flagged significant below ALPHA. Sorted by value, highest first (no value last).
 */
export function compareSegments(
  shape: SegmentShape,
  total: SegmentFigures,
  segments: readonly (SegmentFigures & { readonly segment: string })[],
): SegmentComparison[] {
  const whole = finite(total.value) ? total.value : null;
  const tested = segments.map((s) => {
    if (shape.kind !== "proportion") return null;
    const { numerator: x, denominator: n } = s;
    const { numerator: totalX, denominator: totalN } = total;
    if (!finite(x) || !finite(n) || !finite(totalX) || !finite(totalN)) return null;
    return segmentPValue(x, n, totalX, totalN);
  });
  const adjusted = holmAdjust(tested);
  const rows = segments.map((s, i): SegmentComparison => {
    const value = finite(s.value) ? s.value : null;
    const share =
      shape.kind === "additive"
        ? percentOf(value, whole)
        : shape.kind === "formula"
          ? null
          : percentOf(s.denominator, total.denominator);
    const ratio = percentOf(value, whole);
    const holm = adjusted[i] ?? null;
    return {
      segment: s.segment,
      value,
      share,
      diff_abs: value === null || whole === null ? null : value - whole,
      diff_rel: ratio === null ? null : ratio - 100,
      p_value: tested[i] ?? null,
      p_value_holm: holm,
      significant: holm === null ? null : holm < ALPHA,
    };
  });
  return rows.sort(byValueDescending);
}

function byValueDescending(a: SegmentComparison, b: SegmentComparison): number {
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    return b.value - a.value;
  }
  return a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0;
}
