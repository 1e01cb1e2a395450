import { campaignKey, type Dimension, type Filter } from "../../model/dimensions.js";
import { ENGAGEMENT_MEASURES, type Fact } from "../../model/measures.js";
import type { Dialect } from "../dialect.js";
import type { MeasureQuery } from "../store.js";
import { SESSION_COLUMN_LIST, SESSION_COLUMNS } from "./session-columns.js";

/**
 * Where a store keeps what the compiler reads: a table name, or a subquery in parentheses with the
 * same columns (a store that derives sessions at query time, or keeps replaced rows as versions).
 */
export interface MeasureSources {
  /** Events with their session's dimensions (see duckdb/schema.ts `session_events`). */
  readonly sessionEvents: string;
  readonly costs: string;
  readonly email: string;
  readonly social: string;
  /** The orders statements, for a store whose SQL cannot run the default ones (window functions). */
  readonly orders?: (d: Dialect, query: MeasureQuery, sources: MeasureSources) => string[];
  /** A table of `ordersFirstSelect`'s rows (plus `workspace`), kept up to date for current settings. */
  readonly ordersFirst?: string;
  /** Only the engagement measures of events: a store answering the others from rollups asks for these. */
  readonly engagementOnly?: boolean;
  /**
   * Sessions summed per visitor, day and entry attributes (`SessionSums`): when given, the event
   * measures but engagement are sums over them. For queries grouped and filtered by session
   * dimensions only; the store asks for the engagement measures apart (`engagementOnly`).
   */
  readonly sessionSums?: SessionSums;
}

/**
 * A table with, per visitor, local day and session dimensions (`s_*`), `n_sessions`, `n_pageviews`,
 * `n_bounces`, `duration_us` (whole microseconds), `n_conversions` and `n_leads`; `where` chooses
 * the current rows.
 */
export interface SessionSums {
  readonly table: string;
  /** The visitor counted of a row, when not its `visitor_id` (a store mapping devices to persons at read time). */
  readonly visitor?: string;
  readonly where: readonly string[];
}

export const TABLE_SOURCES: MeasureSources = {
  sessionEvents: "session_events",
  costs: "ad_costs",
  email: "email_campaigns",
  social: "social_metrics",
};

/**
 * Compiles a measure query into SQL statements, one or two per fact table. Each statement returns
 * `period`, one column per group-by dimension (`d0`, `d1`…, `(none)` where the fact has no value)
 * and base measures as DOUBLE, so the caller can merge facts by (period, dims).
 */
export function measureStatements(
  d: Dialect,
  query: MeasureQuery,
  sources: MeasureSources = TABLE_SOURCES,
): Map<Fact, string[]> {
  const out = new Map<Fact, string[]>();
  // The totals: the same facts over one bucket, ungrouped. Scans that can, do both at once.
  const totals: MeasureQuery | null = query.totals
    ? { ...query, interval: null, buckets: [query.totals], groupBy: [], totals: undefined }
    : null;
  const markTotal = (sql: string) => `SELECT ${d.literal(true)} AS is_total, * FROM (${sql}) totals`;
  const both = (compile: (q: MeasureQuery, withTotals: boolean) => string): string[] => {
    if (totals === null) return [compile(query, false)];
    return d.totals === "separate"
      ? [compile(query, false), markTotal(compile(totals, false))]
      : [compile(query, true)];
  };
  const separately = (compile: (q: MeasureQuery) => string[]): string[] => [
    ...compile(query),
    ...(totals === null ? [] : compile(totals).map(markTotal)),
  ];
  for (const fact of query.facts) {
    switch (fact) {
      case "events":
        out.set(
          fact,
          both((q, t) =>
            sources.sessionSums && !sources.engagementOnly
              ? sessionSumsSql(d, q, sources.sessionSums, t)
              : eventsSql(d, q, sources.sessionEvents, t, sources.engagementOnly),
          ),
        );
        break;
      case "costs":
        out.set(
          fact,
          both((q, t) => costsSql(d, q, sources.costs, t)),
        );
        break;
      case "email":
        out.set(
          fact,
          both((q, t) => emailSql(d, q, sources.email, t)),
        );
        break;
      case "social":
        out.set(
          fact,
          separately((q) => [socialSql(d, q, sources.social)]),
        );
        break;
      case "orders":
        out.set(
          fact,
          separately((q) => (sources.orders ?? ordersSql)(d, q, sources)),
        );
        break;
      default: {
        const unknown: never = fact;
        throw new Error(`unknown fact ${String(unknown)}`);
      }
    }
  }
  return out;
}

