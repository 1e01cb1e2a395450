import { metricEventSql } from "../sql/metric-event.js";
import type { MetricSource, MetricSumsQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { clickhouseFirstExposuresSql } from "./exposures-sql.js";
import { DEVICE, type PersonMap, personOf } from "./persons-sql.js";

const DAY_US = 86_400_000_000;

/**
 * The rows a metric adds up, `(person, m_us, m_date, value)`, as duckdb/metric-sums-sql.ts
 * reads them (a person's devices all count for it), in the SQL of ClickHouse 18.16: orders de-duplicated by argMin over (src, ts_us, seq)
 * instead of a window function, each imported order at its newest version.
 */
function metricRows(ws: string, metric: MetricSource, timeZone: string, persons: PersonMap): string {
  const local = d.localDate("ts", timeZone);
  const events = (value: string, event: string) =>
    `SELECT ${personOf(persons, DEVICE)} AS person, ts_us AS m_us, ${local} AS m_date, toFloat64(${value}) AS value FROM events
      WHERE workspace = ${ws} AND ${metricEventSql(d, event)}`;
  switch (metric.kind) {
    case "conversion":
    case "count":
      return events("1", metric.event);
    case "sum": {
      const property = `toFloat64OrNull(ifNull(${d.jsonText("properties", metric.property)}, ''))`;
      const value =
        metric.property === "revenue" ? `ifNull(${property}, ifNull(revenue, 0))` : `ifNull(${property}, 0)`;
      return events(value, metric.event);
    }
    case "revenue":
    case "orders": {
      const imported = `SELECT order_id, argMax(visitor_id, version) AS visitor_id, argMax(ts_us, version) AS ts_us,
          argMax(revenue, version) AS revenue FROM orders WHERE workspace = ${ws} GROUP BY order_id`;
      const all = `SELECT order_id, assumeNotNull(visitor_id) AS visitor_id, ts_us, toFloat64(revenue) AS revenue,
            toUInt8(0) AS src, toUInt64(0) AS seq FROM (${imported}) WHERE isNotNull(visitor_id)
          UNION ALL
          SELECT ifNull(order_id, concat('event:', toString(seq))) AS order_id, ${DEVICE} AS visitor_id, ts_us,
            toFloat64(ifNull(revenue, 0)) AS revenue, toUInt8(1) AS src, seq
          FROM events WHERE workspace = ${ws} AND type = 'track' AND name = 'Order Completed'`;
      const unique = `SELECT argMin(visitor_id, (src, ts_us, seq)) AS visitor_id, argMin(ts_us, (src, ts_us, seq)) AS m_us,
          argMin(revenue, (src, ts_us, seq)) AS revenue FROM (${all}) GROUP BY order_id`;
      const value = metric.kind === "revenue" ? "revenue" : "toFloat64(1)";
      return `SELECT ${personOf(persons, "visitor_id")} AS person, m_us, ${d.localDate("toDateTime(intDiv(m_us, 1000000))", timeZone)} AS m_date,
          ${value} AS value FROM (${unique})`;
    }
    default: {
      const unknown: never = metric;
      throw new Error(`unknown metric ${JSON.stringify(unknown)}`);
    }
  }
}

/** The figures of duckdb/metric-sums-sql.ts: one JOIN per SELECT, conditional sums by -If combinators. */
export function clickhouseMetricSumsSql(q: MetricSumsQuery, persons: PersonMap): string {
  const ws = d.literal(q.workspace.name);
  const dates = [
    ...(q.from ? [`m_date >= ${d.date(q.from)}`] : []),
    ...(q.to ? [`m_date <= ${d.date(q.to)}`] : []),
  ];
  const once = (sum: string) => (q.metric.kind === "conversion" ? `least(1, ${sum})` : sum);
  const post = once(`sumIf(value, ${["m_us > first_us", ...dates].join(" AND ")})`);
  const pre =
    q.lookbackDays === null
      ? "toFloat64(0)"
      : once(`sumIf(value, m_us < first_us AND m_us >= first_us - ${d.literal(q.lookbackDays * DAY_US)})`);
  const perVisitor = `SELECT any(variation) AS variation, toFloat64(${post}) AS post, toFloat64(${pre}) AS pre
    FROM (${clickhouseFirstExposuresSql(q, persons)})
    ALL LEFT JOIN (${metricRows(ws, q.metric, q.workspace.settings.timezone, persons)}) USING (person)
    GROUP BY person`;
  return `SELECT variation, count() AS n, ${d.exactSum("post")} AS sum, ${d.exactSum("post * post")} AS sum_squares,
      ${d.exactSum("pre")} AS pre_sum, ${d.exactSum("pre * pre")} AS pre_sum_squares,
      ${d.exactSum("post * pre")} AS sum_products
    FROM (${perVisitor}) GROUP BY variation ORDER BY variation`;
}
