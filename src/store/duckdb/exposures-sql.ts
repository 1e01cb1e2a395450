import type { ExposureQuery } from "../store.js";
import { duckdbDialect as d } from "./dialect.js";

/**
 * Visitors and converted visitors per variation of one experiment (SPEC §7): a visitor belongs to
 * the variation of their first `Experiment Viewed` of the experiment within its dates (ties in time
 * by seq), and converts when the conversion event follows that first exposure within the dates.
 */
export function duckdbExposuresSql(q: ExposureQuery): string {
  const ws = d.literal(q.workspace.name);
  const within = (ts: string) => {
    const local = d.localDate(ts, q.workspace.settings.timezone);
    return [
      ...(q.from ? [` AND ${local} >= ${d.date(q.from)}`] : []),
      ...(q.to ? [` AND ${local} <= ${d.date(q.to)}`] : []),
    ].join("");
  };
  return `WITH exposed AS (
      SELECT visitor_id, variation, ts AS first_ts FROM (
        SELECT visitor_id, ts, ${d.jsonText("properties", "variation_id")} AS variation,
          row_number() OVER (PARTITION BY visitor_id ORDER BY ts, seq) AS n
        FROM events
        WHERE workspace = ${ws} AND name = 'Experiment Viewed'
          AND ${d.jsonText("properties", "experiment_id")} = ${d.literal(q.experiment)}${within("ts")}
          AND ${d.jsonText("properties", "variation_id")} IS NOT NULL
      ) WHERE n = 1
    )
    SELECT variation, count(*) AS visitors, count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM events c WHERE c.workspace = ${ws} AND c.visitor_id = exposed.visitor_id
          AND c.name = ${d.literal(q.conversion)} AND c.ts > exposed.first_ts${within("c.ts")})) AS conversions
    FROM exposed GROUP BY variation ORDER BY variation`;
}

/** Experiment ids seen in a workspace's exposures. */
export function duckdbExperimentIdsSql(workspace: string): string {
  return `SELECT DISTINCT ${d.jsonText("properties", "experiment_id")} AS id FROM events
    WHERE workspace = ${d.literal(workspace)} AND name = 'Experiment Viewed' AND id IS NOT NULL ORDER BY id`;
}
