import type { Preset } from "./preset.js";
import { DELIMITERS, type Delimiter, type Encoding, splitLine } from "./source.js";

/** Where a preset's columns are in one file: found once from its first lines. */
export interface Layout {
  readonly preset: Preset;
  readonly encoding: Encoding;
  readonly delimiter: Delimiter;
  /** The header's line in the file (from 1); lines above it are the export's title and range. */
  readonly headerLine: number;
  readonly header: readonly string[];
  /** Target column → the file's columns (several are added up). */
  readonly sources: ReadonlyMap<string, readonly number[]>;
  /** A column naming each row's currency ("Currency code"), if any. */
  readonly currencyColumn: number | null;
  /** A currency code written in a header ("Amount spent (EUR)"). */
  readonly headerCurrency: { readonly code: string; readonly header: string } | null;
  /** The column that must repeat the date when the date is the start of a range (see Preset.range). */
  readonly rangeEndColumn: number | null;
}

const CODE_IN_HEADER = /\s*\(([A-Z]{3})\)$/;

/** A header cell as compared: any case, spaces collapsed, a currency code in parentheses removed. */
function headerKey(cell: string): { key: string; code: string | null } {
  const trimmed = cell.replace(/^\uFEFF/, "").trim();
  const code = CODE_IN_HEADER.exec(trimmed)?.[1] ?? null;
  const base = code === null ? trimmed : trimmed.replace(CODE_IN_HEADER, "");
  return { key: base.replace(/\s+/g, " ").toLowerCase(), code };
}

type HeaderMatch = Omit<Layout, "encoding" | "delimiter" | "headerLine">;

/** The preset's columns in a header row, or null when a required one is missing. */
export function matchHeader(preset: Preset, cells: readonly string[]): HeaderMatch | null {
  const keys = cells.map(headerKey);
  const index = (name: string) => keys.findIndex((k) => k.key === name.toLowerCase());
  const sources = new Map<string, number[]>();
  let headerCurrency: Layout["headerCurrency"] = null;
  for (const field of preset.fields) {
    for (const alternative of field.headers) {
      const names = typeof alternative === "string" ? [alternative] : alternative;
      const found = names.map(index);
      if (found.every((i) => i >= 0)) {
        sources.set(field.target, found);
        for (const i of found) {
          const code = keys[i]?.code;
          if (code && headerCurrency === null) headerCurrency = { code, header: (cells[i] ?? "").trim() };
        }
        break;
      }
    }
    if (field.required && !sources.has(field.target)) return null;
  }
  const currency = preset.currencyHeaders.map(index).find((i) => i >= 0);
  const dateColumn = sources.get("date")?.[0];
  const fromRangeStart =
    preset.range !== undefined && dateColumn !== undefined && dateColumn === index(preset.range.start);
  const rangeEnd = fromRangeStart && preset.range ? index(preset.range.end) : -1;
  return {
    rangeEndColumn: rangeEnd >= 0 ? rangeEnd : null,
    preset,
    header: cells.map((c) => c.trim()),
    sources,
    currencyColumn: currency ?? null,
    headerCurrency,
  };
}

/**
 * The first line, within the file's first lines, that is the header of one of `presets`, with the
 * delimiter that makes it one (tab, semicolon or comma).
 */
export function findLayout(
  head: { encoding: Encoding; lines: readonly string[] },
  presets: readonly Preset[],
): Layout | null {
  for (const [i, line] of head.lines.entries()) {
    if (line.trim() === "") continue;
    for (const delimiter of DELIMITERS) {
      if (!line.includes(delimiter)) continue;
      const cells = splitLine(line, delimiter);
      if (cells === null || cells.length < 2) continue;
      for (const preset of presets) {
        const match = matchHeader(preset, cells);
        if (match) return { ...match, encoding: head.encoding, delimiter, headerLine: i + 1 };
      }
    }
  }
  return null;
}
