import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { stringify } from "csv-stringify/sync";
import { UserError } from "../../errors.js";
import type { RejectedRow } from "../../store/store.js";
import { type DateOrder, dateOrderEvidence, parseDate } from "./dates.js";
import type { Layout } from "./layout.js";
import { type DecimalSeparator, decimalEvidence, parseNumber, symbolMatches } from "./numbers.js";
import type { FieldRule } from "./preset.js";
import { records, type SourceRecord } from "./source.js";

/** A platform export rewritten as a plain docs/importing.md#columns CSV, with the way back to its own lines. */
export interface Normalised {
  /** `originalLine[n]` is the export's line of the plain file's line n (1 is the header). */
  readonly originalLine: readonly number[];
  /** Rows refused here (with --skip-invalid; without it the first one throws). */
  readonly rejected: RejectedRow[];
  /** Total, summary and footer rows left out. */
  readonly totalRows: number;
}

export interface NormaliseOptions {
  readonly layout: Layout;
  readonly file: string;
  readonly out: string;
  readonly workspace: { readonly name: string; readonly currency: string };
  readonly skipInvalid: boolean;
}

// "Total: Account", "Total: Search campaigns" (Google Ads), "Total" (Microsoft Advertising).
const TOTAL = /^total(?:\s*:|$)/i;
const FOOTER = /^(?:©|\(c\)|copyright\b)/i;

/**
 * Reads the export twice as it streams: first to learn its conventions (decimal separator, day
 * and month order) and refuse a foreign currency, then to write the plain CSV. Each row keeps the
 * number of its line in the export, so that errors point at what the user sees.
 */
export async function normalise(options: NormaliseOptions): Promise<Normalised> {
  const { layout } = options;
  const conventions = await learnConventions(options);
  const fields = layout.preset.fields.filter((f) => layout.sources.has(f.target));
  const columns = [
    ...fields.map((f) => f.target),
    ...(layout.preset.kind === "costs" ? ["channel", "currency"] : []),
  ];
  const out = createWriteStream(options.out, "utf8");
  const originalLine: number[] = [0, layout.headerLine];
  const rejected: RejectedRow[] = [];
  let totalRows = 0;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  try {
    await write(stringify([columns]));
    for await (const record of dataRecords(options)) {
      if (isTotalRow(layout, record)) {
        totalRows++;
        continue;
      }
      const row =
        record.cells.length === layout.header.length
          ? convertRow(layout, fields, record, conventions)
          : {
              error: `the row has ${record.cells.length} fields where the header has ${layout.header.length}`,
            };
      if ("error" in row) {
        rejected.push({ line: record.line, reason: row.error });
        if (!options.skipInvalid) break;
        continue;
      }
      const extra = layout.preset.kind === "costs" ? [layout.preset.channel, conventions.currency ?? ""] : [];
      const text = stringify([[...row.values, ...extra]]);
      for (let i = 0; i < (text.match(/\n/g) ?? []).length; i++) originalLine.push(record.line);
      await write(text);
    }
  } finally {
    out.end();
    await once(out, "close");
  }
  const first = rejected[0];
  if (first && !options.skipInvalid) {
    throw new UserError(
      `Line ${first.line}: ${first.reason}. Nothing was imported (use --skip-invalid to import the good rows and list the bad ones).`,
      [{ line: first.line, reason: first.reason }],
      422,
    );
  }
  return { originalLine, rejected, totalRows };
}

interface Conventions {
  readonly decimal: DecimalSeparator;
  readonly dateOrder: DateOrder;
  /** The currency the export states (checked against the workspace's), if it states one. */
  readonly currency: string | null;
}

async function* dataRecords(options: NormaliseOptions): AsyncGenerator<SourceRecord> {
  const { layout } = options;
  let header = true;
  for await (const record of records(options.file, layout.encoding, layout.delimiter, layout.headerLine)) {
    if (header) {
      header = false;
      continue;
    }
    yield record;
  }
}

function isTotalRow(layout: Layout, record: SourceRecord): boolean {
  const filled = record.cells.map((c) => c.trim()).filter((c) => c !== "");
  const first = filled[0] ?? "";
  if (TOTAL.test(first)) return true;
  if (filled.length === 1 && FOOTER.test(first)) return true;
  if (!layout.preset.isSummaryRow) return false;
  return layout.preset.isSummaryRow(new Map([...layout.sources].map(([t, [i]]) => [t, cell(record, i)])));
}

function cell(record: SourceRecord, index: number | undefined): string {
  return index === undefined ? "" : (record.cells[index] ?? "");
}

