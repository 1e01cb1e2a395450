import Table from "cli-table3";
import { stringify } from "csv-stringify/sync";
import { UserError } from "../errors.js";
import { KPI_BY_ID } from "../kpi/catalog.js";
import { formatValue } from "../kpi/format.js";
import type { KpiResult } from "../kpi/run-query.js";
import type { Workspace } from "../model/workspace.js";

export const FORMATS = ["table", "json", "csv"] as const;
export type Format = (typeof FORMATS)[number];

/** Checks a --format value against the formats a command offers. */
export function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UserError(`--format "${value}" is not one of ${FORMATS.join(", ")}.`, [
    { field: "format", reason: "unknown format" },
  ]);
}

/** A spreadsheet must not run a cell as a formula (CSV injection): text starting with = + - @ is quoted. */
export function neutralise(cell: unknown): unknown {
  return typeof cell === "string" && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** Rows of objects as CSV with a header row, text cells neutralised. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return stringify(
    rows.map((row) => columns.map((c) => neutralise(row[c] ?? null))),
    { header: true, columns: [...columns], cast: { number: (n) => String(n) } },
  );
}

/** An aligned table without outer borders, for terminals. */
export function toTable(head: readonly string[], rows: readonly string[][], alignRightFrom = 0): string {
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], compact: true },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    colAligns: head.map((_, i) => (i >= alignRightFrom ? "right" : "left")),
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

/** Renders a KPI result in the format asked for. */
export function renderKpis(result: KpiResult, format: Format, workspace: Workspace): string {
  const keys = [...(result.interval ? ["period"] : []), ...result.groupBy];
  switch (format) {
    case "json":
      return `${JSON.stringify(
        {
          workspace: result.workspace,
          from: result.from,
          to: result.to,
          interval: result.interval,
          groupBy: result.groupBy,
          rows: result.rows,
          totals: result.totals,
        },
        null,
        2,
      )}\n`;
    case "csv":
      return toCsv(
        [...keys, ...result.kpis],
        [
          ...result.rows,
          { ...Object.fromEntries(keys.map((k, i) => [k, i === 0 ? "total" : ""])), ...result.totals },
        ],
      );
    case "table":
      return renderTable(result, keys, workspace);
    default: {
      const unknown: never = format;
      throw new Error(`unknown format ${String(unknown)}`);
    }
  }
}

function renderTable(result: KpiResult, keys: readonly string[], workspace: Workspace): string {
  const { locale, currency } = workspace.settings;
  const show = (id: string, value: unknown) => {
    const def = KPI_BY_ID.get(id);
    const number = typeof value === "number" ? value : null;
    return def
      ? formatValue(number, def.unit, locale, currency)
      : number === null
        ? "—"
        : String(Number(number.toPrecision(6)));
  };
  const label = (id: string) => KPI_BY_ID.get(id)?.label[locale] ?? id;
  const title = `${result.workspace} · ${result.from} → ${result.to}${result.interval ? ` · by ${result.interval}` : ""}${result.groupBy.length ? ` · by ${result.groupBy.join(", ")}` : ""}\n`;
  if (keys.length === 0) {
    // One row: a list of KPIs reads better than a very wide table.
    return `${title}${toTable(
      ["KPI", "Value"],
      result.kpis.map((id) => [label(id), show(id, result.totals[id])]),
      1,
    )}\n`;
  }
  const rows = result.rows.map((row) => [
    ...keys.map((k) => String(row[k] ?? "")),
    ...result.kpis.map((id) => show(id, row[id])),
  ]);
  rows.push([
    ...keys.map((_, i) => (i === 0 ? "Total" : "")),
    ...result.kpis.map((id) => show(id, result.totals[id])),
  ]);
  return `${title}${toTable([...keys, ...result.kpis.map(label)], rows, keys.length)}\n`;
}
