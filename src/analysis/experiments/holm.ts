/**
 * Holm–Bonferroni adjusted p-values (Holm 1979, "A simple sequentially rejective multiple test
 * procedure"), as R's p.adjust(p, "holm"): sorted ascending, p_(i)·(m − i + 1), running maximum,
 * capped at 1. Nulls are left out of m and stay null.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues
    .map((p, index) => ({ p, index }))
    .filter((e): e is { p: number; index: number } => e.p !== null)
    .sort((x, y) => x.p - y.p);
  const m = present.length;
  const out: (number | null)[] = pValues.map(() => null);
  let running = 0;
  present.forEach((entry, i) => {
    running = Math.max(running, Math.min(1, entry.p * (m - i)));
    out[entry.index] = running;
  });
  return out;
}
