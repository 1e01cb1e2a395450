import type { Operator } from "./conditions.js";

/**
 * Robust anomaly detection with weekly seasonality: the last complete day is compared with the
 * same weekday of the previous weeks by a modified z-score (Iglewicz & Hoaglin, "How to Detect
 * and Handle Outliers", 1993): M = (x − median) / (1.4826 · MAD), where 1.4826 · MAD estimates the
 * standard deviation of normal data. |M| > 3.5 is their recommended cut-off for an outlier.
 */
export const ANOMALY_THRESHOLD = 3.5;
/** Weeks of history: the same weekday over the last 8 weeks. */
export const ANOMALY_WEEKS = 8;
/** Fewer comparable days than this (after dropping nulls and days before the data) decide nothing. */
export const ANOMALY_MIN_HISTORY = 4;

const MAD_SCALE = 1.4826;
/** When MAD is 0, the mean absolute deviation scaled by √(π/2) estimates σ instead (IBM SPSS's convention). */
const MEAN_AD_SCALE = 1.253314;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

export interface AnomalyResult {
  /** The modified z-score, ±Infinity when the history never varies and x differs; null when undecided. */
  readonly score: number | null;
  readonly median: number | null;
  /** The robust estimate of the standard deviation used (1.4826 · MAD, or its fallback). */
  readonly scale: number | null;
  readonly fires: boolean;
  /** The bound crossed (median ± threshold · scale) when it fires, else the nearer bound. */
  readonly bound: number | null;
}

/**
 * Scores `x` against `history` (the same weekday in earlier weeks; nulls are dropped). Guard for
 * MAD = 0 (more than half of the history equal): the mean absolute deviation is used instead; if
 * that is 0 too (a constant history), any other value is infinitely far (it fires) and the same
 * value is not. `direction` ">"/">=" fires only above, "<"/"<=" only below, undefined both ways.
 */
export function detectAnomaly(
  x: number | null,
  history: readonly (number | null)[],
  threshold: number = ANOMALY_THRESHOLD,
  direction?: Operator,
): AnomalyResult {
  const known = history.filter((v): v is number => v !== null && Number.isFinite(v));
  if (x === null || !Number.isFinite(x) || known.length < ANOMALY_MIN_HISTORY) {
    return {
      score: null,
      median: known.length ? median(known) : null,
      scale: null,
      fires: false,
      bound: null,
    };
  }
  const m = median(known);
  let scale = MAD_SCALE * mad(known);
  if (scale === 0)
    scale = MEAN_AD_SCALE * (known.reduce((sum, v) => sum + Math.abs(v - m), 0) / known.length);
  const score =
    scale === 0
      ? x === m
        ? 0
        : x > m
          ? Number.POSITIVE_INFINITY
          : Number.NEGATIVE_INFINITY
      : (x - m) / scale;
  const up = direction === undefined || direction === ">" || direction === ">=";
  const down = direction === undefined || direction === "<" || direction === "<=";
  const fires = (up && score > threshold) || (down && score < -threshold);
  const bound = score >= 0 ? m + threshold * scale : m - threshold * scale;
  return { score, median: m, scale, fires, bound };
}
