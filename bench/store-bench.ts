import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runKpiQuery } from "../src/kpi/run-query.js";
import type { Workspace } from "../src/model/workspace.js";
import { ClickhouseStore } from "../src/store/clickhouse/clickhouse-store.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { plainCsvImport, type Store } from "../src/store/store.js";
import { type ClickhouseFixture, startCluster, startSingle } from "./clickhouse-server.js";
import type { DataFiles } from "./generate.js";
import { GROUPED_REQUEST, OVERVIEW_REQUEST } from "./query-bench.js";
import { fmtInt, fmtMs, fmtRatio, log, median, timed } from "./util.js";

/** The figures of one store: the same work as the DuckDB benchmark's import and overview. */
export interface StoreFigures {
  readonly store: string;
  readonly importMs: { events: number; costs: number; orders: number };
  readonly eventsPerSecond: number;
  readonly overviewColdMs: number;
  readonly overviewWarmMs: number;
  readonly warmRunsMs: number[];
  /** The overview's KPIs by campaign over the same 90 days: event KPIs that need sessions' entry attributes. */
  readonly groupedColdMs: number;
  readonly groupedWarmMs: number;
  readonly groupedWarmRunsMs: number[];
}

export interface StoreComparison {
  readonly duckdb: StoreFigures;
  readonly clickhouse: StoreFigures;
  /** Whether both stores gave the same overview (numbers to a relative 1e-9). */
  readonly identical: boolean;
  /** Whether both stores gave the same KPIs by campaign. */
  readonly groupedIdentical: boolean;
  readonly clickhouseVersion: string;
  readonly cluster: boolean;
}

/**
 * `npm run bench -- --store clickhouse`: imports the same files into a fresh DuckDB file and a
 * fresh ClickHouse (a server started on loopback, or SEXTANT_CLICKHOUSE_URL), then runs the
 * overview on both, printing each figure beside the other and checking the answers agree.
 */
export async function benchStores(
  data: DataFiles,
  dataDir: string,
  workspace: Workspace,
  runs: number,
  cluster: boolean,
): Promise<StoreComparison> {
  const scratch = join(dataDir, `stores-${data.label}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  let server: ClickhouseFixture | null = null;
  const external = process.env.SEXTANT_CLICKHOUSE_URL;
  try {
    let url: string;
    let clusterName: string | null = null;
    if (external) {
      url = `${external.replace(/\/+$/, "")}_bench_${data.label}`;
      clusterName = process.env.SEXTANT_CLICKHOUSE_CLUSTER ?? null;
      log(`  ClickHouse: ${url} (SEXTANT_CLICKHOUSE_URL)`);
    } else {
      server = cluster
        ? await startCluster({ parentDir: scratch })
        : await startSingle({ parentDir: scratch });
      url = `${server.url}/bench`;
      clusterName = server.cluster;
      log(`  ClickHouse: a ${cluster ? "two-shard cluster" : "server"} started on loopback (${server.url})`);
    }
    const duck = await DuckdbStore.open(join(scratch, "bench.duckdb"));
    const duckdb = await measure("DuckDB", duck, data, workspace, runs);
    const ch = await ClickhouseStore.open(url, clusterName);
    const version = ch.serverVersion;
    const clickhouse = await measure("ClickHouse", ch, data, workspace, runs);
    const identical = sameNumbers(duckdb.answer, clickhouse.answer);
    const groupedIdentical = sameNumbers(duckdb.grouped, clickhouse.grouped);
    await duck.close();
    await ch.close();
    printComparison(duckdb.figures, clickhouse.figures, identical, groupedIdentical);
    return {
      duckdb: duckdb.figures,
      clickhouse: clickhouse.figures,
      identical,
      groupedIdentical,
      clickhouseVersion: version,
      cluster: clusterName !== null,
    };
  } finally {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function measure(name: string, store: Store, data: DataFiles, workspace: Workspace, runs: number) {
  await store.createWorkspace(workspace);
  const importOne = async (kind: "events" | "costs" | "orders", file: string) =>
    (await timed(() => store.importFile(plainCsvImport(workspace, kind, file)))).ms;
  log(`  ${name}: import`);
  const events = await importOne("events", data.events);
  const costs = await importOne("costs", data.costs);
  const orders = await importOne("orders", data.orders);
  log(`  ${name}: overview`);
  const cold = await timed(() => runKpiQuery(store, workspace, OVERVIEW_REQUEST));
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    warm.push((await timed(() => runKpiQuery(store, workspace, OVERVIEW_REQUEST))).ms);
  }
  log(`  ${name}: KPIs by campaign`);
  const groupedCold = await timed(() => runKpiQuery(store, workspace, GROUPED_REQUEST));
  const groupedWarm: number[] = [];
  for (let i = 0; i < runs; i++) {
    groupedWarm.push((await timed(() => runKpiQuery(store, workspace, GROUPED_REQUEST))).ms);
  }
  const figures: StoreFigures = {
    store: name,
    importMs: { events, costs, orders },
    eventsPerSecond: Math.round((data.rows.events / events) * 1000),
    overviewColdMs: cold.ms,
    overviewWarmMs: median(warm),
    warmRunsMs: warm,
    groupedColdMs: groupedCold.ms,
    groupedWarmMs: median(groupedWarm),
    groupedWarmRunsMs: groupedWarm,
  };
  return { figures, answer: cold.value, grouped: groupedCold.value };
}

function sameNumbers(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number")
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) =>
    sameNumbers((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

function printComparison(
  duckdb: StoreFigures,
  clickhouse: StoreFigures,
  identical: boolean,
  groupedIdentical: boolean,
): void {
  const row = (label: string, a: string, b: string, ratio: string) =>
    log(`  ${label.padEnd(30)} ${a.padStart(14)} ${b.padStart(14)} ${ratio.padStart(8)}`);
  row("", "DuckDB", "ClickHouse", "CH/Duck");
  const ms = (label: string, a: number, b: number) => row(label, fmtMs(a), fmtMs(b), fmtRatio(b / a));
  ms("import events", duckdb.importMs.events, clickhouse.importMs.events);
  row(
    "  events per second",
    fmtInt(duckdb.eventsPerSecond),
    fmtInt(clickhouse.eventsPerSecond),
    fmtRatio(clickhouse.eventsPerSecond / duckdb.eventsPerSecond),
  );
  ms("import costs", duckdb.importMs.costs, clickhouse.importMs.costs);
  ms("import orders", duckdb.importMs.orders, clickhouse.importMs.orders);
  ms("overview cold", duckdb.overviewColdMs, clickhouse.overviewColdMs);
  ms("overview warm (median)", duckdb.overviewWarmMs, clickhouse.overviewWarmMs);
  log(`  same overview on both stores: ${identical ? "yes" : "NO"}`);
  ms("by campaign cold", duckdb.groupedColdMs, clickhouse.groupedColdMs);
  ms("by campaign warm (median)", duckdb.groupedWarmMs, clickhouse.groupedWarmMs);
  log(`  same KPIs by campaign on both stores: ${groupedIdentical ? "yes" : "NO"}`);
}
