import { statSync } from "node:fs";
import { UserError } from "../../errors.js";
import { type ImportKind, KIND_SPECS, type KindSpec } from "../../model/import-kinds.js";
import { type TextRecord, wellFormedText } from "../../model/text-record.js";
import type { Workspace } from "../../model/workspace.js";
import type { Transaction } from "../duckdb/connection.js";
import { duckdbDialect as d } from "../duckdb/dialect.js";
import { campaignKeySql } from "../sql/session-columns.js";
import type { ImportRequest, ImportSummary, RejectedRow } from "../store.js";
import { physicalLines, readCsvHeader, uniqueNames } from "./csv-file.js";
import { readJsonl } from "./jsonl.js";
import { enrichedEvents, type RawLayout, typedSelect } from "./stage-sql.js";

const TEMP_TABLES = ["raw", "typed", "typed_rows"];

/**
 * Imports one file: stages it (see `stageFile`), then merges the good rows in one transaction.
 * Without `skipInvalid`, the first bad row stops everything and nothing is stored.
 */
export async function importIntoDuckdb(
  tx: Transaction,
  request: ImportRequest,
  spec: KindSpec,
): Promise<ImportSummary> {
  try {
    const { rowsRead, rejected } = await stageFile(tx, request, spec);
    const merged = await tx.atomically(() =>
      merge(tx, request.kind, d.literal(request.workspace.name), request.workspace.name),
    );
    return { kind: request.kind, rowsRead, rejected, ...merged };
  } finally {
    await dropStaging(tx);
  }
}

export interface Staged {
  readonly rowsRead: number;
  readonly rejected: RejectedRow[];
}

/**
 * Reads a file with DuckDB's CSV reader (or the JSONL reader) into a text table, then types and
 * checks every row into the temp table `typed` (`error` names a bad row's first problem). Throws
 * a UserError naming the first bad row unless `skipInvalid`. Any store can merge from `typed`:
 * the ClickHouse store stages in an in-memory DuckDB, so both read files the same way.
 */
export async function stageFile(tx: Transaction, request: ImportRequest, spec: KindSpec): Promise<Staged> {
  await dropStaging(tx);
  const source = await openSource(tx, request);
  const layout = resolveLayout(request, spec, source.columns, source.lineExpr);
  const strptimeFormat = request.dateFormat;
  const options = { timeZone: request.workspace.settings.timezone, strptimeFormat };
  const select = typedSelect(d, request.kind, spec, layout, options, source.from);
  if (source.lineExpr === null) {
    // A CSV file is read, typed and checked in one statement (no text copy of the file is kept);
    // the rows keep the file's order, so row i (from 0) is the file's row at line i + 2, read later
    // from the rowid through the view `typed`.
    const progress = pollProgress(tx, request.onProgress);
    try {
      await tx.run(`CREATE TEMP TABLE typed_rows AS ${select}`);
    } catch (error) {
      throw csvError(request.file, error, source.columns.length);
    } finally {
      progress.stop();
    }
    await tx.run("CREATE TEMP VIEW typed AS SELECT rowid + 2 AS line, * FROM typed_rows");
  } else {
    await tx.run(`CREATE TEMP TABLE typed AS ${select}`);
  }

  const rowsRead = (await tx.number("SELECT count(*) FROM typed")) + source.rejectedEarly.length;
  let bad = (await tx.all(`SELECT line, error FROM typed WHERE error IS NOT NULL ORDER BY line`)).map(
    (r): RejectedRow => ({ line: Number(r.line), reason: String(r.error) }),
  );
  if (request.format === "csv" && bad.length > 0) bad = await atPhysicalLines(request.file, bad);
  const rejected = [...source.rejectedEarly, ...bad].sort((a, b) => a.line - b.line);
  const first = rejected[0];
  if (first && !request.skipInvalid) {
    throw new UserError(
      `Line ${first.line}: ${first.reason}. Nothing was imported (${rejected.length} bad row${rejected.length === 1 ? "" : "s"}; use --skip-invalid to import the good rows and list the bad ones).`,
      rejected.slice(0, 100).map((r) => ({ line: r.line, reason: r.reason })),
      422,
    );
  }
  return { rowsRead, rejected };
}

/** Drops the staging tables; after a failed statement in a transaction these fail too, harmlessly. */
export async function dropStaging(tx: Transaction): Promise<void> {
  await tx.run("DROP VIEW IF EXISTS temp.typed").catch(() => undefined);
  for (const table of TEMP_TABLES) await tx.run(`DROP TABLE IF EXISTS temp.${table}`).catch(() => undefined);
}

/**
 * Where the rows to type come from: DuckDB's CSV reader over the file (`lineExpr` null: the line
 * is the row's place), or the temp table `raw` of a JSON Lines file's records (`__line`).
 */
