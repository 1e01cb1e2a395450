import { existsSync, mkdirSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { version as duckdbVersion } from "@duckdb/node-api";
import { validateSettings } from "../src/model/parse-setting.js";
import type { Workspace } from "../src/model/workspace.js";
import { findClickhouseServer, startCluster, startSingle } from "./clickhouse-server.js";
import { benchDashboard, printDashboard } from "./dashboard-bench.js";
import { ensureData, sizeLabel } from "./generate.js";
import { benchGoalsEvaluation } from "./goals-bench.js";
import { benchImport, importForReport, probeNarrowImport } from "./import-bench.js";
import { benchClickhouseIngest } from "./ingest/clickhouse-ingest.js";
import { QUICK_OPTIONS as QUICK_INGEST, runIngestBench } from "./ingest/ingest-bench.js";
import { benchServeMemory } from "./memory-bench.js";
import { benchOverview } from "./query-bench.js";
import { printSummary, type SizeResult, type SummaryRow, summaryRows, TARGETS, writeJson } from "./report.js";
import { benchReport, type ReportBenchResult } from "./report-bench.js";
import { benchStores } from "./store-bench.js";
import { log, parseCount } from "./util.js";

/**
 * `npm run bench [-- --quick | --sizes 1m,10m] [--store duckdb] [--runs 7] [--no-serve]`, the
 * default set; `npm run bench -- report` the report alone (bench/main.ts has every subcommand).
 *
 * For each size: generate (or reuse) the data files, import them into a fresh store and derive
 * sessions, run the overview cold and warm, start `sextant serve` on the store and read its
 * memory. Every figure is printed next to a baseline measured in the same run (hand-written DuckDB
 * SQL on the same files and tables); the summary says which targets are met. A program, not a test.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DATA_DIR = join(ROOT, "bench", "data");
const RESULTS_DIR = join(ROOT, "bench", "results");
const CLI = join(ROOT, "dist", "src", "cli", "main.js");
const STORES = ["duckdb", "clickhouse"] as const;
type StoreKind = (typeof STORES)[number];

interface Options {
  readonly sizes: number[];
  readonly store: StoreKind;
  readonly runs: number;
  readonly serve: boolean;
  readonly ingest: boolean;
  readonly quick: boolean;
  /** With --store clickhouse: a two-shard cluster on loopback instead of one server. */
  readonly cluster: boolean;
  /** Where the data files and the stores live. */
  readonly dataDir: string;
  /** `report --prepare`: generate and import, measure nothing. */
  readonly prepare: boolean;
}

export const SUITE_USAGE = `usage: npm run bench -- [--quick] [--sizes 1m,10m] [--store duckdb|clickhouse [--cluster]] [--runs N] [--no-serve]
  --quick       1M events only
  --sizes LIST  event counts: 1m, 10m, 500k or plain numbers (default 1m,10m)
  --store NAME  the store to measure: duckdb, or clickhouse (import and overview beside DuckDB's)
  --cluster     with --store clickhouse: a two-shard cluster on loopback
  --runs N      warm runs of the overview, median reported (default 7)
  --no-serve    skip the sextant serve memory measurement
  --no-ingest   skip the ingestion benchmark (bench/ingest: /v1/batch, /api/event, kill cycles; with
                --store clickhouse: acknowledgement latency, CPU per event, events stored)
  --data DIR    data files and stores there instead of bench/data (files found there are reused)
usage: npm run bench -- report [--sizes LIST] [--runs N] [--data DIR] [--prepare]
                only the monthly report against its KPI queries (imports the data unless its store exists)
  --prepare     generate and import the data, measure nothing (run it outside the bench lock)`;

