import type { Interval } from "../model/calendar.js";

/**
 * The small set of SQL differences between stores (Kysely-style: one default compiler in
 * `store/sql/`, a dialect overrides only these hooks). Values enter SQL text only through
 * `literal`, the one quoting function.
 */
export interface Dialect {
  readonly name: "duckdb" | "clickhouse";
  /**
   * How rows and the totals over the whole selection come from one scan: GROUPING SETS with an
   * empty set (a column `is_total` marks it), GROUP BY … WITH TOTALS (the store reads the totals row
   * its own way), or not at all (a second query).
   */
  readonly totals: "grouping-sets" | "with-totals" | "separate";
  /** Quotes an identifier (table, column, alias). */
  identifier(name: string): string;
  /** Quotes a value: strings escaped, numbers checked finite, null as NULL. */
  literal(value: string | number | boolean | null): string;
  /** An expression as text (NULL stays NULL). */
  text(expr: string): string;
  /** NULL typed as text (a column of a UNION branch or a bucket label). */
  readonly nullText: string;
  /** A DATE literal for a `YYYY-MM-DD` string. */
  date(value: string): string;
  /** The calendar date, in `timeZone`, of a UTC timestamp expression. */
  localDate(timestamp: string, timeZone: string): string;
  /** The first date of the `interval` bucket holding a DATE expression (ISO weeks start on Monday). */
  bucketStart(interval: Interval, date: string): string;
  /** A JSON object column's member as text, or NULL. */
  jsonText(json: string, key: string): string;
  /** Whether a text expression matches a regular expression (RE2 syntax, which both engines use). */
  regexpMatches(text: string, pattern: string): string;
  /** The value of `expr` on the row with the largest `by` among rows matching `condition`. */
  argMaxIf(expr: string, by: string, condition: string): string;
  /** count(DISTINCT expr) restricted to rows matching `condition` (or all rows). */
  countDistinct(expr: string, condition?: string): string;
  /** count(*) of rows matching `condition`. */
  countIf(condition: string): string;
  /** sum(expr) over rows matching `condition`, 0 when none. */
  sumIf(expr: string, condition: string): string;
  /**
   * A sum that does not depend on the order rows are added in (parallel DOUBLE sums do, in their
   * last digits), so the same data always gives the same numbers; 0 over no rows.
   */
  exactSum(expr: string): string;
}

/** Text that must never be SQL: refuses what cannot be represented instead of guessing. */
export function assertFinite(value: number): number {
  if (!Number.isFinite(value)) throw new Error(`cannot put ${value} into SQL`);
  return value;
}
