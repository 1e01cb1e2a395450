import { renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { CLI_MEMORY_LIMIT, duckdbOptions, memoryLimit } from "../src/config.js";
import type { Workspace } from "../src/model/workspace.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { type ImportSummary, plainCsvImport } from "../src/store/store.js";
import { type DataFiles, NARROW_EVENT_COLUMNS } from "./generate.js";
import {
  fmtInt,
  fmtMs,
  fmtRatio,
  lit,
  log,
  peakRss,
  RawDuckdb,
  removeDb,
  resetPeakRss,
  timed,
  warmPageCache,
} from "./util.js";

export interface StepFigure {
  readonly rows: number;
  readonly ms: number;
  readonly rowsPerSecond: number;
  /** CPU time of this process during the step (DuckDB's threads included). */
  readonly cpuMs: number;
}

export interface ImportResult {
  readonly sextant: { events: StepFigure; costs: StepFigure; orders: StepFigure; refreshDerived: StepFigure };
  readonly baseline: { events: StepFigure; costs: StepFigure; orders: StepFigure; sessions: StepFigure };
  readonly sessionEvents: number;
  /** Peak RSS of this process (DuckDB in it) during Sextant's imports and session derivation. */
  readonly sextantPeakRssBytes: number;
  /** DuckDB's memory limit during Sextant's imports: the CLI's (SEXTANT_MEMORY_LIMIT changes it). */
  readonly sextantMemoryLimit: string;
  readonly dbBytes: number;
}

const figure = (rows: number, ms: number, cpuMs: number): StepFigure => ({
  rows,
  ms,
  rowsPerSecond: (rows / ms) * 1000,
  cpuMs,
});
const cpu = (f: StepFigure) => `(${fmtMs(f.cpuMs)} CPU)`;

/**
 * Imports the files into a fresh store through `store.importFile`, then derives sessions with
 * `store.refreshDerived`; the baseline loads the same files with hand-written typed `read_csv`
 * statements into another fresh file, and sessionizes them with plain window functions.
 */
/**
 * Imports the data files into a new store (events, costs, orders, sessions), measuring nothing. The
 * store is made under another name and renamed when complete: an interrupted import is not reused.
 */
export async function importForReport(files: DataFiles, dbPath: string, workspace: Workspace): Promise<void> {
  const partial = `${dbPath}.partial.duckdb`;
  removeDb(partial);
  const store = await DuckdbStore.open(partial, duckdbOptions({}, process.env, CLI_MEMORY_LIMIT));
  try {
    await store.createWorkspace(workspace);
    await store.importFile(plainCsvImport(workspace, "events", files.events));
    await store.importFile(plainCsvImport(workspace, "costs", files.costs));
    await store.importFile(plainCsvImport(workspace, "orders", files.orders));
    await store.refreshDerived(workspace);
  } finally {
    await store.close();
  }
  renameSync(partial, dbPath);
}

export async function benchImport(
  files: DataFiles,
  dbPath: string,
  baselinePath: string,
  workspace: Workspace,
): Promise<ImportResult> {
  for (const file of [files.events, files.costs, files.orders]) await warmPageCache(file);

  // Sextant, as `sextant import` opens it: the CLI's memory limit, or SEXTANT_MEMORY_LIMIT, for the
  // whole process (DuckDB's buffer pool gets its share).
  const sextantMemoryLimit = memoryLimit({}, process.env, CLI_MEMORY_LIMIT);
  removeDb(dbPath);
  resetPeakRss();
  const store = await DuckdbStore.open(dbPath, duckdbOptions({}, process.env, CLI_MEMORY_LIMIT));
  let sextant: ImportResult["sextant"];
  let sessionEvents: number;
  try {
    await store.createWorkspace(workspace);
    const importOne = async (kind: "events" | "costs" | "orders", file: string, expected: number) => {
      const { ms, cpuMs, value } = await timed(() => store.importFile(plainCsvImport(workspace, kind, file)));
      checkSummary(value, expected);
      return figure(value.rowsRead, ms, cpuMs);
    };
    const events = await importOne("events", files.events, files.rows.events);
    log(
      `    sextant import events : ${fmtMs(events.ms)}  ${fmtInt(events.rowsPerSecond)} rows/s ${cpu(events)}`,
    );
    const costs = await importOne("costs", files.costs, files.rows.costs);
    log(
      `    sextant import costs  : ${fmtMs(costs.ms)}  ${fmtInt(costs.rowsPerSecond)} rows/s ${cpu(costs)}`,
    );
    const orders = await importOne("orders", files.orders, files.rows.orders);
    log(
      `    sextant import orders : ${fmtMs(orders.ms)}  ${fmtInt(orders.rowsPerSecond)} rows/s ${cpu(orders)}`,
    );
    const refresh = await timed(() => store.refreshDerived(workspace));
    const refreshDerived = figure(files.rows.events, refresh.ms, refresh.cpuMs);
    log(
      `    sextant refreshDerived: ${fmtMs(refresh.ms)}  ${fmtInt(refreshDerived.rowsPerSecond)} events/s ${cpu(refreshDerived)}`,
    );
    sextant = { events, costs, orders, refreshDerived };
  } finally {
    await store.close();
  }
  const sextantPeakRssBytes = peakRss();
  log(
    `    sextant peak RSS during import + refreshDerived: ${(sextantPeakRssBytes / 2 ** 20).toFixed(0)} MiB ` +
      `(memory limit ${sextantMemoryLimit})`,
  );
  {
    const raw = await RawDuckdb.open(dbPath);
    try {
      sessionEvents = await raw.number("SELECT count(*) FROM session_events");
    } finally {
      raw.close();
    }
  }

  // Baseline: the same files, typed by hand, no validation, no de-duplication.
  removeDb(baselinePath);
  const raw = await RawDuckdb.open(baselinePath);
  let baseline: ImportResult["baseline"];
  try {
    const load = async (sql: string, table: string) => {
      const { ms, cpuMs } = await timed(() => raw.run(sql));
      return figure(await raw.number(`SELECT count(*) FROM ${table}`), ms, cpuMs);
    };
    const events = await load(baselineEventsSql(files.events, files.spec.eventColumns), "events");
    log(
      `    baseline events       : ${fmtMs(events.ms)}  ${fmtInt(events.rowsPerSecond)} rows/s ${cpu(events)}`,
    );
    const costs = await load(baselineCostsSql(files.costs), "ad_costs");
    const orders = await load(baselineOrdersSql(files.orders), "orders");
    const sessionsRun = await timed(() => raw.run(baselineSessionsSql(workspace.settings.timezone)));
    const sessions = figure(events.rows, sessionsRun.ms, sessionsRun.cpuMs);
    log(
      `    baseline sessionize   : ${fmtMs(sessions.ms)}  ${fmtInt(sessions.rowsPerSecond)} events/s ${cpu(sessions)}`,
    );
    baseline = { events, costs, orders, sessions };
  } finally {
    raw.close();
  }
  log(
    `    ratio sextant/baseline: events import ${fmtRatio(sextant.events.ms / baseline.events.ms)}, ` +
      `sessions ${fmtRatio(sextant.refreshDerived.ms / baseline.sessions.ms)}`,
  );
  // What a user of `sextant import events` waits for: the import and the derivation after it.
  const endToEnd = (files.rows.events / (sextant.events.ms + sextant.refreshDerived.ms)) * 1000;
  log(
    `    sextant import events, derivation included: ${fmtInt(endToEnd)} rows/s; bare typed read_csv ` +
      `${fmtInt(baseline.events.rowsPerSecond)} rows/s; ratio ${(endToEnd / baseline.events.rowsPerSecond).toFixed(2)}× ` +
      `(target ≥ 0.5×); peak RSS ${(sextantPeakRssBytes / 2 ** 20).toFixed(0)} MiB under ${sextantMemoryLimit}`,
  );
  return {
    sextant,
    baseline,
    sessionEvents,
    sextantPeakRssBytes,
    sextantMemoryLimit,
    dbBytes: statSync(dbPath).size,
  };
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly error: string | null;
  readonly columns: readonly string[];
}

/**
 * Imports the first 1,000 events of the file with only the columns of a typical analytics export
 * (every docs/importing.md#columns optional column it lacks is legitimately absent), into a scratch store.
 */
export async function probeNarrowImport(
  files: DataFiles,
  dir: string,
  workspace: Workspace,
): Promise<ProbeResult> {
  const csv = join(dir, "probe-narrow-events.csv");
  const dbPath = join(dir, "probe.duckdb");
  const raw = await RawDuckdb.open(":memory:");
  try {
    await raw.run(`COPY (SELECT ${NARROW_EVENT_COLUMNS.map((c) => `"${c}"`).join(", ")}
      FROM read_csv(${lit(files.events)}, header = true, all_varchar = true) LIMIT 1000)
      TO ${lit(csv)} (FORMAT csv, HEADER true)`);
  } finally {
    raw.close();
  }
  removeDb(dbPath);
  resetPeakRss();
  const store = await DuckdbStore.open(dbPath);
  let error: string | null = null;
  try {
    await store.createWorkspace(workspace);
    await store.importFile(plainCsvImport(workspace, "events", csv));
  } catch (e) {
    error = (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "error";
  } finally {
    await store.close();
    removeDb(dbPath);
  }
  log(
    error === null
      ? "    probe: an events CSV with only the usual export columns imports"
      : `    probe: an events CSV with only ${NARROW_EVENT_COLUMNS.length} usual columns FAILS to import: ${error}`,
  );
  return { ok: error === null, error, columns: NARROW_EVENT_COLUMNS };
}

function checkSummary(summary: ImportSummary, expected: number): void {
  if (summary.rowsRead !== expected || summary.rejected.length > 0) {
    log(
      `    WARNING: ${summary.kind}: ${summary.rowsRead} rows read, ${summary.rowsStored} stored, ` +
        `${summary.rejected.length} rejected; the file has ${expected}`,
    );
  }
}

/** read_csv with the column types given: what an analyst types to load the file. */
function readCsv(file: string, columns: Record<string, string>): string {
  const types = Object.entries(columns)
    .map(([name, type]) => `${lit(name)}: ${lit(type)}`)
    .join(", ");
  return `read_csv(${lit(file)}, header = true, columns = {${types}})`;
}

export function baselineEventsSql(file: string, columns: readonly string[]): string {
  const types: Record<string, string> = { timestamp: "TIMESTAMPTZ", revenue: "DOUBLE" };
  const renamed: Record<string, string> = { timestamp: "ts", event: "name" };
  const select = columns.map((c) => (renamed[c] ? `"${c}" AS ${renamed[c]}` : `"${c}"`)).join(", ");
  return `CREATE TABLE events AS
    SELECT 'bench' AS workspace, ${select}
    FROM ${readCsv(file, Object.fromEntries(columns.map((c) => [c, types[c] ?? "VARCHAR"])))}`;
}

function baselineCostsSql(file: string): string {
  return `CREATE TABLE ad_costs AS
    SELECT 'bench' AS workspace, date, campaign, lower(campaign) AS campaign_key, channel, ad_set, spend,
      impressions, clicks, conversions, currency
    FROM ${readCsv(file, {
      date: "DATE",
      campaign: "VARCHAR",
      channel: "VARCHAR",
      ad_set: "VARCHAR",
      spend: "DOUBLE",
      impressions: "DOUBLE",
      clicks: "DOUBLE",
      conversions: "DOUBLE",
      currency: "VARCHAR",
    })}`;
}

function baselineOrdersSql(file: string): string {
  return `CREATE TABLE orders AS
    SELECT 'bench' AS workspace, order_id, "timestamp" AS ts, customer_id, revenue, currency, campaign, visitor_id
    FROM ${readCsv(file, {
      timestamp: "TIMESTAMPTZ",
      order_id: "VARCHAR",
      customer_id: "VARCHAR",
      revenue: "DOUBLE",
      currency: "VARCHAR",
      campaign: "VARCHAR",
      visitor_id: "VARCHAR",
    })}`;
}

/**
 * Sessions as an analyst writes them: a new session after 30 minutes without an event, the
 * session's first event giving its campaign, channel (simple LIKE rules) and landing page.
 */
function baselineSessionsSql(timeZone: string): string {
  const channel = `CASE WHEN utm_medium IN ('cpc', 'ppc', 'paid', 'paidsocial', 'display', 'cpm') THEN 'paid'
      WHEN utm_medium IN ('email', 'newsletter') THEN 'email'
      WHEN referrer LIKE '%facebook.com%' OR referrer LIKE '%t.co/%' OR referrer LIKE '%linkedin.com%'
        OR referrer LIKE '%reddit.com%' THEN 'social'
      WHEN referrer LIKE '%google.%' OR referrer LIKE '%bing.com%' OR referrer LIKE '%duckduckgo.com%' THEN 'organic_search'
      WHEN referrer IS NOT NULL AND referrer NOT LIKE '%example.com%' THEN 'referral'
      ELSE 'direct' END`;
  return `CREATE TABLE session_events AS
    WITH marked AS (
      SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY visitor_id ORDER BY ts) <= INTERVAL 30 MINUTE
        THEN 0 ELSE 1 END AS is_start
      FROM events
    ),
    numbered AS (
      SELECT *, sum(is_start) OVER (PARTITION BY visitor_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session_no
      FROM marked
    ),
    sessions AS (
      SELECT visitor_id, session_no, epoch(max(ts)) - epoch(min(ts)) AS seconds,
        count(*) = 1 AND bool_and(type = 'page') AS bounce,
        arg_min(lower(utm_campaign), ts) AS s_campaign, arg_min(${channel}, ts) AS s_channel,
        arg_min(url, ts) AS s_landing_page
      FROM numbered GROUP BY visitor_id, session_no
    )
    SELECT n.workspace, CAST(timezone(${lit(timeZone)}, n.ts) AS DATE) AS local_date, n.ts, n.type, n.name,
      n.visitor_id, n.user_id, n.order_id, n.revenue, n.is_start = 1 AS session_start,
      CASE WHEN n.is_start = 1 THEN s.seconds END AS session_seconds,
      CASE WHEN n.is_start = 1 THEN s.bounce END AS session_bounce,
      s.s_campaign, s.s_channel, s.s_landing_page
    FROM numbered n JOIN sessions s USING (visitor_id, session_no)`;
}