/** How one fact table exposes a dimension: a SQL expression, or null when it has no such value. */
type DimensionColumns = (dimension: Dimension) => string | null;

const NONE_SQL = "'(none)'";

function dimensionSql(d: Dialect, columns: DimensionColumns, dimension: Dimension): string {
  const expr = columns(dimension);
  return expr === null ? NONE_SQL : `coalesce(${d.text(expr)}, ${NONE_SQL})`;
}

function filterSql(d: Dialect, columns: DimensionColumns, filters: readonly Filter[]): string[] {
  return filters.map((filter) => {
    const values = filter.values.map((v) =>
      filter.dimension.name === "campaign" && v !== "(none)" ? campaignKey(v) : v,
    );
    return `${dimensionSql(d, columns, filter.dimension)} IN (${values.map((v) => d.literal(v)).join(", ")})`;
  });
}

function groupColumns(d: Dialect, query: MeasureQuery, columns: DimensionColumns): string[] {
  return query.groupBy.map((dimension, i) => `${dimensionSql(d, columns, dimension)} AS d${i}`);
}

function periodSql(d: Dialect, query: MeasureQuery, date: string): string {
  return query.interval === null ? d.nullText : d.text(d.bucketStart(query.interval, date));
}

function rangeOf(query: MeasureQuery): { from: string; to: string } {
  const first = query.buckets[0];
  const last = query.buckets[query.buckets.length - 1];
  if (!first || !last) throw new Error("a measure query needs at least one bucket");
  return { from: first.from, to: last.to };
}

function aggregate(
  d: Dialect,
  query: MeasureQuery,
  table: string,
  dateColumn: string,
  columns: DimensionColumns,
  measures: readonly string[],
  withTotals = false,
  extraGroupBy: readonly string[] = [],
  extraWhere: readonly string[] = [],
): string {
  const { from, to } = rangeOf(query);
  const where = [
    `workspace = ${d.literal(query.workspace.name)}`,
    `${dateColumn} BETWEEN ${d.date(from)} AND ${d.date(to)}`,
    ...filterSql(d, columns, query.filters),
    ...extraWhere,
  ];
  const keyExprs = [
    periodSql(d, query, dateColumn),
    ...query.groupBy.map((dimension) => dimensionSql(d, columns, dimension)),
  ];
  const keys = keyExprs.map((expr, i) => `${expr} AS ${i === 0 ? "period" : `d${i - 1}`}`);
  if (withTotals && d.totals === "with-totals") {
    // One scan for rows and totals: the store reads the totals row beside the rows.
    return `SELECT ${[...keys, ...measures].join(",\n  ")}
FROM ${table} AS src
WHERE ${where.join("\n  AND ")}
GROUP BY ${keys.map((_, i) => (i === 0 ? "period" : `d${i - 1}`)).join(", ")} WITH TOTALS`;
  }
  if (withTotals) {
    // One scan for rows and totals: the empty grouping set is the whole selection.
    return `SELECT grouping(${keyExprs[0]}) = 1 AS is_total, ${[...keys, ...measures].join(",\n  ")}
FROM ${table} AS src
WHERE ${where.join("\n  AND ")}
GROUP BY GROUPING SETS ((${keyExprs.join(", ")}), ())`;
  }
  const groupBy = [...keys.map((_, i) => (i === 0 ? "period" : `d${i - 1}`)), ...extraGroupBy];
  return `SELECT ${[...keys, ...measures].join(",\n  ")}
FROM ${table} AS src
WHERE ${where.join("\n  AND ")}
GROUP BY ${groupBy.join(", ")}`;
}

const asDouble = (expr: string, alias: string) => `CAST(${expr} AS DOUBLE) AS ${alias}`;

