import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Transaction } from "../duckdb/connection.js";
import { duckdbDialect as dd } from "../duckdb/dialect.js";
import { newEvents, type RowKind, STORED_KINDS, storedRows } from "../staging/stage.js";

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
 * Rows shaped as a DuckDB table stores them (`from`: the table, or a subquery of the same columns)
 * in the layout of the ClickHouse table of that name, as newer rows of `version`: one conversion
 * for imports, ingestion and `sextant migrate`. Event keys travel as hex: `hex()` is fast, where
 * casting DuckDB's 128-bit numbers to decimal text took 20 s per 100,000 rows.
 */
export function clickhouseRows(table: string, from: string, version: bigint | number = 0): string {
  const seconds = (column: string) => `strftime(${column}, '%Y-%m-%d %H:%M:%S')`;
  switch (table) {
    case "events":
      return `SELECT * EXCLUDE (dedup_key, ts, properties), hex(dedup_key) AS dedup_key, epoch_us(ts) AS ts_us,
          ${seconds("ts")} AS ts, CAST(properties AS VARCHAR) AS properties, ${jsonArrays("properties", "properties")}
        FROM ${from}`;
    case "orders":
      return `SELECT * EXCLUDE (ts), epoch_us(ts) AS ts_us, ${seconds("ts")} AS ts, ${version} AS version FROM ${from}`;
    case "ad_costs":
      return `SELECT * EXCLUDE (breakdown), CAST(breakdown AS VARCHAR) AS breakdown,
          ${jsonArrays("breakdown", "breakdown")}, ${version} AS version
        FROM ${from}`;
    default:
      return `SELECT *, ${version} AS version FROM ${from}`;
  }
}

/**
 * The new events of temp table `typed` (the embedded store's `newEvents`: not already stored,
 * whose hex keys are in temp table `existing`, and the first of each key) as ClickHouse rows.
 */
export function eventsExport(workspace: string, seqBase: bigint): string {
  const stored = "(SELECT key AS k FROM existing)";
  return clickhouseRows("events", `(${newEvents(workspace, seqBase, stored, (key) => `hex(${key})`)})`);
}

/**
 * The good rows of temp table `typed` (see `storedRows`) as ClickHouse rows of `version`; for
 * orders, the first row of each id not already stored (ids in temp table `existing`).
 */
export function factExport(kind: RowKind, workspace: string, version: bigint): string {
  const rows = storedRows(kind, workspace);
  const from =
    kind === "orders"
      ? `(SELECT * FROM (${rows}) WHERE order_id NOT IN (SELECT key FROM existing)
          QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY line) = 1)`
      : `(${rows})`;
  return clickhouseRows(STORED_KINDS[kind].table, from, version);
}

/** The distinct replacement keys of the file's good rows, dates as text. */
export function incomingKeys(kind: RowKind, workspace: string): string {
  const key = STORED_KINDS[kind].key ?? [];
  const columns = key.map((k) => (k === "date" ? "CAST(date AS VARCHAR) AS date" : k));
  return `SELECT DISTINCT ${columns.join(", ")} FROM (${storedRows(kind, workspace)})`;
}

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
export function migrationExports(): readonly { table: string; select: string; since?: string }[] {
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
      table: "documents",
      select: "SELECT workspace, kind, id, body, updated_at, 0 AS deleted, 0 AS version FROM src.documents",
    },
    { table: "events", select: clickhouseRows("events", "src.events") },
    // Stored orders are already one per id: their file line no longer matters.
    { table: "orders", select: clickhouseRows("orders", "(SELECT *, 0 AS line FROM src.orders)") },
    ...(["ad_costs", "email_campaigns", "social_metrics"] as const).map((table) => ({
      table,
      select: clickhouseRows(table, `src.${table}`),
    })),
    // The records of erasures go with the data they speak for; files older than them have none.
    {
      table: "erasures",
      select: `SELECT workspace, strftime(erased_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS erased_at, kind, id_hash,
        before_ts, CAST(removed AS VARCHAR) AS removed FROM src.erasures`,
      since: "erasures",
    },
  ];
}