function parseSize(text: string): number {
  try {
    return parseCount(text);
  } catch (error) {
    throw new Error(`--sizes: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseArgs(argv: readonly string[], allowPrepare: boolean): Options | null {
  let sizes = [1_000_000, 10_000_000];
  let store: StoreKind = "duckdb";
  let runs = 7;
  let serve = true;
  let ingest = true;
  let quick = false;
  let cluster = false;
  let dataDir = DATA_DIR;
  let prepare = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case "--quick":
        sizes = [1_000_000];
        quick = true;
        break;
      case "--cluster":
        cluster = true;
        break;
      case "--no-ingest":
        ingest = false;
        break;
      case "--sizes":
        sizes = value().split(",").map(parseSize);
        break;
      case "--store": {
        const name = value();
        if (!(STORES as readonly string[]).includes(name))
          throw new Error(`--store: unknown store "${name}"`);
        store = name as StoreKind;
        break;
      }
      case "--runs":
        runs = Number(value());
        if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs needs a whole number ≥ 1");
        break;
      case "--no-serve":
        serve = false;
        break;
      case "--data":
        dataDir = value();
        break;
      case "--prepare":
        if (!allowPrepare) throw new Error("--prepare belongs to `npm run bench -- report`");
        prepare = true;
        break;
      case "--help":
      case "-h":
        return null;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return { sizes, store, runs, serve, ingest, quick, cluster, dataDir, prepare };
}

/** The options, or the exit code after printing the usage (--help, or a wrong flag). */
function optionsOrExit(argv: readonly string[], allowPrepare = false): Options | number {
  try {
    const options = parseArgs(argv, allowPrepare);
    if (options !== null) return options;
    log(SUITE_USAGE);
    return 0;
  } catch (error) {
    log(`bench: ${error instanceof Error ? error.message : String(error)}\n${SUITE_USAGE}`);
    return 2;
  }
}

/** The default set: import, overview, goals, report, serve memory, dashboard, ingestion. */
export async function benchSuite(argv: readonly string[]): Promise<number> {
  const options = optionsOrExit(argv);
  if (typeof options === "number") return options;
  if (options.store === "clickhouse") return benchClickhouse(options);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    duckdb: duckdbVersion(),
  };
  log(
    `Sextant benchmark — store ${options.store}, sizes ${options.sizes.map(sizeLabel).join(", ")}, ${options.runs} warm runs`,
  );
  log(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, DuckDB ${machine.duckdb}`,
  );

  mkdirSync(RESULTS_DIR, { recursive: true });
  const workspace: Workspace = { name: "bench", settings: validateSettings({ timezone: "Europe/Paris" }) };
  const results: Record<string, SizeResult> = {};
  const summary: SummaryRow[] = [];
  const reports: Record<string, ReportBenchResult> = {};
  for (const size of options.sizes) {
    const label = sizeLabel(size);
    log();
    log(
      `== ${label} events == (load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}: other processes on the machine skew timings)`,
    );
    const data = await ensureData(options.dataDir, size);
    const dbPath = join(options.dataDir, `sextant-${label}.duckdb`);
    const baselinePath = join(options.dataDir, `baseline-${label}.duckdb`);
    log("  import");
    const probe = await probeNarrowImport(data, options.dataDir, workspace);
    const imported = await benchImport(data, dbPath, baselinePath, workspace);
    log("  overview");
    const overview = await benchOverview(dbPath, workspace.name, options.runs);
    log("  goals");
    const goals = await benchGoalsEvaluation(dbPath, workspace.name, options.runs);
    log("  report");
    reports[label] = await benchReport(dbPath, workspace.name, options.runs);
    let memory = null;
    if (options.serve) {
      log("  serve memory");
      memory = await benchServeMemory(dbPath, workspace.name, join(RESULTS_DIR, `serve-${label}.log`), CLI);
    }
    // The dashboard at the smallest size only: it measures the page's overhead over the API.
    let dashboard = null;
    if (size === Math.min(...options.sizes)) {
      log("  dashboard");
      dashboard = await benchDashboard(dbPath, workspace.name, Math.min(options.runs, 5));
      printDashboard(dashboard);
    }
    results[label] = {
      data,
      probe,
      import: imported,
      overview,
      goals,
      memory,
      dashboard,
      loadAverageAtEnd: loadavg(),
    };
    summary.push(...summaryRows(label, results[label] as SizeResult));
  }

  let ingestion = null;
  if (options.ingest) {
    log();
    log("== ingestion ==");
    ingestion = await runIngestBench(options.quick ? QUICK_INGEST : {});
  }

  log();
  log("== summary ==");
  printSummary(summary);
  const output = join(RESULTS_DIR, "latest.json");
  writeJson(output, {
    generatedAt: new Date().toISOString(),
    store: options.store,
    machine,
    options,
    targets: TARGETS,
    summary,
    results,
    reports,
    ingestion,
  });
  log();
  log(`Results written to ${output}`);
  return 0;
}

/** `--store clickhouse`: the import and the overview on ClickHouse, beside DuckDB's in the same run. */
async function benchClickhouse(options: Options): Promise<number> {
  if (!findClickhouseServer() && !process.env.SEXTANT_CLICKHOUSE_URL) {
    log(
      "bench: --store clickhouse needs clickhouse-server installed (apt-get install clickhouse-server) or SEXTANT_CLICKHOUSE_URL.",
    );
    return 2;
  }
  log(
    `Sextant benchmark — ClickHouse beside DuckDB, sizes ${options.sizes.map(sizeLabel).join(", ")}, ${options.runs} warm runs`,
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  const workspace: Workspace = { name: "bench", settings: validateSettings({ timezone: "Europe/Paris" }) };
  const results: Record<string, unknown> = {};
  for (const size of options.sizes) {
    log();
    log(
      `== ${sizeLabel(size)} events == (load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")})`,
    );
    const data = await ensureData(DATA_DIR, size);
    results[sizeLabel(size)] = await benchStores(data, DATA_DIR, workspace, options.runs, options.cluster);
  }
  let ingestion = null;
  if (options.ingest && findClickhouseServer()) {
    log();
    log(`== ingestion into ClickHouse${options.cluster ? " (two-shard cluster)" : ""} ==`);
    const fixture = options.cluster ? await startCluster() : await startSingle();
    try {
      ingestion = await benchClickhouseIngest(fixture);
    } finally {
      await fixture.stop();
    }
  }
  const output = join(RESULTS_DIR, "clickhouse-latest.json");
  writeJson(output, { generatedAt: new Date().toISOString(), options, results, ingestion });
  log();
  log(`Results written to ${output}`);
  return 0;
}

/**
 * `report`: only the report benchmark, on stores imported once and kept (`sextant-report-SIZE.duckdb`
 * in the data directory); `--prepare` makes them without measuring, so that the slow part can run
 * outside the bench lock.
 */
export async function benchReportOnly(argv: readonly string[]): Promise<number> {
  const options = optionsOrExit(argv, true);
  if (typeof options === "number") return options;
  const prepareOnly = options.prepare;
  const workspace: Workspace = { name: "bench", settings: validateSettings({ timezone: "Europe/Paris" }) };
  for (const size of options.sizes) {
    const label = sizeLabel(size);
    const dbPath = join(options.dataDir, `sextant-report-${label}.duckdb`);
    if (!existsSync(dbPath)) {
      const data = await ensureData(options.dataDir, size);
      log(`  data ${label}: importing into ${dbPath}`);
      await importForReport(data, dbPath, workspace);
    }
    if (prepareOnly) continue;
    log(
      `== ${label} events: report == (load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")})`,
    );
    await benchReport(dbPath, workspace.name, options.runs);
  }
  return 0;
}