function eventColumns(d: Dialect): DimensionColumns {
  return (dimension) => {
    switch (dimension.kind) {
      case "session":
        return SESSION_COLUMNS[dimension.name].column;
      case "property":
        return d.jsonText("properties", dimension.property);
      case "page":
        return "page";
      case "network":
      case "breakdown":
        return null;
      default: {
        const unknown: never = dimension;
        throw new Error(`unknown dimension ${JSON.stringify(unknown)}`);
      }
    }
  };
}

/** The condition for track events named one of `names` (conversions, leads). */
export function trackNameIn(d: Dialect, names: readonly string[]): string {
  return names.length === 0
    ? d.literal(false)
    : `type = 'track' AND name IN (${names.map((n) => d.literal(n)).join(", ")})`;
}

/**
 * The event measures. The engagement ones (time on page, scroll depth) only when asked for, and
 * with `engagementOnly` nothing else: a store answering the others from rollups asks for just them.
 */
function eventsSql(
  d: Dialect,
  query: MeasureQuery,
  source: string,
  withTotals: boolean,
  engagementOnly = false,
): string {
  const { conversion_events, lead_events } = query.workspace.settings;
  const nameIn = (names: readonly string[]) => trackNameIn(d, names);
  const conversion = nameIn(conversion_events);
  const engaged = "type = 'page' AND engaged_seconds IS NOT NULL";
  const standard = engagementOnly
    ? []
    : [
        asDouble(d.countDistinct("visitor_id"), "visitors"),
        asDouble(d.countIf("session_start"), "sessions"),
        asDouble(d.countIf("type = 'page'"), "pageviews"),
        asDouble(d.countIf("session_start AND session_bounce"), "bounces"),
        asDouble(d.sumIf("session_seconds", "session_start"), "duration_sum"),
        asDouble(d.countIf(conversion), "conversions"),
        asDouble(d.countDistinct("visitor_id", conversion), "converted_visitors"),
        asDouble(d.countIf(nameIn(lead_events)), "leads"),
      ];
  const engagement = query.measures.some((m) => ENGAGEMENT_MEASURES.has(m))
    ? [
        asDouble(d.countIf(engaged), "engaged_pageviews"),
        asDouble(d.sumIf("engaged_seconds", engaged), "engaged_seconds_sum"),
        asDouble(d.sumIf("scroll_depth", engaged), "scroll_depth_sum"),
      ]
    : [];
  // By page, only page views count (docs/concepts.md#kpis: the visitors of a page are those who viewed it).
  const byPage = [...query.groupBy, ...query.filters.map((f) => f.dimension)].some(
    (dim) => dim.kind === "page",
  );
  return aggregate(
    d,
    query,
    source,
    "local_date",
    eventColumns(d),
    [...standard, ...engagement],
    withTotals,
    [],
    [...(byPage ? ["type = 'page'"] : [])],
  );
}

/** Whether a query is grouped and filtered by session dimensions only: what session sums can answer. */
export function bySessionDimensionsOnly(query: MeasureQuery): boolean {
  return [...query.groupBy, ...query.filters.map((f) => f.dimension)].every((dim) => dim.kind === "session");
}

/** The event measures but engagement from session sums: the same numbers as `eventsSql`'s. */
function sessionSumsSql(d: Dialect, query: MeasureQuery, sums: SessionSums, withTotals: boolean): string {
  if (!bySessionDimensionsOnly(query))
    throw new Error("session sums answer queries grouped and filtered by session dimensions only");
  // Columns are named apart from the measures: in ClickHouse an alias would replace a column of its name.
  const sum = (measure: string) => asDouble(`sum(n_${measure})`, measure);
  const visitor = sums.visitor ?? "visitor_id";
  return aggregate(
    d,
    query,
    sums.table,
    "local_date",
    eventColumns(d),
    [
      asDouble(d.countDistinct(visitor), "visitors"),
      sum("sessions"),
      sum("pageviews"),
      sum("bounces"),
      // Whole microseconds add up exactly, in any order.
      `CAST(sum(duration_us) / 1000000 AS DOUBLE) AS duration_sum`,
      sum("conversions"),
      asDouble(d.countDistinct(visitor, "n_conversions > 0"), "converted_visitors"),
      sum("leads"),
    ],
    withTotals,
    [],
    sums.where,
  );
}

