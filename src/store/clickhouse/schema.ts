import { SESSION_COLUMN_LIST } from "../sql/session-columns.js";
import { quoteString } from "./dialect.js";

/**
 * ClickHouse schema. Facts are MergeTree tables ordered by workspace and date. Rows are never
 * updated in place: a replaced or revoked row is a newer `version` of the same key, and reads take
 * the newest version (`argMax`, or the newest import of a key for costs, e-mail and social rows,
 * which keep every row of that import). `ts` is whole seconds (18.16 has no DateTime64) beside
 * `ts_us`, the exact time in microseconds. Sessions are derived from events (session-sql.ts), into
 * session rows and per-visitor-day rollups kept as events arrive (session-sums-sql.ts,
 * rollup-sql.ts) and, for queries by page or property, when a query runs.
 *
 * On a cluster each table is `<name>_local` on every node plus a `Distributed` table `<name>` over
 * them, events sharded by a hash of the device (the Segment anonymousId, else the visitor id), so a
 * device's events and sessions stay on one shard; persons are counted across shards (persons-sql.ts).
 */

export interface TableSpec {
  readonly name: string;
  readonly columns: string;
  readonly engine: string;
  /** The Distributed sharding expression on a cluster. */
  readonly shardBy: string;
}

const text = "Nullable(String)";

