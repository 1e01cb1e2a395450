import { stringify } from "csv-stringify/sync";
import { formatNumber } from "./format-number.js";
import type { ReportModel } from "./model.js";

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell a spreadsheet will not run: one starting with =, +, -, @, tab or CR gets a leading
 * apostrophe (OWASP's CSV injection advice, docs/reports.md#formats). Negative numbers are neutralised too.
 */
export function neutralise(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/**
 * The table by campaign, one row per campaign and figure (docs/reports.md#formats): `campaign, kpi, label,
 * value, formatted`. `value` is the KPI API's number as JSON writes it (empty for null);
 * `formatted` is the figure as the report writes it, in the report language.
 */
export function renderCsv(model: ReportModel): string {
  const rows: string[][] = [["campaign", "kpi", "label", "value", "formatted"]];
  for (const row of model.campaigns.rows) {
    for (const kpi of model.campaigns.kpis) {
      const value = row.values[kpi.id] ?? null;
      rows.push([
        row.campaign,
        kpi.id,
        kpi.label,
        value === null ? "" : String(value),
        formatNumber(value, kpi.unit, model.lang, model.currency),
      ]);
    }
  }
  return stringify(
    rows.map((r) => r.map(neutralise)),
    { record_delimiter: "\r\n" },
  );
}
