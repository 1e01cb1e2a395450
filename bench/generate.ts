import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KIND_SPECS } from "../src/model/import-kinds.js";
import { fmtInt, fmtMs, lit, log, RawDuckdb, timed } from "./util.js";

/**
 * Synthetic data for the benchmark, written by DuckDB's COPY (a few seconds for 10M events).
 * Deterministic: every random draw is a hash of (seed, row, purpose), so the same parameters give
 * the same files, which are reused across runs.
 */

/** Bump when the shape of the generated data changes, so old files are regenerated. */
const GENERATOR_VERSION = 3;

/** The columns of a typical analytics export (no utm_content, utm_term, currency or properties). */
export const NARROW_EVENT_COLUMNS = [
  "timestamp",
  "event",
  "type",
  "visitor_id",
  "user_id",
  "url",
  "referrer",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "revenue",
  "order_id",
  "message_id",
];

/** The events columns of docs/importing.md#columns that the benchmark fills, in file order. */
const EVENT_COLUMNS = [
  "timestamp",
  "event",
  "type",
  "visitor_id",
  "user_id",
  "url",
  "referrer",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_content",
  "utm_term",
  "revenue",
  "currency",
  "order_id",
  "properties",
  "message_id",
];

/**
 * Every other optional column the importer knows is written too, empty, so the file has the full
 * width of a real export (an events file with only some optional columns imports as well: the
 * benchmark's narrow probe checks that on every run).
 */
export function eventFileColumns(): string[] {
  const known = KIND_SPECS.events.columns.map((c) => c.name);
  return [...EVENT_COLUMNS, ...known.filter((c) => !EVENT_COLUMNS.includes(c))];
}

export const RANGE = { from: "2026-01-01", to: "2026-03-31", days: 90 } as const;

export interface DataSpec {
  readonly version: number;
  readonly events: number;
  readonly seed: number;
  readonly from: string;
  readonly days: number;
  readonly eventColumns: readonly string[];
}

export interface DataFiles {
  readonly label: string;
  readonly spec: DataSpec;
  readonly events: string;
  readonly costs: string;
  readonly orders: string;
  /** Rows of each file (without header). */
  readonly rows: { events: number; costs: number; orders: number };
  readonly bytes: { events: number; costs: number; orders: number };
}

/** Paid campaigns as ad platforms name them (costs); the site's UTM tags use lower case. */
const CAMPAIGNS = [
  "Spring_Sale",
  "Brand_Search",
  "Generic_Search",
  "Retargeting_EU",
  "Competitor_Terms",
  "Shopping_All",
  "FB_Prospecting",
  "FB_Lookalike",
  "IG_Stories",
  "LinkedIn_B2B",
  "Display_Remarketing",
  "Video_Awareness",
];

const PATHS = [
  "/",
  "/pricing",
  "/features",
  "/blog/how-to-measure-roas",
  "/blog/utm-guide",
  "/blog/seo-basics",
  "/product/basic",
  "/product/pro",
  "/product/enterprise",
  "/customers",
  "/about",
  "/contact",
  "/docs/getting-started",
  "/docs/api",
  "/cart",
  "/checkout",
];

const ORGANIC_REFERRERS = [
  "https://www.google.com/",
  "https://www.google.fr/",
  "https://www.bing.com/",
  "https://duckduckgo.com/",
];
const SOCIAL_REFERRERS = [
  "https://www.facebook.com/",
  "https://t.co/abc123",
  "https://www.linkedin.com/feed/",
  "https://www.reddit.com/r/marketing/",
];
const REFERRAL_REFERRERS = [
  "https://news.ycombinator.com/",
  "https://www.producthunt.com/",
  "https://blog.partner.io/review",
  "https://github.com/awesome/list",
];

const sqlList = (values: readonly string[]) => `[${values.map(lit).join(", ")}]`;

/** Average events per session of the generator (bounces included), to size the session count. */
const EVENTS_PER_SESSION = 3.6;

export function sizeLabel(events: number): string {
  return events % 1_000_000 === 0 ? `${events / 1_000_000}m` : `${events}`;
}