function costsSql(d: Dialect, query: MeasureQuery, source: string, withTotals: boolean): string {
  const columns: DimensionColumns = (dimension) => {
    if (dimension.kind === "breakdown") return d.jsonText("breakdown", dimension.name);
    if (dimension.kind === "session" && dimension.name === "campaign") return "campaign_key";
    if (dimension.kind === "session" && dimension.name === "channel") return "channel";
    return null;
  };
  return aggregate(
    d,
    query,
    source,
    "date",
    columns,
    [
      asDouble(d.exactSum("spend"), "spend"),
      asDouble(d.exactSum("impressions"), "impressions"),
      asDouble(d.exactSum("clicks"), "clicks"),
      asDouble(d.exactSum("conversions"), "ad_conversions"),
    ],
    withTotals,
  );
}

function emailSql(d: Dialect, query: MeasureQuery, source: string, withTotals: boolean): string {
  const columns: DimensionColumns = (dimension) => {
    if (dimension.kind === "session" && dimension.name === "campaign") return "campaign_key";
    if (dimension.kind === "session" && dimension.name === "channel") return "'email'";
    return null;
  };
  return aggregate(
    d,
    query,
    source,
    "date",
    columns,
    [
      asDouble(d.exactSum("sent"), "emails_sent"),
      asDouble(d.exactSum("delivered"), "emails_delivered"),
      asDouble(d.exactSum("opens"), "email_opens"),
      asDouble(d.exactSum("clicks"), "email_clicks"),
      asDouble(d.exactSum("unsubscribes"), "unsubscribes"),
      asDouble(d.exactSum("bounces"), "email_bounces"),
    ],
    withTotals,
  );
}

function socialColumns(dimension: Dimension): string | null {
  if (dimension.kind === "network") return "network";
  if (dimension.kind === "session" && dimension.name === "channel") return "'social'";
  return null;
}

/** Social sums, and followers: the last value in the bucket per network, summed over networks. */
function socialSql(d: Dialect, query: MeasureQuery, source: string): string {
  const perNetwork = aggregate(
    d,
    query,
    source,
    "date",
    socialColumns,
    [
      "network AS net",
      asDouble(d.exactSum("posts"), "posts"),
      asDouble(d.exactSum("reach"), "social_reach"),
      asDouble(d.exactSum("impressions"), "social_impressions"),
      asDouble(d.exactSum("interactions"), "social_interactions"),
      asDouble(d.exactSum("mentions"), "mentions"),
      `${d.argMaxIf("followers", "date", "followers IS NOT NULL")} AS followers`,
    ],
    false,
    ["network"],
  );
  const keys = ["period", ...query.groupBy.map((_, i) => `d${i}`)];
  return `SELECT ${keys.join(", ")},
  CAST(${d.exactSum("posts")} AS DOUBLE) AS posts, CAST(${d.exactSum("social_reach")} AS DOUBLE) AS social_reach,
  CAST(${d.exactSum("social_impressions")} AS DOUBLE) AS social_impressions,
  CAST(${d.exactSum("social_interactions")} AS DOUBLE) AS social_interactions,
  CAST(${d.exactSum("mentions")} AS DOUBLE) AS mentions,
  CASE WHEN count(followers) = 0 THEN NULL ELSE CAST(${d.exactSum("followers")} AS DOUBLE) END AS followers
FROM (${perNetwork}) per_network
GROUP BY ${keys.join(", ")}`;
}

/**
 * Orders from imported orders and `Order Completed` events, de-duplicated by order id (an imported
 * row wins), attributed to sessions when a session dimension is grouped or filtered on (docs/concepts.md#attribution),
 * then measured per bucket; retention compares each bucket with the equal-length range before it.
 */
