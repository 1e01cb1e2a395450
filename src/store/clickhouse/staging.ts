import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ImportKind } from "../../import/kinds.js";
import type { Transaction } from "../duckdb/connection.js";
import { duckdbDialect as dd } from "../duckdb/dialect.js";
import { campaignKeySql } from "../sql/session-columns.js";

/**
 * Files and ingested events are read, typed and checked by the same DuckDB code as the embedded
 * store's (an in-memory DuckDB, `stageFile`), so both stores accept and reject exactly the same
 * rows and derive the same columns. The rows of the temp tables are then written as JSON lines in
 * ClickHouse's column layout, and sent to ClickHouse in one streamed INSERT.
 */

/** A JSON object column as the `<column>_keys` / `<column>_values` arrays ClickHouse stores. */
function jsonArrays(column: string, alias: string): string {
  const keys = `coalesce(json_keys(${column}), [])`;
  return `${keys} AS ${alias}_keys,
    coalesce(list_transform(json_keys(${column}), k -> json_extract_string(${column}, concat('$.', to_json(k)))), []) AS ${alias}_values`;
}

/**
 * The events of temp table `enriched` not already stored (keys in temp table `existing`), first of
 * each key. Keys travel as hex: `hex()` is fast, where casting DuckDB's 128-bit numbers to decimal
 * text took 20 s per 100,000 rows.
 */
export function eventsExport(): string {
  return `SELECT workspace, seq, hex(dedup_key) AS dedup_key, message_id, epoch_us(ts) AS ts_us,
    strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, type, name, visitor_id, user_id, anonymous_id, url, host, path,
    referrer, referrer_domain, utm_source, utm_medium, utm_campaign, utm_content, utm_term, campaign_key,
    device, browser, os, country, revenue, currency, order_id, CAST(properties AS VARCHAR) AS properties,
    ${jsonArrays("properties", "properties")}
  FROM enriched e
  WHERE hex(dedup_key) NOT IN (SELECT key FROM existing)
  QUALIFY row_number() OVER (PARTITION BY dedup_key ORDER BY seq) = 1`;
}

/** The good rows of temp table `typed` for a kind other than events, as ClickHouse rows of `version`. */
export function factExport(kind: Exclude<ImportKind, "events">, workspace: string, version: bigint): string {
  const ws = dd.literal(workspace);
  switch (kind) {
    case "orders":
      // The first row of each order id in the file; ids already stored are in temp table `existing`.
      return `SELECT ${ws} AS workspace, order_id, epoch_us(timestamp) AS ts_us,
          strftime(timestamp, '%Y-%m-%d %H:%M:%S') AS ts, customer_id, revenue, upper(currency) AS currency, campaign,
          ${campaignKeySql("campaign")} AS campaign_key, visitor_id, line, ${version} AS version
        FROM typed WHERE error IS NULL AND order_id NOT IN (SELECT key FROM existing)
        QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY line) = 1`;
    case "costs":
      return `SELECT ${ws} AS workspace, date, campaign, ${campaignKeySql("campaign")} AS campaign_key,
          coalesce(lower(channel), 'paid') AS channel, spend, impressions, clicks, conversions,
          upper(currency) AS currency, CAST(extras AS VARCHAR) AS breakdown, CAST(extras AS VARCHAR) AS breakdown_key,
          ${jsonArrays("extras", "breakdown")}, ${version} AS version
        FROM typed WHERE error IS NULL`;
    case "email":
      return `SELECT ${ws} AS workspace, date, campaign, ${campaignKeySql("campaign")} AS campaign_key, sent, delivered,
          opens, clicks, unsubscribes, bounces, ${version} AS version
        FROM typed WHERE error IS NULL`;
    case "social":
      return `SELECT ${ws} AS workspace, date, lower(network) AS network, posts, reach, impressions, interactions,
          mentions, followers, ${version} AS version
        FROM typed WHERE error IS NULL`;
    default: {
      const unknown: never = kind;
      throw new Error(`unknown kind ${String(unknown)}`);
    }
  }
}

/** The keys of rows a kind replaces by (costs, e-mail, social), as SQL over `typed`'s good rows. */
export const REPLACE_KEYS: Readonly<
  Record<"costs" | "email" | "social", { columns: string[]; select: string }>
