import type { ExposureQuery } from "../store.js";
import { duckdbDialect as d } from "./dialect.js";
import { deviceSql, personSql } from "./identities.js";

/**
 * Visitors and converted visitors per variation of one experiment (docs/funnels-and-experiments.md#experiments): a visitor belongs to
 * the variation of their first `Experiment Viewed` of the experiment within its dates (ties in time
 * by seq), and converts when the conversion event follows that first exposure within the dates.
 *
 * Two aggregations joined by visitor, no window function and no correlated subquery: the first
 * exposure by arg_min over (ts, seq) — packed into one HUGEINT, microseconds × 2^64 + seq (seq ≥ 0),
 * the same order as the pair and much cheaper to compare than a struct on large tables — and each
 * visitor's last conversion time within the dates (a conversion follows the first exposure exactly
 * when the last one does). The row_number and EXISTS form took 1.3–1.7× as long on the analysis
 * bench (docs/performance.md).
 */
export function duckdbExposuresSql(q: ExposureQuery): string {
  const ws = d.literal(q.workspace.name);
  return `WITH exposed AS (${duckdbFirstExposuresSql(q)}),
    converted AS (
      SELECT visitor_id, max(ts) AS last_ts FROM (
        ${byPerson(
          ws,
          `SELECT ${deviceSql()} AS device, ts FROM events
        WHERE workspace = ${ws} AND name = ${d.literal(q.conversion)}${withinDates(q)}`,
        )}
      ) GROUP BY visitor_id
    )
    SELECT variation, count(*) AS visitors, count(*) FILTER (WHERE last_ts > first_ts) AS conversions
    FROM exposed LEFT JOIN converted USING (visitor_id) GROUP BY variation ORDER BY variation`;
}

/** The dates of a query as conditions on an event's local date, each starting with AND. */
function withinDates(q: ExposureSpan): string {
  const local = d.localDate("ts", q.workspace.settings.timezone);
  return [
    ...(q.from ? [` AND ${local} >= ${d.date(q.from)}`] : []),
    ...(q.to ? [` AND ${local} <= ${d.date(q.to)}`] : []),
  ].join("");
}

/** An experiment within its dates: what first exposures are read from. */
type ExposureSpan = Pick<ExposureQuery, "workspace" | "experiment" | "from" | "to">;

/**
 * The rows of `select` (which names each row's `device`) with the person of that device as
 * `visitor_id` (identities.ts): a person keeps the variation first shown on any of its devices,
 * and what it does on any device counts for it (docs/concepts.md#persons).
 */
export function byPerson(ws: string, select: string): string {
  return `SELECT ${personSql("e.device", "ip")} AS visitor_id, e.* EXCLUDE (device)
    FROM (${select}) e LEFT JOIN identity_persons ip ON ip.workspace = ${ws} AND ip.id = e.device`;
}

/** Each exposed person's variation (of the first exposure, ties by seq) and first exposure time. */
export function duckdbFirstExposuresSql(q: ExposureSpan): string {
  const ws = d.literal(q.workspace.name);
  return `SELECT visitor_id, arg_min(variation, epoch_us(ts)::HUGEINT * 18446744073709551616 + seq) AS variation, min(ts) AS first_ts FROM (
        ${byPerson(
          ws,
          `SELECT ${deviceSql()} AS device, ts, seq, ${d.jsonText("properties", "variation_id")} AS variation
        FROM events
        WHERE workspace = ${ws} AND name = 'Experiment Viewed'
          AND ${d.jsonText("properties", "experiment_id")} = ${d.literal(q.experiment)}${withinDates(q)}`,
        )}
      ) WHERE variation IS NOT NULL GROUP BY visitor_id`;
}

/** Experiment ids seen in a workspace's exposures. */
export function duckdbExperimentIdsSql(workspace: string): string {
  return `SELECT DISTINCT ${d.jsonText("properties", "experiment_id")} AS id FROM events
    WHERE workspace = ${d.literal(workspace)} AND name = 'Experiment Viewed' AND id IS NOT NULL ORDER BY id`;
}