function ordersSql(d: Dialect, query: MeasureQuery, sources: MeasureSources): string[] {
  const ws = d.literal(query.workspace.name);
  const settings = query.workspace.settings;
  const used = [...query.groupBy, ...query.filters.map((f) => f.dimension)];
  const attribute = used.some((dim) => dim.kind === "session");
  const requireCampaign = used.some((dim) => dim.kind === "session" && dim.name === "campaign");

  const base = sources.ordersFirst
    ? `orders_first AS (SELECT * EXCLUDE (workspace) FROM ${sources.ordersFirst} WHERE workspace = ${ws})`
    : ordersFirstCtes(d, query.workspace);

  // An order with its own campaign keeps it, and no other session dimension.
  const attributedDims = SESSION_COLUMN_LIST.map(({ column }) =>
    column === SESSION_COLUMNS.campaign.column
      ? `CASE WHEN o.own_campaign IS NOT NULL THEN o.own_campaign ELSE t.${column} END AS ${column}`
      : `CASE WHEN o.own_campaign IS NOT NULL THEN NULL ELSE t.${column} END AS ${column}`,
  );
  const order = settings.attribution === "first_touch" ? "s_ts ASC, visitor_id" : "s_ts DESC, visitor_id";
  const chosen =
    settings.attribution === "linear"
      ? "SELECT *, 1.0 / count(*) OVER (PARTITION BY order_id) AS weight FROM touches"
      : `SELECT *, 1.0 AS weight FROM touches QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY ${order}) = 1`;
  const attribution = attribute
    ? `,
  -- An order's persons: its customer's and its visitor's (both resolved in orders_first), whose
  -- sessions on every device are its touches (docs/concepts.md, "Persons").
  order_identities AS (
    SELECT order_id, customer_id AS visitor_id FROM orders_first WHERE own_campaign IS NULL
    UNION
    SELECT order_id, visitor_id FROM orders_first WHERE own_campaign IS NULL AND visitor_id IS NOT NULL
  ),
  -- Each order's visitors first, so that sessions join them on visitor_id with the window as a
  -- residual: joined on the window alone first, every order meets every session of 30 days.
  order_visitors AS (
    SELECT DISTINCT o.order_id, o.ts AS o_ts, k.visitor_id
    FROM orders_first o
    JOIN order_identities k ON k.order_id = o.order_id
  ),
  touches AS (
    SELECT DISTINCT v.order_id, s.visitor_id, s.ts AS s_ts, ${SESSION_COLUMN_LIST.map(({ column }) => `s.${column}`).join(", ")}
    FROM order_visitors v
    JOIN session_events s ON s.workspace = ${ws} AND s.session_start AND s.visitor_id = v.visitor_id
    WHERE s.ts <= v.o_ts AND s.ts >= v.o_ts - INTERVAL ${settings.attribution_window_days} DAY
      ${requireCampaign ? "AND s.s_campaign IS NOT NULL" : ""}
  ),
  chosen AS (${chosen}),
  attributed AS (
    SELECT o.customer_id, o.revenue, o.local_date, o.is_first, coalesce(t.weight, 1.0) AS weight, ${attributedDims.join(", ")}
    FROM orders_first o LEFT JOIN chosen t ON t.order_id = o.order_id
  )`
    : `,
  attributed AS (
    SELECT customer_id, revenue, local_date, is_first, 1.0 AS weight,
      ${SESSION_COLUMN_LIST.map(({ column }) => `CAST(NULL AS VARCHAR) AS ${column}`).join(", ")}
    FROM orders_first
  )`;

  const columns: DimensionColumns = (dimension) =>
    dimension.kind === "session" ? SESSION_COLUMNS[dimension.name].column : null;
  const dims = groupColumns(d, query, columns);
  const filters = filterSql(d, columns, query.filters);
  const buckets = query.buckets
    .map(
      (b) =>
        `(${b.label === null ? "CAST(NULL AS VARCHAR)" : d.literal(b.label)}, ${d.date(b.from)}, ${d.date(b.to)}, ${d.date(b.previousFrom)}, ${d.date(b.previousTo)})`,
    )
    .join(", ");
  const inBucket = (from: string, to: string) =>
    `SELECT b.period, ${[...dims, "a.*"].join(", ")}
    FROM attributed a JOIN buckets b ON a.local_date BETWEEN b.${from} AND b.${to}
    ${filters.length ? `WHERE ${filters.join(" AND ")}` : ""}`;
  const keys = ["period", ...query.groupBy.map((_, i) => `d${i}`)];
  const keyList = keys.join(", ");
  const groupBy = keys.map((_, i) => String(i + 1)).join(", ");
  const withClause = `WITH ${base}${attribution},
  buckets(period, b_from, b_to, p_from, p_to) AS (VALUES ${buckets}),
  current_orders AS (${inBucket("b_from", "b_to")}),
  previous_orders AS (${inBucket("p_from", "p_to")})`;

  const main = `${withClause}
SELECT ${keyList},
  CAST(${d.exactSum("weight")} AS DOUBLE) AS orders,
  CAST(${d.exactSum("revenue * weight")} AS DOUBLE) AS revenue,
  CAST(count(DISTINCT customer_id) AS DOUBLE) AS customers,
  CAST(${d.sumIf("weight", "is_first")} AS DOUBLE) AS new_customers
FROM current_orders GROUP BY ${groupBy}`;
  const on = keys.map((k) => `c.${k} IS NOT DISTINCT FROM p.${k}`).join(" AND ");
  const retention = `${withClause}
SELECT ${keys.map((k) => `p.${k}`).join(", ")},
  CAST(count(DISTINCT p.customer_id) AS DOUBLE) AS prior_customers,
  CAST(count(DISTINCT c.customer_id) AS DOUBLE) AS retained_customers
FROM (SELECT DISTINCT ${keyList}, customer_id FROM previous_orders) p
LEFT JOIN (SELECT DISTINCT ${keyList}, customer_id FROM current_orders) c ON ${on} AND c.customer_id = p.customer_id
GROUP BY ${groupBy}`;
  // Retention needs a second pass over the range before each bucket: only when it is asked for.
  const needsRetention = query.measures.some((m) => m === "retained_customers" || m === "prior_customers");
  return needsRetention ? [main, retention] : [main];
}

