import type { Unit } from "../kpi/catalog.js";
import type { Lang } from "../model/lang.js";

/**
 * A report as data: sections of blocks, every figure a raw number with its unit, every text
 * plain (renderers escape it). Pure: the gatherers fill it from KPI results, the renderers
 * write it as HTML, PDF, Markdown or CSV.
 */
export interface ReportModel {
  readonly kind: "audit" | "periodic";
  readonly lang: Lang;
  readonly currency: string;
  readonly workspace: string;
  readonly title: string;
  readonly subtitle: string;
  readonly from: string;
  readonly to: string;
  readonly sections: readonly Section[];
  /** The table by campaign (the CSV format). */
  readonly campaigns: CampaignTable;
  /** The period's headline KPIs over all campaigns (a periodic report's first table; CSV too). */
  readonly headline?: HeadlineTable;
}

export interface HeadlineTable {
  readonly kpis: readonly { readonly id: string; readonly label: string; readonly unit: Unit }[];
  readonly values: Readonly<Record<string, number | null>>;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

/** A figure: a KPI value (raw, as the KPI API gives it) or a derived number such as a change. */
export interface Figure {
  readonly value: number | null;
  readonly unit: Unit;
  /** The KPI id when the value is a KPI's (HTML marks it with data-kpi). */
  readonly kpi?: string;
}

export type Cell = { readonly text: string } | { readonly figure: Figure };

export type Block =
  | { readonly type: "paragraph"; readonly text: string }
  | { readonly type: "note"; readonly text: string }
  | { readonly type: "bullets"; readonly items: readonly string[] }
  | {
      readonly type: "table";
      readonly columns: readonly string[];
      /** Columns holding numbers are right-aligned. */
      readonly numeric: readonly boolean[];
      readonly rows: readonly (readonly Cell[])[];
    }
  | { readonly type: "chart"; readonly chart: Chart };

/** A line chart over periods; one or two series (the second on its own scale). */
export interface Chart {
  readonly title: string;
  readonly periods: readonly string[];
  readonly series: readonly {
    readonly label: string;
    readonly unit: Unit;
    readonly values: readonly (number | null)[];
  }[];
}

export interface CampaignTable {
  readonly kpis: readonly { readonly id: string; readonly label: string; readonly unit: Unit }[];
  readonly rows: readonly {
    readonly campaign: string;
    readonly values: Readonly<Record<string, number | null>>;
  }[];
}

export const text = (t: string): Cell => ({ text: t });
export const fig = (value: number | null, unit: Unit, kpi?: string): Cell => ({
  figure: kpi === undefined ? { value, unit } : { value, unit, kpi },
});
