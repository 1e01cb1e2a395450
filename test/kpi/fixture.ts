import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { type KpiRequest, type KpiResult, type KpiRow, runKpiQuery } from "../../src/kpi/run-query.js";
import { type ImportKind, KIND_SPECS } from "../../src/model/import-kinds.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { Workspace } from "../../src/model/workspace.js";
import type { DuckdbOptions } from "../../src/store/duckdb/connection.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { type ImportSummary, plainCsvImport, type Store } from "../../src/store/store.js";

/** A fresh DuckDB file in its own temporary directory, with helpers to load inline CSV and query KPIs. */
export interface Kit {
  readonly store: Store;
  readonly dir: string;
  /** Creates a workspace with the given settings (validated, defaults filled in). */
  workspace(name: string, settings?: Record<string, unknown>): Promise<Workspace>;
  /** Changes settings of a workspace in the store and returns the updated workspace. */
  update(ws: Workspace, settings: Record<string, unknown>): Promise<Workspace>;
  /**
   * Writes `csv` (indentation removed) to a file and imports it. With `pad` (the default), every
   * optional column of the kind that the CSV lacks is appended empty, which docs/importing.md#columns makes
   * equivalent to the column being absent; `columns.test.ts` imports files without padding.
   */
  load(ws: Workspace, kind: ImportKind, csv: string, options?: { pad?: boolean }): Promise<ImportSummary>;
  query(ws: Workspace, request: KpiRequest): Promise<KpiResult>;
  close(): Promise<void>;
}

let fileCounter = 0;

/** Appends, empty, the optional columns of `kind` that the header of `csv` lacks. */
export function padColumns(kind: ImportKind, csv: string): string {
  const [header = "", ...rows] = csv.trimEnd().split("\n");
  const present = new Set(header.split(",").map((c) => c.trim().toLowerCase()));
  const missing = KIND_SPECS[kind].columns.filter((c) => !c.required && !present.has(c.name));
  if (missing.length === 0) return csv;
  const blanks = ",".repeat(missing.length);
  return `${[`${header},${missing.map((c) => c.name).join(",")}`, ...rows.map((r) => `${r}${blanks}`)].join("\n")}\n`;
}

/** Removes the indentation of a template string: leading blanks of each line, blank lines. */
export function csvText(text: string): string {
  return `${text
    .split("\n")
    .map((line) => line.replace(/^\s+/, ""))
    .filter((line) => line !== "")
    .join("\n")}\n`;
}

/** Opens the store of each new kit: a DuckDB file in the kit's directory, unless a suite swaps it. */
let openStore: (dir: string, options: DuckdbOptions) => Promise<Store> = (dir, options) =>
  DuckdbStore.open(join(dir, "kpi.duckdb"), options);

/**
 * Runs the kits of the test files imported after this call on another store: the ClickHouse
 * conformance suites run these hand-computed cases against ClickHouse this way.
 */
export function useKitStore(
  open: (dir: string, options: DuckdbOptions) => Promise<Store>,
  name = "another store",
): void {
  openStore = open;
  storeName = name;
}

let storeName = "duckdb";

/** Which store the kits open: `duckdb` unless a suite swapped it (slower stores run fewer random cases). */
export function kitStoreName(): string {
  return storeName;
}

export async function openKit(options: DuckdbOptions = {}): Promise<Kit> {
  const dir = await mkdtemp(join(tmpdir(), "sextant-kpi-test-"));
  const store = await openStore(dir, options);
  return {
    store,
    dir,
    async workspace(name, settings = {}) {
      const ws: Workspace = { name, settings: validateSettings(settings) };
      await store.createWorkspace(ws);
      return ws;
    },
    async update(ws, settings) {
      const next: Workspace = { name: ws.name, settings: validateSettings({ ...ws.settings, ...settings }) };
      await store.updateSettings(ws.name, next.settings);
      return next;
    },
    async load(ws, kind, csv, options = {}) {
      fileCounter += 1;
      const file = join(dir, `${ws.name}-${kind}-${fileCounter}.csv`);
      await writeFile(file, options.pad === false ? csvText(csv) : padColumns(kind, csvText(csv)), "utf8");
      return store.importFile(plainCsvImport(ws, kind, file));
    },
    query(ws, request) {
      return runKpiQuery(store, ws, request);
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every KPI of `expected` checked: null with toBeNull, numbers to 6 decimals. */
export function expectKpis(
  actual: Readonly<Record<string, string | number | null>> | undefined,
  expected: Readonly<Record<string, number | null>>,
  label = "",
): void {
  expect(actual, `${label}: row exists`).toBeDefined();
  for (const [kpi, value] of Object.entries(expected)) {
    const got = actual?.[kpi];
    if (value === null) expect(got, `${label} ${kpi}`).toBeNull();
    else {
      expect(typeof got, `${label} ${kpi} is a number (got ${String(got)})`).toBe("number");
      expect(got as number, `${label} ${kpi}`).toBeCloseTo(value, 6);
    }
  }
}

/** The row whose dimensions (and period) equal `match`. */
export function rowWhere(result: KpiResult, match: Readonly<Record<string, string>>): KpiRow | undefined {
  return result.rows.find((row) => Object.entries(match).every(([key, value]) => row[key] === value));
}

/** The values of one dimension (or period) over the rows, in row order. */
export function column(result: KpiResult, name: string): (string | number | null | undefined)[] {
  return result.rows.map((row) => row[name]);
}
