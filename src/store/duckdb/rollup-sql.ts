import type { Workspace, WorkspaceSettings } from "../../model/workspace.js";
import type { Dialect } from "../dialect.js";
import { trackNameIn } from "../sql/measure-sql.js";
import type { MeasureQuery } from "../store.js";
import { sessionSettingsKey } from "./session-sql.js";

/**
 * Rollups: pre-aggregated `session_events` that answer the ungrouped, unfiltered event measures
 * exactly, distinct visitors included, in a few milliseconds.
 *
 * `rollup_visitor_days` has one row per (visitor, local day) with that day's additive measures and
 * the visitor's previous active day (`prev_date`) and previous converting day (`prev_converted`).
 * A visitor is active in a range [from, to] exactly when one of its days lies in it, and the first
 * of those days is the only one whose previous day falls before `from`: so
 *
 *   distinct visitors in [from, to] = visitor-days in [from, to] whose prev_date < from (or none)
 *
 * a count without DISTINCT. Counts by (day, prev_date) therefore suffice for any range and any
 * bucket: `rollup_day_gaps` holds them (with the additive sums): about 13,000 rows for 10M events
 * over 90 days. It grows with the pairs of days of history (with conversion flags), not with events.
 */

/** A key that changes when a setting the rollups depend on changes, forcing a rebuild. */
export function rollupSettingsKey(settings: WorkspaceSettings): string {
  return JSON.stringify([sessionSettingsKey(settings), settings.conversion_events, settings.lead_events]);
}

/**
 * Rows of `rollup_visitor_days` for the `session_events` rows in `source` of one workspace. When
 * `source` holds only a visitor's days from some day on, `seeds` gives the visitor's earlier days
 * the windows need (rows of `rollup_visitor_days`: its last day before, and its last converting day
 * before): they set the first new day's `prev_date` and `prev_converted` and are not returned.
 */
export function visitorDaysSelect(d: Dialect, workspace: Workspace, source: string, seeds?: string): string {
  const { conversion_events, lead_events } = workspace.settings;
  const ws = d.literal(workspace.name);
  const seedRows = seeds
    ? `UNION ALL SELECT workspace, visitor_id, local_date, 0, 0, 0, 0, CASE WHEN converted THEN 1 ELSE 0 END, 0, TRUE
      FROM ${seeds} WHERE workspace = ${ws}`
    : "";
  // The same expressions as the raw path (measure-sql.ts eventsSql), summed per visitor and day.
  return `SELECT workspace, visitor_id, local_date, prev_date, converted, prev_converted,
    sessions, pageviews, bounces, duration_sum, conversions, leads
  FROM (
  SELECT *,
    lag(local_date) OVER (PARTITION BY visitor_id ORDER BY local_date) AS prev_date,
    conversions > 0 AS converted,
    CASE WHEN conversions > 0
      THEN lag(local_date) OVER (PARTITION BY visitor_id, conversions > 0 ORDER BY local_date) END AS prev_converted
  FROM (
    SELECT workspace, visitor_id, local_date,
      ${d.countIf("session_start")} AS sessions,
      ${d.countIf("type = 'page'")} AS pageviews,
      ${d.countIf("session_start AND session_bounce")} AS bounces,
      ${d.sumIf("session_seconds", "session_start")} AS duration_sum,
      ${d.countIf(trackNameIn(d, conversion_events))} AS conversions,
      ${d.countIf(trackNameIn(d, lead_events))} AS leads,
      FALSE AS seed
    FROM ${source} WHERE workspace = ${ws}
    GROUP BY workspace, visitor_id, local_date
    ${seedRows}
  ) days
  ) windowed WHERE NOT seed`;
}

/**
 * Rows of `rollup_day_gaps` for one workspace from the visitor-days in `source` (by default all of
 * them); with `sign` -1, negated, to take rows away.
 */