async function openSource(
  tx: Transaction,
  request: ImportRequest,
): Promise<{ from: string; columns: string[]; lineExpr: string | null; rejectedEarly: RejectedRow[] }> {
  let size: number;
  try {
    size = statSync(request.file).size;
  } catch {
    throw new UserError(`The file ${request.file} does not exist or cannot be read.`, [
      { field: "file", reason: "not found" },
    ]);
  }
  if (size === 0)
    throw new UserError(`The file ${request.file} is empty: it needs a header row.`, [
      { field: "file", reason: "empty" },
    ]);
  if (request.format === "jsonl") {
    const { columns, rejectedEarly } = await loadJsonl(tx, request);
    return { from: "raw", columns, lineExpr: "__line", rejectedEarly };
  }
  // The header is read here and given to DuckDB, so no sniffing guesses the layout; every column
  // is text until the kind's types are checked row by row.
  const header = uniqueNames(await readCsvHeader(request.file));
  const columns = header.map((name) => `${d.literal(name)}: 'VARCHAR'`).join(", ");
  const from = `read_csv(${d.literal(request.file)},
      columns = {${columns}}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
      null_padding = false, strict_mode = true)`;
  return { from, columns: header, lineExpr: null, rejectedEarly: [] };
}

async function loadJsonl(tx: Transaction, request: ImportRequest) {
  const { columns, rows, rejected } = await readJsonl(request.file, request.kind);
  await loadRecords(tx, columns, rows);
  const names = (await tx.all("SELECT column_name FROM (DESCRIBE raw)")).map((r) => String(r.column_name));
  return { columns: names.filter((c) => c !== "__line"), rejectedEarly: rejected };
}

/** Creates the temp table `raw` (text columns and `__line`) from records, with DuckDB's appender. */
export async function loadRecords(
  tx: Transaction,
  columns: readonly string[],
  rows: readonly { line: number; record: TextRecord }[],
) {
  const names = columns.length > 0 ? columns : ["__empty"];
  await tx.run(
    `CREATE TEMP TABLE raw (__line BIGINT, ${names.map((c) => `${d.identifier(c)} VARCHAR`).join(", ")})`,
  );
  const appender = await tx.connection.createAppender("raw", "main", "temp");
  for (const { line, record } of rows) {
    appender.appendBigInt(BigInt(line));
    for (const column of names) {
      const value = record[column];
      if (value === null || value === undefined) appender.appendNull();
      else appender.appendVarchar(wellFormedText(value));
    }
    appender.endRow();
  }
  appender.closeSync();
}

/**
 * Stores already-validated events (from HTTP ingestion) inside the caller's transaction, through
 * the same typing and enrichment as file imports, de-duplicated by message id or row hash.
 */
export async function appendEventRecords(
  tx: Transaction,
  workspace: Workspace,
  records: readonly TextRecord[],
): Promise<Merged> {
  try {
    await stageEventRecords(tx, workspace, records);
    return await mergeEvents(tx, d.literal(workspace.name), workspace.name, records.length);
  } finally {
    // After a failed statement the transaction is aborted and these fail too: the caller's
    // ROLLBACK removes the temp tables, and the first error is the one to report.
    await dropStaging(tx);
  }
}

/** Validated events from HTTP ingestion into the temp table `typed`, as a file's rows would be. */
export async function stageEventRecords(
  tx: Transaction,
  workspace: Workspace,
  records: readonly TextRecord[],
): Promise<void> {
  const spec = KIND_SPECS.events;
  const columns = spec.columns.map((c) => c.name);
  await loadRecords(
    tx,
    columns,
    records.map((record, i) => ({ line: i + 1, record })),
  );
  const layout: RawLayout = {
    sources: new Map(columns.map((c) => [c, c])),
    extras: [],
    lineExpr: "__line",
  };
  const options = { timeZone: workspace.settings.timezone, strptimeFormat: null };
  await tx.run(`CREATE TEMP TABLE typed AS ${typedSelect(d, "events", spec, layout, options)}`);
  const bad = await tx.all("SELECT line, error FROM typed WHERE error IS NOT NULL LIMIT 1");
  if (bad[0]) throw new Error(`an ingested event passed validation but not typing: ${String(bad[0].error)}`);
}