export const CLICKHOUSE_TABLES: readonly TableSpec[] = [
  {
    name: "workspaces",
    columns: "name String, settings String, version UInt64",
    engine: "MergeTree ORDER BY (name, version)",
    shardBy: "cityHash64(name)",
  },
  {
    name: "custom_kpis",
    columns: "workspace String, id String, formula String, deleted UInt8, version UInt64",
    engine: "MergeTree ORDER BY (workspace, id, version)",
    shardBy: "cityHash64(workspace)",
  },
  {
    name: "documents",
    columns:
      "workspace String, kind String, id String, body String, updated_at String, deleted UInt8, version UInt64",
    engine: "MergeTree ORDER BY (workspace, kind, id, version)",
    shardBy: "cityHash64(workspace)",
  },
  {
    name: "api_keys",
    columns: `id String, workspace String, kind String, hash String, created_at DateTime('UTC'),
      revoked_at Nullable(DateTime('UTC')), version UInt64`,
    engine: "MergeTree ORDER BY (hash, id, version)",
    shardBy: "cityHash64(id)",
  },
  {
    name: "salts",
    columns: "day String, salt String, version UInt64",
    engine: "MergeTree ORDER BY (day, version)",
    shardBy: "cityHash64(day)",
  },
  {
    name: "events",
    columns: `workspace String, seq UInt64, dedup_key String, message_id ${text},
      ts_us Int64, ts DateTime('UTC'),
      type String, name String, visitor_id String, user_id ${text}, anonymous_id ${text},
      url ${text}, host ${text}, path ${text}, referrer ${text}, referrer_domain ${text},
      utm_source ${text}, utm_medium ${text}, utm_campaign ${text}, utm_content ${text}, utm_term ${text},
      campaign_key ${text}, device ${text}, browser ${text}, os ${text}, country ${text},
      revenue Nullable(Float64), currency ${text}, order_id ${text}, properties ${text},
      properties_keys Array(String), properties_values Array(${text})`,
    engine: "MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (workspace, toDate(ts), visitor_id, ts_us)",
    // By device (persons-sql.ts DEVICE): a device's events, before and after sign-in, share a shard.
    shardBy: "cityHash64(ifNull(anonymous_id, visitor_id))",
  },
  {
    name: "orders",
    columns: `workspace String, order_id String, ts_us Int64,
      ts DateTime('UTC'), customer_id String,
      revenue Float64, currency ${text}, campaign ${text}, campaign_key ${text}, visitor_id ${text}, line UInt64, version UInt64`,
    engine: "MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (workspace, toDate(ts), order_id)",
    shardBy: "cityHash64(ifNull(visitor_id, customer_id))",
  },
  {
    name: "ad_costs",
    columns: `workspace String, date Date, campaign String, campaign_key String, channel String, spend Float64,
      impressions Nullable(Float64), clicks Nullable(Float64), conversions Nullable(Float64), currency ${text},
      breakdown String, breakdown_key String, breakdown_keys Array(String), breakdown_values Array(${text}),
      version UInt64`,
    engine: "MergeTree PARTITION BY toYYYYMM(date) ORDER BY (workspace, date, campaign_key)",
    shardBy: "cityHash64(campaign_key)",
  },
  {
    name: "email_campaigns",
    columns: `workspace String, date Date, campaign String, campaign_key String, sent Float64,
      delivered Nullable(Float64), opens Nullable(Float64), clicks Nullable(Float64),
      unsubscribes Nullable(Float64), bounces Nullable(Float64), version UInt64`,
    engine: "MergeTree PARTITION BY toYYYYMM(date) ORDER BY (workspace, date, campaign_key)",
    shardBy: "cityHash64(campaign_key)",
  },
  {
    name: "social_metrics",
    columns: `workspace String, date Date, network String, posts Nullable(Float64), reach Nullable(Float64),
      impressions Nullable(Float64), interactions Nullable(Float64), mentions Nullable(Float64),
      followers Nullable(Float64), version UInt64`,
    engine: "MergeTree PARTITION BY toYYYYMM(date) ORDER BY (workspace, date, network)",
    shardBy: "cityHash64(network)",
  },
  // Erasures and retention runs (docs/operations.md): never the id, a hash of workspace and id.
  {
    name: "erasures",
    columns: `workspace String, erased_at String, kind String, id_hash ${text}, before_ts ${text}, removed String`,
    engine: "MergeTree ORDER BY (workspace, erased_at)",
    shardBy: "cityHash64(workspace)",
  },
  // Rollups (rollup-sql.ts): derived from events, never updated in place; see rollup-sql.ts.
  {
    name: "rollup_visitor_days",
    columns: `workspace String, generation String, visitor_id String, local_date Date, prev_date Date,
      converted UInt8, prev_converted Date, sessions UInt64, pageviews UInt64, bounces UInt64,
      duration_us Int64, conversions UInt64, leads UInt64, version UInt64`,
    engine: "ReplacingMergeTree(version) ORDER BY (workspace, generation, visitor_id, local_date)",
    shardBy: "cityHash64(visitor_id)",
  },
  {
    name: "rollup_sessions",
    columns: `workspace String, generation String, visitor_id String, entry UInt32, session_us Int64, local_date Date,
      ${SESSION_COLUMN_LIST.map((c) => `${c.column} ${text}`).join(", ")},
      n_sessions UInt64, n_pageviews UInt64, n_bounces UInt64, duration_us Int64, n_conversions UInt64,
      n_leads UInt64, version UInt64`,
    engine: "ReplacingMergeTree(version) ORDER BY (workspace, generation, local_date, visitor_id, entry)",
    shardBy: "cityHash64(visitor_id)",
  },
  {
    name: "rollup_day_gaps",
    columns: `workspace String, generation String, snapshot UInt64, local_date Date, prev_date Date,
      converted UInt8, prev_converted Date, visitor_days UInt64, sessions UInt64, pageviews UInt64,
      bounces UInt64, duration_us Int64, conversions UInt64, leads UInt64`,
    engine: "MergeTree ORDER BY (workspace, generation, snapshot, local_date)",
    shardBy: "cityHash64(workspace)",
  },
  {
    name: "rollup_orders",
    columns: `workspace String, generation String, snapshot UInt64, order_id String, ts_us Int64,
      customer_id String, revenue Float64, own_campaign ${text}, visitor_id ${text}, local_date Date,
      is_first UInt8`,
    engine: "MergeTree ORDER BY (workspace, generation, snapshot, local_date)",
    shardBy: "cityHash64(workspace)",
  },
  {
    name: "rollup_marks",
    columns: `workspace String, generation String, kind String, id UInt64, covered UInt64,
      lo Int64, hi Int64, version UInt64`,
    engine: "MergeTree ORDER BY (workspace, kind, generation, id)",
    shardBy: "cityHash64(workspace)",
  },
];

/** The DDL for one node: the tables themselves, or on a cluster the local tables and their Distributed tables. */
export function schemaStatements(database: string, cluster: string | null): string[] {
  const statements: string[] = [];
  for (const table of CLICKHOUSE_TABLES) {
    if (cluster === null) {
      statements.push(`CREATE TABLE IF NOT EXISTS ${table.name} (${table.columns}) ENGINE = ${table.engine}`);
      continue;
    }
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${table.name}_local (${table.columns}) ENGINE = ${table.engine}`,
      `CREATE TABLE IF NOT EXISTS ${table.name} AS ${table.name}_local
        ENGINE = Distributed(${quoteString(cluster)}, ${quoteString(database)}, ${quoteString(`${table.name}_local`)}, ${table.shardBy})`,
    );
  }
  return statements;
}