export function dayGapsSelect(
  d: Dialect,
  workspace: string,
  source = "rollup_visitor_days",
  sign: 1 | -1 = 1,
): string {
  const s = sign === 1 ? "" : "-";
  return `SELECT workspace, local_date, prev_date, converted, prev_converted, ${s}count(*) AS visitor_days,
    ${s}sum(sessions) AS sessions, ${s}sum(pageviews) AS pageviews, ${s}sum(bounces) AS bounces,
    ${s}sum(duration_sum) AS duration_sum, ${s}sum(conversions) AS conversions, ${s}sum(leads) AS leads
  FROM ${source} WHERE workspace = ${d.literal(workspace)}
  GROUP BY workspace, local_date, prev_date, converted, prev_converted`;
}

/**
 * `rollup_day_gaps` of a workspace once the visitor-days in `removed` were replaced by those in
 * `added`: the stored counts and sums, minus the old rows', plus the new rows'. Integer and DECIMAL
 * sums are exact, so this equals a recount; a key whose count falls to 0 has no visitor-day left,
 * hence all its sums are 0 too, and goes.
 */
export function dayGapsUpdated(d: Dialect, workspace: string, removed: string, added: string): string {
  const columns = [
    "visitor_days",
    "sessions",
    "pageviews",
    "bounces",
    "duration_sum",
    "conversions",
    "leads",
  ];
  return `SELECT workspace, local_date, prev_date, converted, prev_converted,
    ${columns.map((c) => `sum(${c}) AS ${c}`).join(", ")}
  FROM (
    SELECT * FROM rollup_day_gaps WHERE workspace = ${d.literal(workspace)}
    UNION ALL BY NAME ${dayGapsSelect(d, workspace, removed, -1)}
    UNION ALL BY NAME ${dayGapsSelect(d, workspace, added)}
  ) parts
  GROUP BY workspace, local_date, prev_date, converted, prev_converted
  HAVING sum(visitor_days) <> 0`;
}

/**
 * Whether the rollups answer the event measures of a query exactly: they keep no dimension, so
 * only without grouping and filters.
 */
export function rollupAnswersEvents(query: MeasureQuery): boolean {
  return query.facts.includes("events") && query.groupBy.length === 0 && query.filters.length === 0;
}

/**
 * The event measures of an ungrouped, unfiltered query from `rollup_day_gaps`: the same columns
 * and numbers as measure-sql.ts's eventsSql over `session_events`, one statement for the buckets and
 * one for the totals.
 */
export function eventsRollupStatements(d: Dialect, query: MeasureQuery): string[] {
  const first = query.buckets[0];
  const last = query.buckets[query.buckets.length - 1];
  if (!first || !last) throw new Error("a measure query needs at least one bucket");
  const statement = (from: string, to: string, interval: MeasureQuery["interval"], total: boolean) => {
    // The first day of the row's bucket inside the range: a visitor counts in the bucket on its
    // first day there, the day whose previous active day comes before it.
    const bucketFrom =
      interval === null
        ? d.date(from)
        : `greatest(${d.bucketStart(interval, "local_date")}, ${d.date(from)})`;
    const period =
      interval === null
        ? "CAST(NULL AS VARCHAR)"
        : `CAST(${d.bucketStart(interval, "local_date")} AS VARCHAR)`;
    const count = (condition: string) =>
      `CAST(coalesce(sum(visitor_days) FILTER (WHERE ${condition}), 0) AS DOUBLE)`;
    const sum = (column: string) => `CAST(coalesce(sum(${column}), 0) AS DOUBLE)`;
    return `SELECT ${total ? "TRUE AS is_total, " : ""}${period} AS period,
  ${count(`prev_date IS NULL OR prev_date < ${bucketFrom}`)} AS visitors,
  ${sum("sessions")} AS sessions,
  ${sum("pageviews")} AS pageviews,
  ${sum("bounces")} AS bounces,
  ${sum("duration_sum")} AS duration_sum,
  ${sum("conversions")} AS conversions,
  ${count(`converted AND (prev_converted IS NULL OR prev_converted < ${bucketFrom})`)} AS converted_visitors,
  ${sum("leads")} AS leads
FROM rollup_day_gaps
WHERE workspace = ${d.literal(query.workspace.name)} AND local_date BETWEEN ${d.date(from)} AND ${d.date(to)}
${total ? "" : "GROUP BY 1"}`;
  };
  const statements = [statement(first.from, last.to, query.interval, false)];
  if (query.totals) statements.push(statement(query.totals.from, query.totals.to, null, true));
  return statements;
}
