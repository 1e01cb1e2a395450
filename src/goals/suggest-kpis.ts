import type { OBJECTIVE_TYPES } from "../definitions/schemas.js";
import { KPI_BY_ID } from "../kpi/catalog.js";
import type { CustomKpi } from "../kpi/custom-kpis.js";
import type { Lang } from "../model/lang.js";

export type ObjectiveType = (typeof OBJECTIVE_TYPES)[number];

/**
 * The KPIs that serve each objective type (docs/goals.md#objectives): the seeds first (awareness → reach,
 * impressions, mentions; conversion → conversion_rate, revenue, cpa; loyalty → retention_rate,
 * purchase_frequency, clv), then the other KPIs of the same family.
 */
export const KPIS_BY_TYPE: Readonly<Record<ObjectiveType, readonly string[]>> = {
  awareness: [
    "social_reach",
    "impressions",
    "mentions",
    "social_impressions",
    "followers",
    "social_interactions",
    "engagement_rate",
    "engagement_rate_reach",
    "posts",
    "visitors",
    "sessions",
    "pageviews",
    "clicks",
    "ctr",
    "cpm",
    "cpc",
  ],
  conversion: [
    "conversion_rate",
    "revenue",
    "cpa",
    "conversions",
    "converted_visitors",
    "visitor_conversion_rate",
    "leads",
    "cpl",
    "orders",
    "new_customers",
    "aov",
    "roi",
    "roas",
    "ad_conversions",
    "cost_per_ad_conversion",
    "bounce_rate",
    "click_rate",
  ],
  loyalty: [
    "retention_rate",
    "purchase_frequency",
    "clv",
    "customers",
    "aov",
    "orders",
    "revenue",
    "open_rate",
    "click_to_open_rate",
    "email_clicks",
    "unsubscribes",
    "followers",
  ],
};

/** Whether a KPI serves an objective type; a custom KPI serves it when one of its inputs does. */
export function servesType(kpi: string, type: ObjectiveType, custom: readonly CustomKpi[]): boolean {
  const serving = KPIS_BY_TYPE[type];
  if (serving.includes(kpi)) return true;
  const own = custom.find((c) => c.id === kpi);
  return own?.formula.names.some((name) => serving.includes(name)) ?? false;
}

export interface KpiSuggestion {
  readonly id: string;
  readonly label: string;
  readonly seed: boolean;
}

/** The KPIs suggested for an objective type, seeds first, with their labels in `lang`. */
export function suggestKpis(type: ObjectiveType, lang: Lang): KpiSuggestion[] {
  return KPIS_BY_TYPE[type].map((id, i) => ({
    id,
    label: KPI_BY_ID.get(id)?.label[lang] ?? id,
    seed: i < 3,
  }));
}