/** The data files for `events` events, generated unless files of the same parameters exist. */
export async function ensureData(dir: string, events: number, seed = 42): Promise<DataFiles> {
  mkdirSync(dir, { recursive: true });
  const label = sizeLabel(events);
  const spec: DataSpec = {
    version: GENERATOR_VERSION,
    events,
    seed,
    from: RANGE.from,
    days: RANGE.days,
    eventColumns: eventFileColumns(),
  };
  const paths = {
    events: join(dir, `events-${label}.csv`),
    costs: join(dir, `costs-${label}.csv`),
    orders: join(dir, `orders-${label}.csv`),
  };
  const metaPath = join(dir, `meta-${label}.json`);
  const files = (rows: DataFiles["rows"]): DataFiles => ({
    label,
    spec,
    ...paths,
    rows,
    bytes: {
      events: statSync(paths.events).size,
      costs: statSync(paths.costs).size,
      orders: statSync(paths.orders).size,
    },
  });

  if (existsSync(metaPath) && Object.values(paths).every((p) => existsSync(p))) {
    const meta = JSON.parse(readFileSync(metaPath, "utf8")) as { spec: DataSpec; rows: DataFiles["rows"] };
    if (JSON.stringify(meta.spec) === JSON.stringify(spec)) {
      log(`  data ${label}: reusing ${paths.events} (${fmtInt(meta.rows.events)} events)`);
      return files(meta.rows);
    }
  }

  log(`  data ${label}: generating ${fmtInt(events)} events…`);
  const { ms, value: rows } = await timed(() => generate(spec, paths));
  writeFileSync(metaPath, `${JSON.stringify({ spec, rows }, null, 2)}\n`);
  log(
    `  data ${label}: generated in ${fmtMs(ms)} (${fmtInt(rows.events)} events, ${fmtInt(rows.orders)} orders, ${fmtInt(rows.costs)} cost rows)`,
  );
  return files(rows);
}

