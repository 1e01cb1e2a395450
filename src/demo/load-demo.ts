import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { UserError } from "../errors.js";
import { todayIn } from "../model/calendar.js";
import { IMPORT_KINDS } from "../model/import-kinds.js";
import type { Workspace } from "../model/workspace.js";
import { type ImportSummary, plainCsvImport, type Store } from "../store/store.js";
import { validateSettings } from "../workspace/parse-setting.js";
import { DEMO_COLUMNS, generateDemo } from "./generate.js";

export interface LoadDemoOptions {
  readonly name: string;
  readonly days: number;
  readonly seed: number;
  /** Last day of data; today in the demo's time zone by default. */
  readonly endDate?: string;
}

/**
 * The generator's clock times are the site's own (visits start before 22:30): written without
 * their Z they are read in the workspace time zone, so every event falls on the days asked for.
 */
function asLocalTime(row: Record<string, string>): Record<string, string> {
  return row.timestamp === undefined ? row : { ...row, timestamp: row.timestamp.replace(/Z$/, "") };
}

const DEMO_SETTINGS = {
  timezone: "Europe/Paris",
  currency: "EUR",
  locale: "en",
  domains: ["shop.example.com"],
};

/**
 * Creates the demo workspace and fills it through the same importer users run: the generated rows
 * are written as CSV files and imported, so the demo exercises the real path.
 */
export async function loadDemo(
  store: Store,
  options: LoadDemoOptions,
): Promise<{ workspace: Workspace; summaries: ImportSummary[] }> {
  if ((await store.listWorkspaces()).some((w) => w.name === options.name)) {
    throw new UserError(
      `A workspace "${options.name}" already exists; load the demo under another name with --workspace.`,
      [{ field: "workspace", reason: "exists" }],
      409,
    );
  }
  const settings = validateSettings(DEMO_SETTINGS);
  const workspace: Workspace = { name: options.name, settings };
  const data = generateDemo({
    days: options.days,
    seed: options.seed,
    endDate: options.endDate ?? todayIn(settings.timezone),
  });
  await store.createWorkspace(workspace);
  const dir = mkdtempSync(join(tmpdir(), "sextant-demo-"));
  try {
    const summaries: ImportSummary[] = [];
    for (const kind of IMPORT_KINDS) {
      const file = join(dir, `${kind}.csv`);
      writeFileSync(
        file,
        stringify(data[kind].map(asLocalTime), { header: true, columns: [...DEMO_COLUMNS[kind]] }),
      );
      summaries.push(await store.importFile(plainCsvImport(workspace, kind, file)));
    }
    await store.saveCustomKpi(workspace.name, "profit", "revenue * 0.4 - spend");
    await store.refreshDerived(workspace);
    return { workspace, summaries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
