import type { Interval } from "../../model/calendar.js";
import { assertFinite, type Dialect } from "../dialect.js";

/** DuckDB's SQL: standard quoting (quotes doubled), FILTER clauses, ICU time zones. */
export const duckdbDialect: Dialect = {
  name: "duckdb",
  totals: "grouping-sets",
  identifier: (name) => `"${name.replaceAll('"', '""')}"`,
  literal(value) {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "number") return String(assertFinite(value));
    // Standard SQL strings have no backslash escapes in DuckDB; NUL cannot be stored in VARCHAR.
    return `'${value.replaceAll("\u0000", "").replaceAll("'", "''")}'`;
  },
  text: (expr) => `CAST(${expr} AS VARCHAR)`,
  nullText: "CAST(NULL AS VARCHAR)",
  date: (value) => `DATE '${/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : "invalid"}'`,
  localDate: (timestamp, timeZone) =>
    `CAST(timezone(${duckdbDialect.literal(timeZone)}, ${timestamp}) AS DATE)`,
  bucketStart(interval: Interval, date) {
    return interval === "day" ? date : `CAST(date_trunc('${interval}', ${date}) AS DATE)`;
  },
  jsonText: (json, key) => `json_extract_string(${json}, ${duckdbDialect.literal(jsonPath(key))})`,
  regexpMatches: (text, pattern) => `regexp_matches(${text}, ${duckdbDialect.literal(pattern)})`,
  argMaxIf: (expr, by, condition) => `arg_max(${expr}, ${by}) FILTER (WHERE ${condition})`,
  countDistinct: (expr, condition) =>
    condition ? `count(DISTINCT ${expr}) FILTER (WHERE ${condition})` : `count(DISTINCT ${expr})`,
  countIf: (condition) => `count(*) FILTER (WHERE ${condition})`,
  sumIf: (expr, condition) => `coalesce(sum(CAST(${expr} AS DECIMAL(38, 9))) FILTER (WHERE ${condition}), 0)`,
  // DECIMAL addition is exact, hence independent of the order threads add rows in.
  exactSum: (expr) => `coalesce(sum(CAST(${expr} AS DECIMAL(38, 9))), 0)`,
};

/** A JSONPath selecting one member by name, whatever characters the name holds. */
function jsonPath(key: string): string {
  return `$.${JSON.stringify(key)}`;
}