/** Matches the file's columns to the kind's: `--map` first, then the same name in any case. */
function resolveLayout(
  request: ImportRequest,
  spec: KindSpec,
  columns: readonly string[],
  lineExpr: string | null,
): RawLayout {
  const byLower = new Map(columns.map((c) => [c.trim().toLowerCase(), c]));
  const sources = new Map<string, string>();
  for (const [target, source] of Object.entries(request.map)) {
    const found = columns.includes(source) ? source : byLower.get(source.trim().toLowerCase());
    if (found === undefined) {
      throw new UserError(
        `--map ${target}=${source}: the file has no column "${source}". Its columns are: ${columns.join(", ")}.`,
        [{ field: "map", line: 1, reason: `no column ${source}` }],
      );
    }
    sources.set(target, found);
  }
  const used = new Set(sources.values());
  for (const column of spec.columns) {
    if (sources.has(column.name)) continue;
    const found = byLower.get(column.name);
    if (found !== undefined && !used.has(found)) {
      sources.set(column.name, found);
      used.add(found);
    }
  }
  const missing = spec.columns.filter((c) => c.required && !sources.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new UserError(
      `Line 1: the file has no ${missing.join(", ")} column${missing.length > 1 ? "s" : ""} for ${request.kind}. ` +
        `Its columns are: ${columns.join(", ")}. Rename them with --map, for example --map ${missing[0]}=YourColumn.`,
      missing.map((m) => ({ field: m, line: 1, reason: "missing column" })),
      422,
    );
  }
  return { sources, extras: columns.filter((c) => !used.has(c)), lineExpr };
}

export type Merged = Pick<ImportSummary, "rowsStored" | "rowsReplaced" | "rowsDuplicate">;

/** The file kinds stored as rows of their own table (events are enriched, see import-sql.ts). */
export type RowKind = Exclude<ImportKind, "events">;

/**
 * Where each kind is stored, and the columns whose values a later row replaces (null: the first
 * row of an order id is kept). One definition for every store.
 */
export const STORED_KINDS: Readonly<
  Record<RowKind, { readonly table: string; readonly key: readonly string[] | null }>
> = {
  orders: { table: "orders", key: null },
  costs: { table: "ad_costs", key: ["date", "campaign_key", "breakdown_key"] },
  email: { table: "email_campaigns", key: ["date", "campaign_key"] },
  social: { table: "social_metrics", key: ["date", "network"] },
};

/**
 * The good rows of temp table `typed` with the columns of the kind's table (orders also keep their
 * file `line`, to keep the first row of an id): the one definition of what a file row becomes.
 */
export function storedRows(kind: RowKind, workspace: string): string {
  const ws = d.literal(workspace);
  const campaign = `${campaignKeySql("campaign")} AS campaign_key`;
  switch (kind) {
    case "orders":
      return `SELECT ${ws} AS workspace, order_id, timestamp AS ts, customer_id, revenue, upper(currency) AS currency,
          campaign, ${campaign}, visitor_id, line
        FROM typed WHERE error IS NULL`;
    case "costs":
      return `SELECT ${ws} AS workspace, date, campaign, ${campaign}, coalesce(lower(channel), 'paid') AS channel,
          spend, impressions, clicks, conversions, upper(currency) AS currency, extras AS breakdown,
          CAST(extras AS VARCHAR) AS breakdown_key
        FROM typed WHERE error IS NULL`;
    case "email":
      return `SELECT ${ws} AS workspace, date, campaign, ${campaign}, sent, delivered, opens, clicks, unsubscribes, bounces
        FROM typed WHERE error IS NULL`;
    case "social":
      return `SELECT ${ws} AS workspace, date, lower(network) AS network, posts, reach, impressions, interactions,
          mentions, followers
        FROM typed WHERE error IS NULL`;
    default: {
      const unknown: never = kind;
      throw new Error(`unknown kind ${String(unknown)}`);
    }
  }
}

async function merge(tx: Transaction, kind: ImportKind, ws: string, workspace: string): Promise<Merged> {
  const valid = await tx.number("SELECT count(*) FROM typed WHERE error IS NULL");
  if (kind === "events") return mergeEvents(tx, ws, workspace, valid);
  const { table, key } = STORED_KINDS[kind];
  if (key === null) {
    const stored = await tx.changed(`INSERT INTO ${table} BY NAME
      SELECT * EXCLUDE (line) FROM (${storedRows(kind, workspace)}) t
      WHERE NOT EXISTS (SELECT 1 FROM ${table} o WHERE o.workspace = ${ws} AND o.order_id = t.order_id)
      QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY line) = 1`);
    return { rowsStored: stored, rowsReplaced: 0, rowsDuplicate: valid - stored };
  }
  return replaceRows(tx, ws, valid, table, key, storedRows(kind, workspace));
}

