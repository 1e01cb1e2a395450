import type { Interval } from "../../model/calendar.js";
import { assertFinite, type Dialect } from "../dialect.js";

/**
 * ClickHouse's SQL, in the subset that both 18.16 (Debian's) and current releases accept: no
 * server-side parameters, so every value goes through `literal`; no TRUE/FALSE keywords; no
 * GROUPING SETS (WITH TOTALS instead); `-If`
 * aggregate combinators instead of FILTER clauses; `toMonday` for ISO weeks.
 *
 * JSON objects (event properties, cost breakdowns) are stored as two parallel arrays
 * `<column>_keys` and `<column>_values` holding each member as text, because 18.16 has no
 * JSONExtract and its visitParam functions match names at any depth.
 */
export const clickhouseDialect: Dialect = {
  name: "clickhouse",
  totals: "with-totals",
  identifier: (name) => `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``,
  literal(value) {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "1" : "0";
    if (typeof value === "number") return String(assertFinite(value));
    return quoteString(value);
  },
  text: (expr) => `toString(${expr})`,
  nullText: "CAST(NULL AS Nullable(String))",
  date: (value) => `toDate('${/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : "invalid"}')`,
  localDate: (timestamp, timeZone) => `toDate(toTimeZone(${timestamp}, ${quoteString(timeZone)}))`,
  bucketStart(interval: Interval, date) {
    switch (interval) {
      case "day":
        return date;
      case "week":
        return `toMonday(${date})`;
      case "month":
        return `toStartOfMonth(${date})`;
      case "quarter":
        return `toStartOfQuarter(${date})`;
      case "year":
        return `toStartOfYear(${date})`;
      default: {
        const unknown: never = interval;
        throw new Error(`unknown interval ${String(unknown)}`);
      }
    }
  },
  // A missing name finds the NULL pushed at the end: 18.16 mishandles element 0 of Nullable arrays
  // (wrong columns, then a crash when they are grouped).
  jsonText: (json, key) =>
    `arrayPushBack(${json}_values, NULL)[indexOf(arrayPushBack(${json}_keys, ${quoteString(key)}), ${quoteString(key)})]`,
  regexpMatches: (text, pattern) => `match(${text}, ${quoteString(pattern)})`,
  argMaxIf: (expr, by, condition) => `argMaxIf(${expr}, ${by}, ${condition})`,
  countDistinct: (expr, condition) =>
    condition ? `uniqExactIf(${expr}, ${condition})` : `uniqExact(${expr})`,
  // A NULL condition counts as false (as in DuckDB's FILTER); 18.16 also fails converting a NULL
  // condition to the default row it returns for a constant GROUP BY over no rows.
  countIf: (condition) => `countIf(ifNull(${condition}, 0))`,
  sumIf: (expr, condition) => `ifNull(sumIf(${decimal(expr)}, ${condition}), toDecimal128(0, 9))`,
  // Decimal addition is exact, hence independent of the order threads add rows in.
  exactSum: (expr) => `ifNull(sum(${decimal(expr)}), toDecimal128(0, 9))`,
};

/**
 * A number as DECIMAL(38, 9), rounded to the nearest as DuckDB's cast rounds it: ClickHouse's
 * cast truncates, which turned 69.05 (a double a hair below it) into 69.049999999.
 */
function decimal(expr: string): string {
  return `toDecimal128(${expr} + if(${expr} >= 0, 0.0000000005, -0.0000000005), 9)`;
}

/**
 * A ClickHouse string literal. Backslash is ClickHouse's escape character, so it is doubled before
 * quotes are escaped; NUL is dropped as DuckDB drops it, so both stores hold the same text.
 */
export function quoteString(value: string): string {
  return `'${value.replaceAll("\u0000", "").replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
