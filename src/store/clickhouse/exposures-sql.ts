import type { ExposureQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { DEVICE, type PersonMap, personOf } from "./persons-sql.js";

/**
 * The same figures as duckdb/exposures-sql.ts without window functions or inequality joins (18.16):
 * first exposures per visitor by argMin over (ts_us, seq), each visitor's last conversion time joined
 * by visitor (0 when none), converted when it follows the first exposure.
 */
export function clickhouseExposuresSql(q: ExposureQuery, persons: PersonMap): string {
  const ws = d.literal(q.workspace.name);
  const local = d.localDate("ts", q.workspace.settings.timezone);
  const dates = [
    ...(q.from ? [`${local} >= ${d.date(q.from)}`] : []),
    ...(q.to ? [`${local} <= ${d.date(q.to)}`] : []),
  ];
  const within = dates.length ? ` AND ${dates.join(" AND ")}` : "";
  // A person keeps the variation first shown on any of its devices (persons-sql.ts).
  const person = `${personOf(persons, DEVICE)} AS person`;
  const exposed = `SELECT person, argMin(v, (ts_us, seq)) AS variation, min(ts_us) AS first_us FROM (
      SELECT ${person}, ts_us, seq, ${d.jsonText("properties", "variation_id")} AS v FROM events
      WHERE workspace = ${ws} AND name = 'Experiment Viewed'
        AND ${d.jsonText("properties", "experiment_id")} = ${d.literal(q.experiment)}${within}
    ) WHERE isNotNull(v) GROUP BY person`;
  const conversions = `SELECT ${person}, max(ts_us) AS last_us FROM events
    WHERE workspace = ${ws} AND name = ${d.literal(q.conversion)}${within} GROUP BY person`;
  return `SELECT variation, count() AS visitors, sum(converted) AS conversions FROM (
      SELECT assumeNotNull(variation) AS variation, toUInt64(last_us > first_us) AS converted
      FROM (${exposed}) ANY LEFT JOIN (${conversions}) USING (person)
    ) GROUP BY variation ORDER BY variation`;
}

export function clickhouseExperimentIdsSql(workspace: string): string {
  return `SELECT DISTINCT assumeNotNull(id) AS id FROM (
      SELECT ${d.jsonText("properties", "experiment_id")} AS id FROM events
      WHERE workspace = ${d.literal(workspace)} AND name = 'Experiment Viewed'
    ) WHERE isNotNull(id) ORDER BY id`;
}
