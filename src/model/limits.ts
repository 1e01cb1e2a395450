import { UserError } from "../errors.js";

/**
 * The largest magnitude of an amount the stores take (revenue, ad spend, impressions, email and
 * social counts): every number is below it, on every ingestion path. KPI queries add amounts up as
 * DECIMAL(38, 9), which holds |x| < 1e29 (store/duckdb/dialect.ts `exactSum`); one event of 1e308
 * would make every revenue query of its day fail, and even values of 1e28 overflow once two are
 * added. Capping each value at 1e15 leaves room for 1e14 of them in one sum, more than a store
 * holds, while no currency's real order or campaign comes near it. See docs/sending-events.md.
 */
export const AMOUNT_LIMIT = 1e15;

/** AMOUNT_LIMIT as people read it, for error messages and docs. */
export const AMOUNT_RANGE = "between -1e15 and 1e15 (exclusive)";

/**
 * How deep objects and arrays may nest in one message, the message itself being level 1
 * (`properties` level 2, an object inside it level 3…). Checked before any code that recurses
 * (size bounds, schemas, JSON.stringify), which would otherwise exhaust the stack on bodies a
 * few tens of KB long. See docs/sending-events.md.
 */
export const MAX_NESTING_DEPTH = 32;

/** A finite number inside the amount range. */
export function inAmountRange(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) < AMOUNT_LIMIT;
}

/** Throws a 400 naming `field` when a number is outside the amount range. */
export function checkAmount(value: number, field: string): void {
  if (inAmountRange(value)) return;
  throw new UserError(`${field} must be a number ${AMOUNT_RANGE}.`, [
    { field, reason: `outside the range ${AMOUNT_RANGE}` },
  ]);
}

/**
 * The path of the first object or array nested deeper than `limit` levels in `value` (itself level
 * 1), or null. Iterative, with its own stack, so that it works at any depth JSON.parse produced.
 */
export function tooDeep(value: unknown, limit = MAX_NESTING_DEPTH): string | null {
  if (typeof value !== "object" || value === null) return null;
  const stack: { value: object; depth: number; path: string }[] = [{ value, depth: 1, path: "" }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.depth > limit) return item.path;
    const entries = Array.isArray(item.value) ? item.value.entries() : Object.entries(item.value);
    for (const [key, child] of entries) {
      if (typeof child !== "object" || child === null) continue;
      stack.push({
        value: child,
        depth: item.depth + 1,
        path: item.path ? `${item.path}.${key}` : String(key),
      });
    }
  }
  return null;
}

/** Throws a 400 naming the limit when `value` nests deeper than MAX_NESTING_DEPTH; `field` prefixes the path. */
export function checkNesting(value: unknown, field = ""): void {
  const path = tooDeep(value);
  if (path === null) return;
  // Only the first levels of the path: the rest is as long as the nesting.
  const shown = [field, ...path.split(".").slice(0, 4)].filter(Boolean).join(".");
  throw new UserError(
    `${shown || "body"}… nests objects and arrays more than ${MAX_NESTING_DEPTH} levels deep; flatten it.`,
    [{ field: shown || "body", reason: `nested deeper than ${MAX_NESTING_DEPTH} levels` }],
  );
}