/** First pass: the decimal separator and date order the file uses, and its currency. */
async function learnConventions(options: NormaliseOptions): Promise<Conventions> {
  const { layout, workspace } = options;
  const label = layout.preset.label;
  const refuse = (found: string, where: string) =>
    new UserError(
      `This ${label} export is in ${found} (${where}), but workspace "${workspace.name}" keeps its money in ${workspace.currency}. ` +
        `Sextant converts nothing silently, so nothing was imported: export the report in ${workspace.currency}, or import it into a workspace whose currency is ${found}.`,
      [{ field: "currency", reason: `${found} is not the workspace currency ${workspace.currency}` }],
      422,
    );
  let currency: string | null = null;
  if (layout.headerCurrency) {
    if (layout.headerCurrency.code !== workspace.currency.toUpperCase())
      throw refuse(layout.headerCurrency.code, `column "${layout.headerCurrency.header}"`);
    currency = layout.headerCurrency.code;
  }
  const numberColumns = layout.preset.fields
    .filter((f) => f.type === "number")
    .flatMap((f) => layout.sources.get(f.target) ?? []);
  const spendColumns = new Set(layout.sources.get("spend") ?? []);
  const dateColumn = layout.sources.get("date")?.[0];
  const decimals = new Map<DecimalSeparator, number>();
  const orders = new Map<DateOrder, number>();
  for await (const record of dataRecords(options)) {
    if (isTotalRow(layout, record)) continue;
    if (layout.currencyColumn !== null) {
      const code = cell(record, layout.currencyColumn).trim().toUpperCase();
      if (/^[A-Z]{3}$/.test(code)) {
        if (code !== workspace.currency.toUpperCase())
          throw refuse(code, `line ${record.line}, column "${layout.header[layout.currencyColumn]}"`);
        currency = code;
      }
    }
    for (const i of numberColumns) {
      const text = cell(record, i);
      const evidence = decimalEvidence(text);
      if (evidence && !decimals.has(evidence)) decimals.set(evidence, record.line);
      if (spendColumns.has(i)) {
        const symbol = /\d/.test(text) ? symbolOf(text) : null;
        if (symbol && !symbolMatches(symbol, workspace.currency))
          throw refuse(`"${symbol}"`, `line ${record.line}, column "${layout.header[i]}"`);
      }
    }
    const evidence = dateColumn === undefined ? null : dateOrderEvidence(cell(record, dateColumn));
    if (evidence && !orders.has(evidence)) orders.set(evidence, record.line);
  }
  const point = decimals.get(".");
  const comma = decimals.get(",");
  if (point !== undefined && comma !== undefined) {
    throw new UserError(
      `Line ${comma} writes numbers with a decimal comma and line ${point} with a decimal point: export the file again in one language.`,
      [{ line: Math.max(point, comma), reason: "two decimal separators" }],
      422,
    );
  }
  const decimal: DecimalSeparator =
    point !== undefined ? "." : comma !== undefined ? "," : layout.delimiter === ";" ? "," : ".";
  const mdy = orders.get("MDY");
  const dmy = orders.get("DMY");
  if (mdy !== undefined && dmy !== undefined) {
    throw new UserError(
      `Line ${dmy} writes dates day first and line ${mdy} month first: export the file again in one language.`,
      [{ line: Math.max(mdy, dmy), reason: "two date orders" }],
      422,
    );
  }
  const dateOrder: DateOrder = mdy ? "MDY" : dmy ? "DMY" : decimal === "," ? "DMY" : layout.preset.dateOrder;
  return { decimal, dateOrder, currency };
}

function symbolOf(text: string): string | null {
  const parsed = parseNumber(text, decimalEvidence(text) ?? ".");
  return "symbol" in parsed ? parsed.symbol : null;
}

/** One data row in the plain CSV's columns, or the first reason it cannot be read. */
function convertRow(
  layout: Layout,
  fields: readonly FieldRule[],
  record: SourceRecord,
  conventions: Conventions,
): { values: string[] } | { error: string } {
  const values: string[] = [];
  for (const field of fields) {
    const indexes = layout.sources.get(field.target) ?? [];
    const texts = indexes.map((i) => cell(record, i).trim());
    const name = indexes.map((i) => layout.header[i]).join(" + ");
    if (field.type === "text") {
      const text = texts[0] ?? "";
      if (field.required && text === "") return { error: `missing ${field.target} (column "${name}")` };
      values.push(text);
    } else if (field.type === "date") {
      const text = texts[0] ?? "";
      if (text === "") return { error: `missing ${field.target} (column "${name}")` };
      const parsed = parseDate(text, conventions.dateOrder);
      if ("error" in parsed) return { error: `${name} ${parsed.error}` };
      if (layout.rangeEndColumn !== null) {
        const end = parseDate(cell(record, layout.rangeEndColumn), conventions.dateOrder);
        if (!("date" in end) || end.date !== parsed.date) {
          const endName = layout.header[layout.rangeEndColumn];
          return {
            error: `the row covers ${name} ${text} to ${endName} ${cell(record, layout.rangeEndColumn).trim()}, not one day: ${layout.preset.range?.hint ?? "export it by day"}`,
          };
        }
      }
      values.push(parsed.date);
    } else {
      let sum: number | null = null;
      for (const [k, text] of texts.entries()) {
        const header = layout.header[indexes[k] ?? -1] ?? field.target;
        const parsed = parseNumber(text, conventions.decimal);
        if ("error" in parsed) return { error: `${header} ${parsed.error}` };
        if (parsed.percent)
          return { error: `${header} "${text}" is a percentage, not a ${field.target} figure` };
        if (parsed.value !== null && parsed.value < 0) return { error: `${header} "${text}" is negative` };
        if (parsed.value !== null) sum = (sum ?? 0) + parsed.value;
      }
      // No spend written ("--") is no spend; other figures stay unknown rather than zero.
      if (sum === null && field.target === "spend") sum = 0;
      if (sum === null && field.required) return { error: `missing ${field.target} (column "${name}")` };
      values.push(sum === null ? "" : String(sum));
    }
  }
  return { values };
}
