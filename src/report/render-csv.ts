import { stringify } from "csv-stringify/sync";
import { formatNumber } from "./format-number.js";
import type { ReportModel } from "./model.js";

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell a spreadsheet will not run: one starting with =, +, -, @, tab or CR gets a leading
 * apostrophe (OWASP's CSV injection advice, docs/reports.md). Numbers are not text: they are
 * written as they are (`-77.13`), so a spreadsheet reads them as numbers.
 */
export function neutralise(cell: string | number): string {
  return typeof cell === "number" ? String(cell) : FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The `campaign` of the CSV rows that hold the period's headline KPIs over all campaigns. */
export const TOTAL_ROW = "(total)";

/**
 * The table by campaign, one row per campaign and figure (docs/reports.md#formats): `campaign, kpi, label,
 * value, formatted`. `value` is the KPI API's number as JSON writes it (empty for null);
 * `formatted` is the figure as the report writes it, in the report language. A periodic report's
 * headline KPIs come first, as rows of the campaign `(total)`, so a spreadsheet has the totals.
 */
export function renderCsv(model: ReportModel): string {
  const rows: (string | number)[][] = [["campaign", "kpi", "label", "value", "formatted"]];
  for (const kpi of model.headline?.kpis ?? []) {
    const value = model.headline?.values[kpi.id] ?? null;
    rows.push([
      TOTAL_ROW,
      kpi.id,
      kpi.label,
      value === null ? "" : value,
      formatNumber(value, kpi.unit, model.lang, model.currency),
    ]);
  }
  for (const row of model.campaigns.rows) {
    for (const kpi of model.campaigns.kpis) {
      const value = row.values[kpi.id] ?? null;
      rows.push([
        row.campaign,
        kpi.id,
        kpi.label,
        value === null ? "" : value,
        formatNumber(value, kpi.unit, model.lang, model.currency),
      ]);
    }
  }
  return stringify(
    rows.map((r) => r.map(neutralise)),
    { record_delimiter: "\r\n" },
  );
}
