import { UserError } from "../errors.js";
import { IMPORT_KINDS, type ImportKind, KIND_SPECS } from "../model/import-kinds.js";

/** Parses `--map target=source,...` into target → source, checking targets against the kind. */
export function parseColumnMap(kind: ImportKind, raw: string | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  if (raw === undefined || raw.trim() === "") return map;
  const known = new Set(KIND_SPECS[kind].columns.map((c) => c.name));
  for (const pair of raw.split(",")) {
    const eq = pair.indexOf("=");
    const target = pair.slice(0, eq).trim();
    const source = pair.slice(eq + 1).trim();
    if (eq <= 0 || source === "") {
      throw new UserError(`--map entry "${pair}" is not target=source, for example spend=Spent.`, [
        { field: "map", reason: "expected target=source" },
      ]);
    }
    if (!known.has(target)) {
      throw new UserError(
        `--map names "${target}", which is not a ${kind} column. ${kind} columns are: ${[...known].join(", ")}.`,
        [{ field: "map", reason: `unknown target column ${target}` }],
      );
    }
    map[target] = source;
  }
  return map;
}

const TOKENS: readonly [string, string][] = [
  ["YYYY", "%Y"],
  ["MM", "%m"],
  ["DD", "%d"],
  ["HH", "%H"],
  ["mm", "%M"],
  ["ss", "%S"],
];

/**
 * Turns a date format such as `DD-MM-YYYY` or `DD/MM/YYYY HH:mm` into a strptime format.
 * Only the tokens YYYY, MM, DD, HH, mm, ss are read; other characters must match literally.
 */
export function toStrptimeFormat(format: string): string {
  let out = "";
  let i = 0;
  let hasDate = 0;
  while (i < format.length) {
    const token = TOKENS.find(([t]) => format.startsWith(t, i));
    if (token) {
      out += token[1];
      if (token[0] === "YYYY" || token[0] === "MM" || token[0] === "DD") hasDate++;
      i += token[0].length;
      continue;
    }
    const ch = format.charAt(i);
    if (/[A-Za-z%]/.test(ch)) {
      throw new UserError(
        `--date-format "${format}" has "${ch}" at position ${i}; use the tokens YYYY, MM, DD, HH, mm, ss.`,
        [{ field: "date-format", position: i, reason: "unknown token" }],
      );
    }
    out += ch;
    i++;
  }
  if (hasDate < 3) {
    throw new UserError(`--date-format "${format}" must contain YYYY, MM and DD.`, [
      { field: "date-format", reason: "missing date tokens" },
    ]);
  }
  return out;
}

export function parseImportKind(raw: string): ImportKind {
  if ((IMPORT_KINDS as readonly string[]).includes(raw)) return raw as ImportKind;
  throw new UserError(`"${raw}" is not something Sextant imports. Use one of: ${IMPORT_KINDS.join(", ")}.`, [
    { field: "kind", reason: "unknown kind" },
  ]);
}

/** CSV unless the file name ends in .jsonl or .ndjson. */
export function fileFormat(file: string): "csv" | "jsonl" {
  return /\.(jsonl|ndjson)$/i.test(file) ? "jsonl" : "csv";
}