/**
 * Every order of a workspace once (imported orders, then `Order Completed` events; an imported row
 * wins), with its local date and whether it is its customer's first: the `orders_first` CTE.
 */
function ordersFirstCtes(d: Dialect, workspace: MeasureQuery["workspace"]): string {
  const ws = d.literal(workspace.name);
  const settings = workspace.settings;
  // The customer is a person (session_events' visitor_id, identities in identity_persons): an
  // imported order's is its customer id's (a user id names its person); its visitor's person is
  // credited with the order's touches.
  const person = (alias: string, id: string) =>
    `LEFT JOIN identity_persons ${alias} ON ${alias}.workspace = ${ws} AND ${alias}.id = o.${id}`;
  return `orders_all AS (
    SELECT o.order_id, o.ts, coalesce(pc.person_id, o.customer_id) AS customer_id, o.revenue,
      o.campaign_key AS own_campaign, coalesce(pv.person_id, o.visitor_id) AS visitor_id, 0 AS src, 0 AS seq
    FROM orders o ${person("pv", "visitor_id")} ${person("pc", "customer_id")} WHERE o.workspace = ${ws}
    UNION ALL
    SELECT coalesce(order_id, 'event:' || CAST(seq AS VARCHAR)), ts, visitor_id, coalesce(revenue, 0),
      NULL, visitor_id, 1, seq
    FROM session_events WHERE workspace = ${ws} AND type = 'track' AND name = 'Order Completed'
  ),
  orders_unique AS (
    SELECT * FROM orders_all QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY src, ts, seq) = 1
  ),
  orders_first AS (
    SELECT *, ${d.localDate("ts", settings.timezone)} AS local_date,
      row_number() OVER (PARTITION BY customer_id ORDER BY ts, order_id) = 1 AS is_first
    FROM orders_unique
  )`;
}

/** The rows of `orders_first` for a workspace, for a store that keeps them in a table. */
export function ordersFirstSelect(d: Dialect, workspace: MeasureQuery["workspace"]): string {
  return `WITH ${ordersFirstCtes(d, workspace)} SELECT * FROM orders_first`;
}
