import { metricEventSql } from "../sql/metric-event.js";
import type { MetricSource, MetricSumsQuery } from "../store.js";
import { duckdbDialect as d } from "./dialect.js";
import { byPerson, duckdbFirstExposuresSql } from "./exposures-sql.js";
import { deviceSql } from "./identities.js";

/**
 * The rows a metric adds up, `(visitor_id, ts, value)` with the visitor its person (a person's
 * devices all count for it): one per event (value 1, or the event's numeric property, 0 when it is
 * missing or not a number), or one per order id.
 */
function metricRows(ws: string, metric: MetricSource): string {
  return byPerson(ws, deviceRows(ws, metric));
}

/** The rows of metricRows by the device (or the order's visitor) they come from. */
function deviceRows(ws: string, metric: MetricSource): string {
  switch (metric.kind) {
    case "conversion":
    case "count":
      return `SELECT ${deviceSql()} AS device, ts, 1.0 AS value FROM events WHERE workspace = ${ws} AND ${metricEventSql(d, metric.event)}`;
    case "sum": {
      const property = `TRY_CAST(${d.jsonText("properties", metric.property)} AS DOUBLE)`;
      // The revenue of a Segment event is also kept in its own column (ingest/segment/to-record.ts).
      const value =
        metric.property === "revenue" ? `coalesce(${property}, revenue, 0)` : `coalesce(${property}, 0)`;
      return `SELECT ${deviceSql()} AS device, ts, ${value} AS value FROM events WHERE workspace = ${ws} AND ${metricEventSql(d, metric.event)}`;
    }
    case "revenue":
    case "orders":
      return `SELECT device, ts, ${metric.kind === "revenue" ? "revenue" : "1.0"} AS value FROM (
          SELECT order_id, visitor_id AS device, ts, revenue, 0 AS src, 0 AS seq FROM orders
          WHERE workspace = ${ws} AND visitor_id IS NOT NULL
          UNION ALL
          SELECT coalesce(order_id, 'event:' || CAST(seq AS VARCHAR)), ${deviceSql()}, ts, coalesce(revenue, 0), 1, seq
          FROM events WHERE workspace = ${ws} AND type = 'track' AND name = 'Order Completed'
        ) QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY src, ts, seq) = 1`;
    default: {
      const unknown: never = metric;
      throw new Error(`unknown metric ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * n, Σ, Σ² per variation of one metric, and with a lookback the pre-exposure Σ, Σ² and Σ post·pre
 * (gbstats' sufficient statistics): each first-exposed visitor's value after the exposure within
 * the dates (a conversion counts once), and over the lookback days just before it, dates aside.
 */
export function duckdbMetricSumsSql(q: MetricSumsQuery): string {
  const ws = d.literal(q.workspace.name);
  const local = d.localDate("m.ts", q.workspace.settings.timezone);
  const within = [
    ...(q.from ? [` AND ${local} >= ${d.date(q.from)}`] : []),
    ...(q.to ? [` AND ${local} <= ${d.date(q.to)}`] : []),
  ].join("");
  const once = (sum: string) => (q.metric.kind === "conversion" ? `least(1, ${sum})` : sum);
  const post = once(`coalesce(sum(m.value) FILTER (WHERE m.ts > e.first_ts${within}), 0)`);
  const pre =
    q.lookbackDays === null
      ? "0.0"
      : once(
          `coalesce(sum(m.value) FILTER (WHERE m.ts < e.first_ts AND m.ts >= e.first_ts - INTERVAL (${d.literal(q.lookbackDays)}) DAY), 0)`,
        );
  return `WITH exposed AS (${duckdbFirstExposuresSql(q)}),
    per_visitor AS (
      SELECT e.variation, CAST(${post} AS DOUBLE) AS post, CAST(${pre} AS DOUBLE) AS pre
      FROM exposed e LEFT JOIN (${metricRows(ws, q.metric)}) m ON m.visitor_id = e.visitor_id
      GROUP BY e.visitor_id, e.variation
    )
    SELECT variation, count(*) AS n, ${d.exactSum("post")} AS sum, ${d.exactSum("post * post")} AS sum_squares,
      ${d.exactSum("pre")} AS pre_sum, ${d.exactSum("pre * pre")} AS pre_sum_squares,
      ${d.exactSum("post * pre")} AS sum_products
    FROM per_visitor GROUP BY variation ORDER BY variation`;
}
