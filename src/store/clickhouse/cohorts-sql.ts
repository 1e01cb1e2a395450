import { SESSION_EVENT_TYPES } from "../sql/session-columns.js";
import type { CohortQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { type OrdersSources, ordersFirstSql } from "./orders-sql.js";

/** The figures of duckdb/cohorts-sql.ts in ClickHouse 18.16's SQL: subqueries, one JOIN per SELECT. */
export function clickhouseCohortsSql(q: CohortQuery, sources: OrdersSources): string {
  const ws = d.literal(q.workspace.name);
  const interval = q.by === "first_order_month" ? "month" : "week";
  const orders = `(${ordersFirstSql(q.workspace, sources)})`;
  const acts =
    q.by === "first_order_month"
      ? `SELECT customer_id AS entity, local_date, toUInt8(1) AS visit, toFloat64(revenue) AS revenue, toUInt64(1) AS orders
         FROM ${orders}`
      : `SELECT visitor_id AS entity, ${d.localDate("ts", q.workspace.settings.timezone)} AS local_date, toUInt8(1) AS visit,
           toFloat64(0) AS revenue, toUInt64(0) AS orders
         FROM ${sources.events} WHERE workspace = ${ws} AND type IN (${SESSION_EVENT_TYPES.map((t) => d.literal(t)).join(", ")})
         UNION ALL
         SELECT assumeNotNull(visitor_id) AS entity, local_date, toUInt8(0) AS visit, toFloat64(revenue) AS revenue,
           toUInt64(1) AS orders
         FROM ${orders} WHERE isNotNull(visitor_id)`;
  const firsts = `SELECT entity, min(local_date) AS first_date FROM (${acts}) WHERE visit = 1 GROUP BY entity`;
  return `SELECT toString(${d.bucketStart(interval, "first_date")}) AS cohort,
      toString(${d.bucketStart(interval, "local_date")}) AS period,
      uniqExactIf(entity, visit = 1) AS active, ${d.exactSum("revenue")} AS revenue, sum(orders) AS orders
    FROM (${acts}) ALL INNER JOIN (${firsts}) USING (entity)
    WHERE local_date >= first_date AND local_date <= ${d.date(q.to)}
      AND first_date >= ${d.date(q.from)} AND first_date <= ${d.date(q.to)}
    GROUP BY cohort, period ORDER BY cohort, period`;
}
