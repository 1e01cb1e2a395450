import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { DataFiles } from "./generate.js";
import type { GoalsBenchResult } from "./goals-bench.js";
import type { ImportResult, ProbeResult } from "./import-bench.js";
import type { MemoryResult } from "./memory-bench.js";
import type { QueryResult } from "./query-bench.js";
import { fmtInt, fmtMs, fmtRatio, log } from "./util.js";

export interface SizeResult {
  readonly data: DataFiles;
  readonly probe: ProbeResult;
  readonly import: ImportResult;
  readonly overview: QueryResult;
  /** Evaluating 20 goals against the overview (bench/goals-bench.ts). */
  readonly goals?: GoalsBenchResult;
  readonly memory: MemoryResult | null;
  /** The dashboard's overview against the API (smallest size only). */
  readonly dashboard?: import("./dashboard-bench.js").DashboardResult | null;
  readonly loadAverageAtEnd: number[];
}

export interface SummaryRow {
  readonly size: string;
  readonly figure: string;
  readonly value: number;
  readonly shown: string;
  readonly target: string;
  /** Whether the target is met; null when the figure has no target at this size. */
  readonly met: boolean | null;
}

/** Targets of the embedded store (DESIGN "Scale"). */
export const TARGETS = {
  importRowsPerSecond: 1_000_000,
  overviewRatio: 1.5,
  overviewWarmMs: 300,
  serveRssBytes: 1_000_000_000,
  /** The size the overview and memory targets are stated for. */
  targetSize: "10m",
} as const;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export function summaryRows(label: string, r: SizeResult): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const add = (figure: string, value: number, shown: string, target = "", met: boolean | null = null) =>
    rows.push({ size: label, figure, value, shown, target, met });
  const atTargetSize = label === TARGETS.targetSize;
  const sized = (met: boolean) => (atTargetSize ? met : null);
  const sizedTarget = (text: string) => (atTargetSize ? text : `(${text} at 10M)`);

  add(
    "events CSV without optional columns imports",
    r.probe.ok ? 1 : 0,
    r.probe.ok ? "imports" : `fails: ${(r.probe.error ?? "").slice(0, 60)}`,
    "imports",
    r.probe.ok,
  );
  const im = r.import;
  add(
    "import events (importFile)",
    im.sextant.events.rowsPerSecond,
    `${fmtInt(im.sextant.events.rowsPerSecond)} rows/s (${fmtMs(im.sextant.events.ms)}, ${fmtMs(im.sextant.events.cpuMs)} CPU)`,
    `≥ ${fmtInt(TARGETS.importRowsPerSecond)} rows/s`,
    im.sextant.events.rowsPerSecond >= TARGETS.importRowsPerSecond,
  );
  add(
    "import events baseline (typed read_csv)",
    im.baseline.events.rowsPerSecond,
    `${fmtInt(im.baseline.events.rowsPerSecond)} rows/s (${fmtMs(im.baseline.events.ms)}, ${fmtMs(im.baseline.events.cpuMs)} CPU)`,
  );
  add(
    "import events sextant/baseline",
    im.sextant.events.ms / im.baseline.events.ms,
    `${fmtRatio(im.sextant.events.ms / im.baseline.events.ms)} wall, ${fmtRatio(im.sextant.events.cpuMs / im.baseline.events.cpuMs)} CPU`,
  );
  add(
    "import costs",
    im.sextant.costs.rowsPerSecond,
    `${fmtInt(im.sextant.costs.rowsPerSecond)} rows/s (${fmtMs(im.sextant.costs.ms)}; baseline ${fmtMs(im.baseline.costs.ms)})`,
  );
  add(
    "import orders",
    im.sextant.orders.rowsPerSecond,
    `${fmtInt(im.sextant.orders.rowsPerSecond)} rows/s (${fmtMs(im.sextant.orders.ms)}; baseline ${fmtMs(im.baseline.orders.ms)})`,
  );
  add(
    "refreshDerived (sessions)",
    im.sextant.refreshDerived.rowsPerSecond,
    `${fmtInt(im.sextant.refreshDerived.rowsPerSecond)} events/s (${fmtMs(im.sextant.refreshDerived.ms)}, ${fmtMs(im.sextant.refreshDerived.cpuMs)} CPU)`,
  );
  add(
    "sessionize baseline (window SQL)",
    im.baseline.sessions.rowsPerSecond,
    `${fmtInt(im.baseline.sessions.rowsPerSecond)} events/s (${fmtMs(im.baseline.sessions.ms)}, ${fmtMs(im.baseline.sessions.cpuMs)} CPU)`,
  );
  add(
    "refreshDerived sextant/baseline",
    im.sextant.refreshDerived.ms / im.baseline.sessions.ms,
    `${fmtRatio(im.sextant.refreshDerived.ms / im.baseline.sessions.ms)} wall, ${fmtRatio(im.sextant.refreshDerived.cpuMs / im.baseline.sessions.cpuMs)} CPU`,
  );
  add(
    `import + refreshDerived peak RSS (memory limit ${im.sextantMemoryLimit})`,
    im.sextantPeakRssBytes,
    `${mib(im.sextantPeakRssBytes)} (store file ${mib(im.dbBytes)})`,
  );
  const endToEnd = (im.sextant.events.rows / (im.sextant.events.ms + im.sextant.refreshDerived.ms)) * 1000;
  add("events import + sessions, end to end", endToEnd, `${fmtInt(endToEnd)} events/s`);

  const ov = r.overview;
  add("overview cold (first query after open)", ov.sextant.coldMs, fmtMs(ov.sextant.coldMs));
  add(
    "overview warm (median)",
    ov.sextant.warmMs,
    `${fmtMs(ov.sextant.warmMs)} (${fmtMs(ov.sextant.warmCpuMs)} CPU)`,
    sizedTarget(`< ${TARGETS.overviewWarmMs} ms`),
    sized(ov.sextant.warmMs < TARGETS.overviewWarmMs),
  );
  add(
    "overview baseline warm (hand SQL)",
    ov.baseline.warmMs,
    `${fmtMs(ov.baseline.warmMs)} (${fmtMs(ov.baseline.warmCpuMs)} CPU; cold ${fmtMs(ov.baseline.coldMs)})`,
  );
  add(
    "overview sextant/baseline (warm)",
    ov.ratio,
    `${fmtRatio(ov.ratio)} wall, ${fmtRatio(ov.sextant.warmCpuMs / ov.baseline.warmCpuMs)} CPU`,
    sizedTarget(`≤ ${TARGETS.overviewRatio}×`),
    sized(ov.ratio <= TARGETS.overviewRatio),
  );
  add(
    "overview numbers equal baseline",
    ov.numbersMatch ? 1 : 0,
    ov.numbersMatch ? "numbers match" : `${ov.differences.length} differences`,
    "match",
    ov.numbersMatch,
  );

  const m = r.memory;
  if (m) {
    add(
      "serve peak RSS (VmHWM)",
      m.vmHwmBytes,
      `${mib(m.vmHwmBytes)} (VmRSS ${mib(m.vmRssBytes)}, idle ${mib(m.idleRssBytes)})`,
      sizedTarget("< 1 GB"),
      sized(m.vmHwmBytes < TARGETS.serveRssBytes),
    );
    add(
      "serve HTTP overview warm (median)",
      m.overviewHttpMs,
      `${fmtMs(m.overviewHttpMs)} (cold ${fmtMs(m.overviewHttpColdMs)}; /healthz ${fmtMs(m.healthzHttpMs)})`,
    );
  }
  return rows;
}

export function printSummary(rows: readonly SummaryRow[]): void {
  const header = ["size", "figure", "value", "target", "met"];
  const cells = rows.map((r) => [
    r.size,
    r.figure,
    r.shown,
    r.target || "—",
    r.met === null ? "—" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ");
  log(line(header));
  log(widths.map((w) => "-".repeat(w)).join("-+-"));
  for (const c of cells) log(line(c));
}

export function writeJson(path: string, content: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
}
