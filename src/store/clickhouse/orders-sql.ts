import type { Dimension, Filter } from "../../model/dimensions.js";
import { campaignKey } from "../../model/dimensions.js";
import { SESSION_COLUMNS } from "../sql/session-columns.js";
import type { MeasureQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { DEVICE, nullablePersonOf, type PersonMap, personOf } from "./persons-sql.js";
import { sessionEventsSubquery, sessionNeeds } from "./session-sql.js";

/** Where the orders statements read: current orders rows, raw events, and the visitor range for sessions. */
export interface OrdersSources {
  /** Orders of the workspace, newest version of each id (a subquery). */
  readonly orders: string;
  /** The events table (Distributed on a cluster). */
  readonly events: string;
  /** `ordersFirstSql`'s rows kept for the workspace's current settings (a subquery), if any. */
  readonly ordersFirst?: string;
  /**
   * The sessions kept for the workspace's current settings (session-sums-sql.ts
   * `sessionStartsSource`), if any: given the days they start on, a subquery of `person`,
   * `s_ts` and the session dimensions. Without it sessions are derived from events.
   */
  readonly sessionStarts?: (from: string, to: string) => string;
  /** The persons of linked ids (persons-sql.ts): customers and touches are persons. */
  readonly persons: PersonMap;
}

const NONE = "'(none)'";
const DAY_US = 86_400_000_000;

/**
 * The orders measures of `store/sql/measure-sql.ts` (`ordersSql`) in the SQL ClickHouse 18.16
 * runs: one JOIN per SELECT, no window functions (`LIMIT 1 BY` and sorted arrays instead), no
 * common table expressions (shared parts are repeated as subqueries). Same rules, same numbers:
 * orders from imports and `Order Completed` events, de-duplicated by order id (an imported row
 * wins), attributed to sessions when a session dimension is grouped or filtered on, retention
 * against the equal-length range before each bucket.
 */
export function clickhouseOrdersSql(query: MeasureQuery, sources: OrdersSources): string[] {
  const settings = query.workspace.settings;
  const used = [...query.groupBy, ...query.filters.map((f) => f.dimension)];
  const attribute = used.some((dim) => dim.kind === "session");
  const requireCampaign = used.some((dim) => dim.kind === "session" && dim.name === "campaign");
  // Only the session dimensions the query groups or filters on are carried.
  const needs = sessionNeeds(query);
  const sessionColumns = needs.dimensions.map((name) => SESSION_COLUMNS[name]);
  const sessionCols = sessionColumns.map(({ column }) => column);
  const listed = (columns: readonly string[]) => columns.map((c) => `, ${c}`).join("");

  const ordersFirst = sources.ordersFirst ?? `(${ordersFirstSql(query.workspace, sources)})`;

  let attributed: string;
  if (attribute) {
    const earliest = query.buckets.map((b) => b.previousFrom).sort()[0] ?? query.buckets[0]?.from ?? "";
    const from = shiftDays(earliest, -settings.attribution_window_days - 1);
    const to = query.buckets[query.buckets.length - 1]?.to ?? earliest;
    // An order's persons: its customer's and its visitor's (both resolved in ordersFirstSql), whose
    // sessions on every device are its touches (docs/concepts.md, "Persons").
    const orderVisitors = `SELECT DISTINCT order_id, ts_us AS o_ts, assumeNotNull(known) AS person
      FROM ${ordersFirst} ARRAY JOIN [toNullable(customer_id), visitor_id] AS known
      WHERE own_campaign IS NULL AND known IS NOT NULL`;
    const starts = sources.sessionStarts
      ? `SELECT person, s_ts${listed(sessionCols)} FROM ${sources.sessionStarts(from, to)}`
      : `SELECT visitor_id AS person, ts_us AS s_ts${listed(sessionCols)} FROM ${sessionEventsSubquery(
          sources.events,
          query.workspace,
          { from, to },
          { dimensions: needs.dimensions, properties: [], page: false, engagement: false },
          sources.persons,
        )} WHERE session_start = 1`;
    const window = settings.attribution_window_days * DAY_US;
    const touches = `SELECT DISTINCT order_id, person, s_ts${listed(sessionCols)}
      FROM (${orderVisitors}) ALL INNER JOIN (${starts}) USING person
      WHERE s_ts <= o_ts AND s_ts >= o_ts - ${window} ${requireCampaign ? "AND s_campaign IS NOT NULL" : ""}`;
    const chosen =
      settings.attribution === "linear"
        ? `SELECT order_id${listed(sessionCols)}, 1.0 / n AS weight, toUInt8(1) AS matched FROM (${touches})
           ALL INNER JOIN (SELECT order_id, count() AS n FROM (${touches}) GROUP BY order_id) USING order_id`
        : `SELECT order_id${listed(sessionCols)}, 1.0 AS weight, toUInt8(1) AS matched FROM (${touches})
           ORDER BY order_id, s_ts ${settings.attribution === "first_touch" ? "ASC" : "DESC"}, person LIMIT 1 BY order_id`;
    // An order with its own campaign keeps it, and no other session dimension.
    const dims = sessionColumns.map(({ column }) =>
      column === SESSION_COLUMNS.campaign.column
        ? `if(own_campaign IS NOT NULL, own_campaign, ${column}) AS a_${column}`
        : `if(own_campaign IS NOT NULL, CAST(NULL AS Nullable(String)), ${column}) AS a_${column}`,
    );
    attributed = `SELECT customer_id, revenue, local_date, is_first, if(matched = 1, weight, 1.0) AS a_weight${listed(dims)}
      FROM ${ordersFirst} ALL LEFT JOIN (${chosen}) USING order_id`;
  } else {
    attributed = `SELECT customer_id, revenue, local_date, is_first, 1.0 AS a_weight${listed(
      sessionCols.map((column) => `CAST(NULL AS Nullable(String)) AS a_${column}`),
    )}
      FROM ${ordersFirst}`;
  }

  const dimension = (dim: Dimension) =>
    dim.kind === "session" ? `coalesce(a_${SESSION_COLUMNS[dim.name].column}, ${NONE})` : NONE;
  const keys = ["bucket", ...query.groupBy.map((_, i) => `d${i}`)];
  const dimSelect = query.groupBy.map((dim, i) => `${dimension(dim)} AS d${i}`);
  const filters = query.filters.map((filter: Filter) => {
    const values = filter.values.map((v) =>
      filter.dimension.name === "campaign" && v !== "(none)" ? campaignKey(v) : v,
    );
    return `${dimension(filter.dimension)} IN (${values.map((v) => d.literal(v)).join(", ")})`;
  });
  // Buckets as an array of (label, from, to, previous from, previous to); '' labels the totals.
  const buckets = `[${query.buckets
    .map(
      (b) =>
        `tuple(${d.literal(b.label ?? "")}, ${d.date(b.from)}, ${d.date(b.to)}, ${d.date(b.previousFrom)}, ${d.date(b.previousTo)})`,
    )
    .join(", ")}]`;
  const inBucket = (from: number, to: number) => `
    SELECT b.1 AS bucket, ${[...dimSelect, "customer_id", "revenue", "a_weight", "is_first"].join(", ")}
    FROM (${attributed}) ARRAY JOIN ${buckets} AS b
    WHERE local_date BETWEEN b.${from} AND b.${to} ${filters.length ? `AND ${filters.join(" AND ")}` : ""}`;
  const period = "if(bucket = '', CAST(NULL AS Nullable(String)), toNullable(bucket)) AS period";
  const others = keys.slice(1);

  const main = `SELECT ${[period, ...others].join(", ")},
  CAST(${d.exactSum("a_weight")} AS Float64) AS orders,
  CAST(${d.exactSum("revenue * a_weight")} AS Float64) AS revenue,
  CAST(uniqExact(customer_id) AS Float64) AS customers,
  CAST(${d.sumIf("a_weight", "is_first = 1")} AS Float64) AS new_customers
FROM (${inBucket(2, 3)}) GROUP BY ${keys.join(", ")}`;
  const retention = `SELECT ${[period, ...others].join(", ")},
  CAST(uniqExact(customer_id) AS Float64) AS prior_customers,
  CAST(uniqExactIf(customer_id, hit = 1) AS Float64) AS retained_customers
FROM (SELECT DISTINCT ${keys.join(", ")}, customer_id FROM (${inBucket(4, 5)}))
ALL LEFT JOIN (SELECT DISTINCT ${keys.join(", ")}, customer_id, toUInt8(1) AS hit FROM (${inBucket(2, 3)}))
USING ${keys.join(", ")}, customer_id
GROUP BY ${keys.join(", ")}`;
  const needsRetention = query.measures.some((m) => m === "retained_customers" || m === "prior_customers");
  return needsRetention ? [main, retention] : [main];
}

/**
 * Every order of a workspace once (imported orders, then `Order Completed` events; an imported row
 * wins), with its local date and whether it is its customer's first (by time, then order id).
 */
export function ordersFirstSql(workspace: MeasureQuery["workspace"], sources: OrdersSources): string {
  const ws = d.literal(workspace.name);
  const settings = workspace.settings;
  const ordersAll = `
    SELECT order_id, ts_us, ${personOf(sources.persons, "customer_id")} AS customer_id, revenue, campaign_key AS own_campaign,
      ${nullablePersonOf(sources.persons, "visitor_id")} AS visitor_id, toUInt8(0) AS src, toUInt64(0) AS seq
    FROM ${sources.orders}
    UNION ALL
    SELECT ifNull(order_id, concat('event:', dedup_key)) AS order_id, ts_us, person AS customer_id,
      ifNull(revenue, 0) AS revenue, CAST(NULL AS Nullable(String)) AS own_campaign,
      toNullable(person) AS visitor_id, toUInt8(1) AS src, seq
    FROM (
      SELECT order_id, dedup_key, ts_us, revenue, seq, ${personOf(sources.persons, DEVICE)} AS person
      FROM ${sources.events} WHERE workspace = ${ws} AND type = 'track' AND name = 'Order Completed'
    )`;
  const ordersUnique = `SELECT * FROM (${ordersAll}) ORDER BY order_id, src, ts_us, seq LIMIT 1 BY order_id`;
  const localDate = d.localDate("toDateTime(intDiv(ts_us, 1000000), 'UTC')", settings.timezone);
  // The first order of each customer, by time then order id.
  return `
    SELECT order_id, ts_us, customer_id, revenue, own_campaign, visitor_id, ${localDate} AS local_date,
      toUInt8(order_id = first_order) AS is_first
    FROM (${ordersUnique})
    ALL INNER JOIN (
      SELECT customer_id, arraySort(groupArray((ts_us, order_id)))[1].2 AS first_order
      FROM (${ordersUnique}) GROUP BY customer_id
    ) USING customer_id`;
}

function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