> = {
  costs: {
    columns: ["date", "campaign_key", "breakdown_key"],
    select: `SELECT DISTINCT CAST(date AS VARCHAR) AS date, ${campaignKeySql("campaign")} AS campaign_key,
      CAST(extras AS VARCHAR) AS breakdown_key FROM typed WHERE error IS NULL`,
  },
  email: {
    columns: ["date", "campaign_key"],
    select: `SELECT DISTINCT CAST(date AS VARCHAR) AS date, ${campaignKeySql("campaign")} AS campaign_key
      FROM typed WHERE error IS NULL`,
  },
  social: {
    columns: ["date", "network"],
    select:
      "SELECT DISTINCT CAST(date AS VARCHAR) AS date, lower(network) AS network FROM typed WHERE error IS NULL",
  },
};

/** Creates temp table `existing(key)` holding the given keys. */
export async function loadExisting(tx: Transaction, keys: readonly string[]): Promise<void> {
  await tx.run("CREATE OR REPLACE TEMP TABLE existing (key VARCHAR)");
  if (keys.length === 0) return;
  const appender = await tx.connection.createAppender("existing", "main", "temp");
  for (const key of keys) {
    appender.appendVarchar(key);
    appender.endRow();
  }
  appender.closeSync();
}

/**
 * Writes a SELECT's rows to a temporary JSON-lines file and gives its path and row count to `send`;
 * the file is removed afterwards.
 */
export async function withExport<T>(
  tx: Transaction,
  select: string,
  send: (path: string, rows: number) => Promise<T>,
): Promise<T> {
  const path = join(tmpdir(), `sextant-export-${randomUUID()}.json`);
  try {
    await tx.run(`CREATE OR REPLACE TEMP TABLE export AS ${select}`);
    const rows = await tx.number("SELECT count(*) FROM export");
    await tx.run(`COPY export TO ${dd.literal(path)} (FORMAT JSON)`);
    return await send(path, rows);
  } finally {
    await tx.run("DROP TABLE IF EXISTS temp.export").catch(() => undefined);
    await rm(path, { force: true });
  }
}

/**
 * For `sextant migrate`: each ClickHouse table and the SELECT over an attached DuckDB store
 * (`src`) that gives its rows, exactly as stored there (sequence numbers and de-duplication keys
 * included, so re-sent events are still recognised after the move).
 */
export function migrationExports(): readonly { table: string; select: string }[] {
  const seconds = (column: string) => `strftime(${column}, '%Y-%m-%d %H:%M:%S')`;
  return [
    {
      table: "workspaces",
      select: "SELECT name, CAST(settings AS VARCHAR) AS settings, 0 AS version FROM src.workspaces",
    },
    {
      table: "custom_kpis",
      select: "SELECT workspace, id, formula, 0 AS deleted, 0 AS version FROM src.custom_kpis",
    },
    {
      table: "api_keys",
      select: `SELECT id, workspace, kind, hash, ${seconds("created_at")} AS created_at,
        ${seconds("revoked_at")} AS revoked_at, 0 AS version FROM src.api_keys`,
    },
    { table: "salts", select: "SELECT day, salt, 0 AS version FROM src.salts" },
    {
      table: "events",
      select: `SELECT workspace, seq, hex(dedup_key) AS dedup_key, message_id, epoch_us(ts) AS ts_us,
        ${seconds("ts")} AS ts, type, name, visitor_id, user_id, anonymous_id, url, host, path,
        referrer, referrer_domain, utm_source, utm_medium, utm_campaign, utm_content, utm_term, campaign_key,
        device, browser, os, country, revenue, currency, order_id, CAST(properties AS VARCHAR) AS properties,
        ${jsonArrays("properties", "properties")}
      FROM src.events`,
    },
    {
      table: "orders",
      select: `SELECT workspace, order_id, epoch_us(ts) AS ts_us, ${seconds("ts")} AS ts, customer_id, revenue, currency,
        campaign, campaign_key, visitor_id, 0 AS line, 0 AS version FROM src.orders`,
    },
    {
      table: "ad_costs",
      select: `SELECT workspace, date, campaign, campaign_key, channel, spend, impressions, clicks, conversions, currency,
        CAST(breakdown AS VARCHAR) AS breakdown, breakdown_key, ${jsonArrays("breakdown", "breakdown")}, 0 AS version
      FROM src.ad_costs`,
    },
    {
      table: "email_campaigns",
      select: `SELECT workspace, date, campaign, campaign_key, sent, delivered, opens, clicks, unsubscribes, bounces,
        0 AS version FROM src.email_campaigns`,
    },
    {
      table: "social_metrics",
      select: `SELECT workspace, date, network, posts, reach, impressions, interactions, mentions, followers,
        0 AS version FROM src.social_metrics`,
    },
  ];
}
