import { ordersFirstSelect } from "../sql/measure-sql.js";
import { SESSION_EVENT_TYPES } from "../sql/session-columns.js";
import type { CohortQuery } from "../store.js";
import { duckdbDialect as d } from "./dialect.js";

/**
 * Cohort × period activity (docs/cohorts.md). Every order once (imported orders and `Order
 * Completed` events, as the revenue KPI counts them); a customer's cohort is the month of their
 * first order, a visitor's the ISO week of their first page, track or screen event. Members are
 * active in a period when they order (customers) or visit (visitors) in it; revenue and orders
 * are their orders' in the period. A cohort starts within the dates; activity counts up to `to`.
 */
export function duckdbCohortsSql(q: CohortQuery): string {
  const ws = d.literal(q.workspace.name);
  const interval = q.by === "first_order_month" ? "month" : "week";
  const acts =
    q.by === "first_order_month"
      ? "SELECT customer_id AS entity, local_date, TRUE AS visit, revenue, 1 AS orders FROM o"
      : `SELECT visitor_id AS entity, ${d.localDate("ts", q.workspace.settings.timezone)} AS local_date, TRUE AS visit,
           0.0 AS revenue, 0 AS orders
         FROM events WHERE workspace = ${ws} AND type IN (${SESSION_EVENT_TYPES.map((t) => d.literal(t)).join(", ")})
         UNION ALL
         SELECT visitor_id, local_date, FALSE, revenue, 1 FROM o WHERE visitor_id IS NOT NULL`;
  return `WITH o AS (${ordersFirstSelect(d, q.workspace)}),
    acts AS (${acts}),
    firsts AS (SELECT entity, min(local_date) AS first_date FROM acts WHERE visit GROUP BY entity)
    SELECT CAST(${d.bucketStart(interval, "f.first_date")} AS VARCHAR) AS cohort,
      CAST(${d.bucketStart(interval, "a.local_date")} AS VARCHAR) AS period,
      count(DISTINCT a.entity) FILTER (WHERE a.visit) AS active,
      ${d.exactSum("a.revenue")} AS revenue, ${d.exactSum("a.orders")} AS orders
    FROM acts a JOIN firsts f ON f.entity = a.entity
    WHERE a.local_date >= f.first_date AND a.local_date <= ${d.date(q.to)}
      AND f.first_date >= ${d.date(q.from)} AND f.first_date <= ${d.date(q.to)}
    GROUP BY 1, 2 ORDER BY 1, 2`;
}
