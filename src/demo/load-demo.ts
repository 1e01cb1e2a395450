import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { UserError } from "../errors.js";
import { todayIn } from "../model/calendar.js";
import { IMPORT_KINDS } from "../model/import-kinds.js";
import { validateSettings } from "../model/parse-setting.js";
import type { Workspace } from "../model/workspace.js";
import { type ImportSummary, plainCsvImport, type Store } from "../store/store.js";
import { defineDemo } from "./definitions.js";
import { ENGAGEMENT_COLUMNS, generateEngagement } from "./engagement.js";
import { demoExperiments, EXPOSURE_COLUMNS, generateExposures } from "./experiments.js";
import { DEMO_COLUMNS, generateDemo } from "./generate.js";
import { Random, streamSeed } from "./random.js";

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

/** Random streams of the exposures and the engagement (generateDemo uses 1 to 5). */
const EXPOSURE_STREAM = 6;
const ENGAGEMENT_STREAM = 7;

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
  const endDate = options.endDate ?? todayIn(settings.timezone);
  const data = generateDemo({ days: options.days, seed: options.seed, endDate });
  const experiments = demoExperiments(endDate, options.days);
  // Its own random stream: the exposures do not change the rows generateDemo gives for a seed.
  const engagement = generateEngagement(data.events, new Random(streamSeed(options.seed, ENGAGEMENT_STREAM)));
  const exposures = generateExposures(
    data.events,
    experiments,
    new Random(streamSeed(options.seed, EXPOSURE_STREAM)),
  );
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
    // Rows the generator's events do not have columns for: each kind of event its own file.
    const extra = [
      { name: "exposures", rows: exposures, columns: EXPOSURE_COLUMNS },
      { name: "engagement", rows: engagement, columns: ENGAGEMENT_COLUMNS },
    ];
    for (const { name, rows, columns } of extra) {
      const file = join(dir, `${name}.csv`);
      writeFileSync(file, stringify(rows.map(asLocalTime), { header: true, columns: [...columns] }));
      const added = await store.importFile(plainCsvImport(workspace, "events", file));
      const at = summaries.findIndex((s) => s.kind === "events");
      const events = summaries[at];
      if (events) {
        summaries[at] = {
          ...events,
          rowsRead: events.rowsRead + added.rowsRead,
          rowsStored: events.rowsStored + added.rowsStored,
        };
      }
    }
    await store.saveCustomKpi(workspace.name, "profit", "revenue * 0.4 - spend");
    await store.refreshDerived(workspace);
    await defineDemo(store, workspace, endDate, options.days, experiments);
    return { workspace, summaries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
