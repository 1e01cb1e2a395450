/** Quantile by linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

export interface PeerStats {
  /** 1 = best among the campaigns with a value, by the KPI's direction; null without a value. */
  readonly rank: number | null;
  readonly count: number;
  readonly q1: number | null;
  readonly median: number | null;
  readonly q3: number | null;
}

/** Where `value` stands among `values` (including it), `better` saying which way is good. */
export function peerStats(
  value: number | null,
  values: readonly (number | null)[],
  better: "higher" | "lower",
): PeerStats {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const rank =
    value === null ? null : 1 + known.filter((v) => (better === "higher" ? v > value : v < value)).length;
  return {
    rank,
    count: known.length,
    q1: quantile(known, 0.25),
    median: quantile(known, 0.5),
    q3: quantile(known, 0.75),
  };
}
