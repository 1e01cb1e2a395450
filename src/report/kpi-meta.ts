import { KPI_BY_ID, type Unit } from "../kpi/catalog.js";
import type { KpiRow } from "../kpi/run-query.js";
import type { Lang } from "../model/lang.js";
import { type CampaignTable, type Cell, fig, text } from "./model.js";

export interface KpiMeta {
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  readonly better: "higher" | "lower";
}

/** A KPI's label in the report language, its unit and direction (from the catalog). */
export function kpiMeta(id: string, lang: Lang): KpiMeta {
  const def = KPI_BY_ID.get(id);
  if (!def) throw new Error(`report asks for unknown KPI ${id}`);
  return { id, label: def.label[lang], unit: def.unit, better: def.better };
}

/** The figures of the table by campaign (both reports, and the CSV format). */
export const CAMPAIGN_KPIS = [
  "spend",
  "impressions",
  "clicks",
  "ctr",
  "conversions",
  "cpa",
  "revenue",
  "roi",
  "roas",
] as const;

export const num = (value: string | number | null | undefined): number | null =>
  typeof value === "number" ? value : null;

/** The table by campaign from a KPI result grouped by campaign. */
export function campaignTable(rows: readonly KpiRow[], lang: Lang): CampaignTable {
  return {
    kpis: CAMPAIGN_KPIS.map((id) => kpiMeta(id, lang)),
    rows: rows.map((row) => ({
      campaign: String(row.campaign),
      values: Object.fromEntries(CAMPAIGN_KPIS.map((id) => [id, num(row[id])])),
    })),
  };
}

/** The campaign table as a report block. */
export function campaignBlockRows(table: CampaignTable): (readonly Cell[])[] {
  return table.rows.map((row) => [
    text(row.campaign),
    ...table.kpis.map((k) => fig(row.values[k.id] ?? null, k.unit, k.id)),
  ]);
}
