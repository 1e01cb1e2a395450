import type { ExposureQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { DEVICE, type PersonMap, personOf } from "./persons-sql.js";

/**
 * The same figures as duckdb/exposures-sql.ts without window functions or inequality joins (18.16):
 * first exposures per person by argMin over (ts_us, seq), each person's last conversion time joined
 * by person (0 when none), converted when it follows the first exposure.
 */
export function clickhouseExposuresSql(q: ExposureQuery, persons: PersonMap): string {
  const ws = d.literal(q.workspace.name);
  const conversions = `SELECT ${personOf(persons, DEVICE)} AS person, max(ts_us) AS last_us FROM events
    WHERE workspace = ${ws} AND name = ${d.literal(q.conversion)}${withinDates(q)} GROUP BY person`;
  return `SELECT variation, count() AS visitors, sum(converted) AS conversions FROM (
      SELECT assumeNotNull(variation) AS variation, toUInt64(last_us > first_us) AS converted
      FROM (${clickhouseFirstExposuresSql(q, persons)}) ANY LEFT JOIN (${conversions}) USING (person)
    ) GROUP BY variation ORDER BY variation`;
}

type ExposureSpan = Pick<ExposureQuery, "workspace" | "experiment" | "from" | "to">;

/** The dates of a query as conditions on an event's local date, starting with AND. */
function withinDates(q: ExposureSpan): string {
  const local = d.localDate("ts", q.workspace.settings.timezone);
  const dates = [
    ...(q.from ? [`${local} >= ${d.date(q.from)}`] : []),
    ...(q.to ? [`${local} <= ${d.date(q.to)}`] : []),
  ];
  return dates.length ? ` AND ${dates.join(" AND ")}` : "";
}

/**
 * Each exposed person's variation (of the first exposure on any of its devices, ties by seq) and
 * first exposure time (µs): a person keeps the variation first shown (persons-sql.ts).
 */
export function clickhouseFirstExposuresSql(q: ExposureSpan, persons: PersonMap): string {
  return `SELECT person, argMin(v, (ts_us, seq)) AS variation, min(ts_us) AS first_us FROM (
      SELECT ${personOf(persons, DEVICE)} AS person, ts_us, seq, ${d.jsonText("properties", "variation_id")} AS v FROM events
      WHERE workspace = ${d.literal(q.workspace.name)} AND name = 'Experiment Viewed'
        AND ${d.jsonText("properties", "experiment_id")} = ${d.literal(q.experiment)}${withinDates(q)}
    ) WHERE isNotNull(v) GROUP BY person`;
}

export function clickhouseExperimentIdsSql(workspace: string): string {
  return `SELECT DISTINCT assumeNotNull(id) AS id FROM (
      SELECT ${d.jsonText("properties", "experiment_id")} AS id FROM events
      WHERE workspace = ${d.literal(workspace)} AND name = 'Experiment Viewed'
    ) WHERE isNotNull(id) ORDER BY id`;
}
