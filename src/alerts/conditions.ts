/** The comparison operators of a rule (docs/alerts.md#rule-kinds). */
export type Operator = ">" | ">=" | "<" | "<=";

/** Whether `value` meets `op threshold`. A null figure (a division by zero) meets no condition. */
export function meets(value: number | null, op: Operator, threshold: number): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    default: {
      const unknown: never = op;
      throw new Error(`unknown operator ${String(unknown)}`);
    }
  }
}

/**
 * Percent change from `previous` to `current`: (current − previous) / |previous| × 100. Null when
 * either is null or `previous` is 0 (no change can be stated against nothing). The absolute value
 * keeps the sign meaningful for KPIs that can be negative (a custom profit).
 */
export function percentChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  const change = ((current - previous) / Math.abs(previous)) * 100;
  return Number.isFinite(change) ? change : null;
}