/** Rows with the same key as a row of the file are replaced; rows of the file are all kept. */
async function replaceRows(
  tx: Transaction,
  ws: string,
  valid: number,
  table: string,
  key: readonly string[],
  select: string,
): Promise<Merged> {
  await tx.run(`CREATE TEMP TABLE incoming AS ${select}`);
  try {
    const match = key.map((k) => `t.${k} = i.${k}`).join(" AND ");
    const existing = `FROM ${table} t WHERE t.workspace = ${ws} AND EXISTS (SELECT 1 FROM incoming i WHERE ${match})`;
    const replaced = await tx.changed(`DELETE ${existing}`);
    await tx.run(`INSERT INTO ${table} BY NAME SELECT * FROM incoming`);
    return { rowsStored: valid, rowsReplaced: replaced, rowsDuplicate: 0 };
  } finally {
    await tx.run("DROP TABLE IF EXISTS temp.incoming");
  }
}

/** New events only: a message id or, without one, the row's hash, is stored once. */
async function mergeEvents(tx: Transaction, ws: string, workspace: string, valid: number): Promise<Merged> {
  const base = BigInt(await tx.number("SELECT coalesce(max(seq), 0) FROM events"));
  const stored = await tx.changed(
    `INSERT INTO events BY NAME ${newEvents(workspace, base, storedNearby(ws))}`,
  );
  return { rowsStored: stored, rowsReplaced: 0, rowsDuplicate: valid - stored };
}

const GOOD_ROWS = "(SELECT * FROM typed WHERE error IS NULL)";

/**
 * The good rows of `typed` whose dedup key is not stored yet, and of the rows sharing a key the
 * first (lowest line), enriched: what both stores insert, in one statement with no intermediate
 * table. `stored` is a relation of the stored keys to compare with, column `k`, matched against
 * `keyOf(dedup_key)`. The key is a function of the row, so the rows of one key are all stored
 * already or none is; only keys seen twice in the file are grouped (a window over every row cost
 * 2.6 s of a 1M-row import).
 */
export function newEvents(
  workspace: string,
  seqBase: bigint,
  stored: string,
  keyOf = (column: string) => column,
): string {
  const rows = `(SELECT t.* FROM ${GOOD_ROWS} t
    LEFT JOIN (SELECT dedup_key, min(line) AS first_line FROM ${GOOD_ROWS} GROUP BY dedup_key HAVING count(*) > 1) r
      ON r.dedup_key = t.dedup_key
    ANTI JOIN ${stored} s ON s.k = ${keyOf("t.dedup_key")}
    WHERE r.first_line IS NULL OR t.line = r.first_line)`;
  return enrichedEvents(d, workspace, seqBase, rows);
}

/**
 * The keys stored in the workspace within a week of the good rows' times: duplicates share their
 * time (re-sent messages within days), so only nearby stored events are compared.
 */
export function storedNearby(ws: string): string {
  return `(SELECT dedup_key AS k FROM events x WHERE x.workspace = ${ws}
    AND x.ts BETWEEN (SELECT min(timestamp) FROM ${GOOD_ROWS}) - INTERVAL 7 DAY
      AND (SELECT max(timestamp) FROM ${GOOD_ROWS}) + INTERVAL 7 DAY)`;
}

/** Rows numbered as read (header + row) moved to the lines an editor shows. */
async function atPhysicalLines(file: string, rows: readonly RejectedRow[]): Promise<RejectedRow[]> {
  const lines = await physicalLines(
    file,
    rows.map((r) => r.line - 2),
  );
  return rows.map((r) => ({ ...r, line: lines.get(r.line - 2) ?? r.line }));
}

/** DuckDB's CSV errors as a sentence with the line, e.g. a row with more fields than the header. */
function csvError(file: string, error: unknown, headerFields: number): UserError {
  const message = error instanceof Error ? error.message : String(error);
  const line = Number(/CSV Error on Line: (\d+)/.exec(message)?.[1] ?? Number.NaN);
  const count = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (Number.isFinite(line) && count) {
    const reason = `the row has ${count[2]} fields where the header has ${headerFields}`;
    return new UserError(`Line ${line}: ${reason}. Nothing was imported.`, [{ line, reason }], 422);
  }
  if (Number.isFinite(line)) {
    const reason = firstLine(error).replace(/^.*?Error: /, "");
    return new UserError(
      `Line ${line} of ${file} cannot be read as CSV: ${reason}. Nothing was imported.`,
      [{ line, reason }],
      422,
    );
  }
  return new UserError(
    `The file ${file} is not a readable CSV file: ${firstLine(error)}`,
    [{ field: "file", reason: firstLine(error) }],
    422,
  );
}

function pollProgress(tx: Transaction, onProgress: ImportRequest["onProgress"]) {
  if (!onProgress) return { stop: () => undefined };
  const timer = setInterval(() => {
    const progress = tx.connection.progress;
    if (progress.percentage >= 0) onProgress(Math.round(progress.percentage), 100);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      onProgress(100, 100);
    },
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n").slice(0, 3).join(" ").trim();
}