async function generate(
  spec: DataSpec,
  paths: { events: string; costs: string; orders: string },
): Promise<DataFiles["rows"]> {
  const db = await RawDuckdb.open(":memory:");
  try {
    const S = spec.seed;
    const sessions = Math.ceil((spec.events / EVENTS_PER_SESSION) * 1.08);
    const visitors = Math.ceil(sessions / 3);
    // A uniform draw in [0, 1) from a hash of the row and a purpose number.
    const u = (key: string, purpose: number) => `((hash(${key}, ${S}, ${purpose}) % 1000003) / 1000003.0)`;
    const start = `TIMESTAMP '${spec.from} 00:00:00'`;

    // Sessions: a visitor (skewed: a few visitors come back often), a start, a length (35 % bounce),
    // a channel, a campaign, and whether it ends in a sign-up (3 %) or an order (2 %).
    await db.run(`CREATE TABLE sessions AS
      SELECT i AS sid,
        CAST(floor(${visitors} * pow(${u("i", 1)}, 1.5)) AS BIGINT) AS v,
        ${start} + to_microseconds(CAST(floor(${u("i", 2)} * ${spec.days * 86_400} * 1e6) AS BIGINT)) AS start_ts,
        CASE WHEN ${u("i", 3)} < 0.35 THEN 1
             ELSE 2 + least(CAST(floor(-ln(1 - ${u("i", 4)}) * 3.5) AS INTEGER), 40) END AS k,
        CASE WHEN ${u("i", 5)} < 0.35 THEN 'direct' WHEN ${u("i", 5)} < 0.60 THEN 'organic'
             WHEN ${u("i", 5)} < 0.70 THEN 'social' WHEN ${u("i", 5)} < 0.80 THEN 'referral'
             WHEN ${u("i", 5)} < 0.95 THEN 'paid' ELSE 'email' END AS channel,
        CAST(floor(${u("i", 6)} * ${CAMPAIGNS.length}) AS INTEGER) AS camp,
        CAST(floor(${u("i", 7)} * 4) AS INTEGER) AS pick,
        ${u("i", 8)} AS u_conv,
        CAST(floor(${u("i", 9)} * ${PATHS.length}) AS INTEGER) AS landing
      FROM range(${sessions}) r(i)`);

    const pathAt = (index: string) => `${sqlList(PATHS)}[${index} + 1]`;
    const campaignTag = `lower(${sqlList(CAMPAIGNS)}[camp + 1])`;
    await db.run(`CREATE TABLE ev AS
      WITH x AS (SELECT *, unnest(range(k)) AS j FROM sessions),
      y AS (
        SELECT *,
          start_ts + to_microseconds(j * 75000000 + CAST(hash(sid, j, ${S}, 10) % 75000000 AS BIGINT)) AS ts,
          CASE WHEN j = k - 1 AND k >= 2 AND u_conv < 0.03 THEN 'Signed Up'
               WHEN j = k - 1 AND k >= 2 AND u_conv < 0.05 THEN 'Order Completed' END AS conv,
          ${u("sid, j", 11)} AS u_ev
        FROM x
      ),
      z AS (
        SELECT *,
          CASE WHEN conv IS NOT NULL OR (j > 0 AND u_ev < 0.2) THEN 'track' ELSE 'page' END AS type,
          coalesce(conv, CASE WHEN j > 0 AND u_ev < 0.12 THEN 'Product Viewed'
                              WHEN j > 0 AND u_ev < 0.2 THEN 'Added to Cart' ELSE 'pageview' END) AS event,
          CASE WHEN conv = 'Order Completed' THEN '/checkout/complete' WHEN conv = 'Signed Up' THEN '/signup'
               WHEN j = 0 THEN ${pathAt("landing")}
               ELSE ${pathAt(`CAST(floor(u_ev * ${PATHS.length}) AS INTEGER)`)} END AS path,
          j = 0 AND channel IN ('paid', 'email') AS tagged,
          CASE WHEN channel = 'email' THEN 'newsletter' WHEN camp < 6 THEN 'google' ELSE 'facebook' END AS src,
          CASE WHEN channel = 'email' THEN 'email' WHEN camp < 6 THEN 'cpc' ELSE 'paidsocial' END AS medium,
          CASE WHEN channel = 'email' THEN 'newsletter_' || (camp % 4) ELSE ${campaignTag} END AS campaign
        FROM y
      )
      SELECT
        strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS timestamp,
        event,
        type,
        lpad(to_hex(hash(v, ${S}, 20)), 16, '0') AS visitor_id,
        CASE WHEN hash(v, ${S}, 21) % 10 = 0 THEN 'user-' || v END AS user_id,
        'https://www.example.com' || path ||
          CASE WHEN tagged THEN '?utm_source=' || src || '&utm_medium=' || medium || '&utm_campaign=' || campaign ELSE '' END AS url,
        CASE WHEN j > 0 THEN 'https://www.example.com/'
             WHEN channel = 'organic' THEN ${sqlList(ORGANIC_REFERRERS)}[pick + 1]
             WHEN channel = 'social' THEN ${sqlList(SOCIAL_REFERRERS)}[pick + 1]
             WHEN channel = 'referral' THEN ${sqlList(REFERRAL_REFERRERS)}[pick + 1]
             WHEN channel = 'paid' AND camp < 6 THEN 'https://www.google.com/'
             WHEN channel = 'paid' THEN 'https://www.facebook.com/' END AS referrer,
        CASE WHEN tagged THEN src END AS utm_source,
        CASE WHEN tagged THEN medium END AS utm_medium,
        CASE WHEN tagged THEN campaign END AS utm_campaign,
        CASE WHEN tagged AND channel = 'paid' THEN 'ad_' || pick END AS utm_content,
        NULL::VARCHAR AS utm_term,
        CASE WHEN conv = 'Order Completed' THEN round(20 + (hash(sid, ${S}, 22) % 28000) / 100.0, 2) END AS revenue,
        CASE WHEN conv = 'Order Completed' THEN 'EUR' END AS currency,
        CASE WHEN conv = 'Order Completed' THEN 'ord-' || sid END AS order_id,
        CASE WHEN event IN ('Product Viewed', 'Added to Cart')
          THEN '{"product":"' || ${sqlList(["basic", "pro", "enterprise"])}[(sid % 3) + 1] || '","price":' || (19 + (sid % 3) * 30) || '}' END
          AS properties,
        md5(${S} || ':' || sid || ':' || j) AS message_id,
        ts, sid, v
      FROM z
      LIMIT ${spec.events}`);

    const tsFormat = "'%Y-%m-%dT%H:%M:%S.%gZ'";
    const known = new Set(EVENT_COLUMNS);
    const columns = spec.eventColumns.map((c) => (known.has(c) ? `"${c}"` : `NULL::VARCHAR AS "${c}"`));
    await db.run(`COPY (
        SELECT ${columns.join(", ")}
        FROM ev ORDER BY ts, sid
      ) TO ${lit(paths.events)} (FORMAT csv, HEADER true)`);

    // The shop's export: 90 % of the web orders (same order id, so they de-duplicate) and offline
    // orders worth 30 % more, some with a campaign, from customers who sometimes come back.
    const webOrders = await db.number("SELECT count(*) FROM ev WHERE event = 'Order Completed'");
    const offline = Math.ceil(webOrders * 0.3);
    await db.run(`CREATE TABLE orders AS
      SELECT strftime(ts + INTERVAL 3 SECOND, ${tsFormat}) AS timestamp, order_id,
        coalesce(user_id, visitor_id) AS customer_id, revenue, 'EUR' AS currency, NULL::VARCHAR AS campaign, visitor_id, ts
      FROM ev WHERE event = 'Order Completed' AND hash(sid, ${S}, 30) % 10 < 9
      UNION ALL
      SELECT strftime(${start} + to_microseconds(CAST(floor(${u("i", 31)} * ${spec.days * 86_400} * 1e6) AS BIGINT)), ${tsFormat}),
        'off-' || i, 'cust-' || (hash(i, ${S}, 32) % ${Math.max(1, Math.ceil(offline / 1.6))}),
        round(10 + (hash(i, ${S}, 33) % 40000) / 100.0, 2), 'EUR',
        CASE WHEN i % 3 = 0 THEN ${sqlList(CAMPAIGNS)}[(i % ${CAMPAIGNS.length}) + 1] END, NULL,
        ${start} + to_microseconds(CAST(floor(${u("i", 31)} * ${spec.days * 86_400} * 1e6) AS BIGINT))
      FROM range(${offline}) r(i)`);
    await db.run(`COPY (SELECT * EXCLUDE (ts) FROM orders ORDER BY ts, order_id)
      TO ${lit(paths.orders)} (FORMAT csv, HEADER true)`);

    // Daily costs per campaign and ad set, about as many clicks as the paid sessions.
    const clicksPerRow = Math.max(1, (sessions * 0.15) / CAMPAIGNS.length / spec.days / 2);
    await db.run(`COPY (
      SELECT strftime(DATE '${spec.from}' + CAST(d AS INTEGER), '%Y-%m-%d') AS date,
        ${sqlList(CAMPAIGNS)}[c + 1] AS campaign, 'paid' AS channel, ad_set,
        round(clicks * (0.4 + c * 0.1), 2) AS spend,
        CAST(clicks * (30 + ${u("d, c, ad_set", 40)} * 50) AS BIGINT) AS impressions,
        clicks, round(clicks * 0.03, 1) AS conversions, 'EUR' AS currency
      FROM (
        SELECT d, c, ad_set, CAST(round(${clicksPerRow} * (0.8 + 0.4 * ${u("d, c, ad_set", 41)})) AS BIGINT) AS clicks
        FROM range(${spec.days}) t1(d), range(${CAMPAIGNS.length}) t2(c), (VALUES ('broad'), ('lookalike')) t3(ad_set)
      ) ORDER BY d, c, ad_set
    ) TO ${lit(paths.costs)} (FORMAT csv, HEADER true)`);

    return {
      events: await db.number("SELECT count(*) FROM ev"),
      orders: await db.number("SELECT count(*) FROM orders"),
      costs: spec.days * CAMPAIGNS.length * 2,
    };
  } finally {
    db.close();
  }
}
