import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ErrorDetail, UserError } from "../errors.js";
import type { ImportKind } from "../model/import-kinds.js";
import type { Workspace } from "../model/workspace.js";
import type { ImportSummary, RejectedRow, Store } from "../store/store.js";
import { toStrptimeFormat } from "./options.js";
import { describePresets, type Preset, type PresetName, parsePreset, presetsFor } from "./presets/index.js";
import { findLayout, type Layout } from "./presets/layout.js";
import { normalise } from "./presets/normalise.js";
import { readHead } from "./presets/source.js";

export interface ImportFileOptions {
  readonly workspace: Workspace;
  readonly kind: ImportKind;
  readonly file: string;
  readonly format: "csv" | "jsonl";
  /** `--preset NAME`, or null to recognise a platform export by its header. */
  readonly preset: string | null;
  readonly map: Readonly<Record<string, string>>;
  readonly dateFormat: string | null;
  readonly skipInvalid: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The store's summary, plus the preset that read the file and the total rows it left out. */
export interface ImportResult extends ImportSummary {
  readonly preset: PresetName | null;
  readonly totalRowsSkipped: number;
}

/**
 * Imports one file for the CLI and the HTTP API alike (docs/presets/README.md): a platform export named by
 * `--preset`, or recognised by its header when neither a preset nor `--map` is given, is first
 * rewritten as a plain CSV (see presets/normalise.ts), so that both stores read one shape.
 */
export async function importFile(store: Store, options: ImportFileOptions): Promise<ImportResult> {
  const layout = await presetLayout(options);
  if (layout === null) {
    try {
      const summary = await store.importFile(storeRequest(options, options.file));
      return { ...summary, preset: null, totalRowsSkipped: 0 };
    } catch (error) {
      throw withPresetHint(error, options.kind);
    }
  }
  const dir = await mkdtemp(join(tmpdir(), "sextant-preset-"));
  try {
    const plain = join(dir, "plain.csv");
    const normalised = await normalise({
      layout,
      file: options.file,
      out: plain,
      workspace: { name: options.workspace.name, currency: options.workspace.settings.currency },
      skipInvalid: options.skipInvalid,
    });
    const toOriginal = (line: number) => normalised.originalLine[line] ?? line;
    let summary: ImportSummary;
    try {
      summary = await store.importFile(storeRequest(options, plain));
    } catch (error) {
      throw atOriginalLines(error, toOriginal, plain, options.file);
    }
    const rejected: RejectedRow[] = [
      ...normalised.rejected,
      ...summary.rejected.map((r) => ({ ...r, line: toOriginal(r.line) })),
    ].sort((a, b) => a.line - b.line);
    return {
      ...summary,
      rowsRead: summary.rowsRead + normalised.rejected.length,
      rejected,
      preset: layout.preset.name,
      totalRowsSkipped: normalised.totalRows,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function storeRequest(options: ImportFileOptions, file: string) {
  return {
    workspace: options.workspace,
    kind: options.kind,
    file,
    format: options.format,
    map: options.map,
    dateFormat: options.dateFormat === null ? null : toStrptimeFormat(options.dateFormat),
    skipInvalid: options.skipInvalid,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/** The named preset's layout in the file, a recognised one, or null for a plain import. */
async function presetLayout(options: ImportFileOptions): Promise<Layout | null> {
  if (options.preset === null) {
    const plainOnly = Object.keys(options.map).length > 0 || options.dateFormat !== null;
    const candidates = presetsFor(options.kind);
    if (plainOnly || options.format !== "csv" || candidates.length === 0) return null;
    return findLayout(await readOrRefuse(options.file), candidates);
  }
  const preset = parsePreset(options.kind, options.preset);
  if (Object.keys(options.map).length > 0 || options.dateFormat !== null) {
    throw new UserError(
      `--preset ${preset.name} reads the export's own columns and dates: leave out --map and --date-format.`,
      [{ field: "preset", reason: "not with --map or --date-format" }],
    );
  }
  if (options.format !== "csv") {
    throw new UserError(`--preset ${preset.name} reads the platform's CSV download, not JSON Lines.`, [
      { field: "preset", reason: "CSV only" },
    ]);
  }
  const layout = findLayout(await readOrRefuse(options.file), [preset]);
  if (layout === null) throw noHeader(preset, options.file);
  return layout;
}

async function readOrRefuse(file: string) {
  try {
    return await readHead(file);
  } catch {
    throw new UserError(`The file ${file} does not exist or cannot be read.`, [
      { field: "file", reason: "not found" },
    ]);
  }
}

function noHeader(preset: Preset, file: string): UserError {
  const required = preset.fields
    .filter((f) => f.required)
    .map((f) => f.headers.map((h) => (typeof h === "string" ? `"${h}"` : h.join(" + "))).join(" or "));
  return new UserError(
    `No line near the top of ${file} is the header of a ${preset.label} export: it needs the columns ${required.join(", ")}. ` +
      `See docs/presets/${preset.name}.md for the report to download.`,
    [{ field: "file", line: 1, reason: `no ${preset.name} header` }],
    422,
  );
}

/** A plain file that lacks required columns may be a platform export: say which presets exist. */
function withPresetHint(error: unknown, kind: ImportKind): unknown {
  if (!(error instanceof UserError) || presetsFor(kind).length === 0) return error;
  if (!error.details.some((d) => d.reason === "missing column")) return error;
  return new UserError(
    `${error.message} If the file is a platform's own export, name it with --preset: ${describePresets(kind)}.`,
    error.details,
    error.status,
    error.exitCode,
  );
}

/** An error about the plain file, told in the export's lines and name. */
function atOriginalLines(
  error: unknown,
  toOriginal: (line: number) => number,
  plain: string,
  file: string,
): unknown {
  if (!(error instanceof UserError)) return error;
  const message = error.message
    .replace(/\bLine (\d+)/g, (_m, n: string) => `Line ${toOriginal(Number(n))}`)
    .split(plain)
    .join(file);
  const details: ErrorDetail[] = error.details.map((d) =>
    d.line === undefined ? d : { ...d, line: toOriginal(d.line) },
  );
  return new UserError(message, details, error.status, error.exitCode);
}
