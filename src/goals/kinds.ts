import { KPI_BY_ID } from "../kpi/catalog.js";

/**
 * KPIs that docs/concepts.md#kpis defines as a count or sum of events or rows: the only ones a goal may add up
 * day after day (docs/goals.md#goals-and-their-figures). Distinct counts (visitors, customers), last values (followers) and
 * ratios are levels.
 */
export const CUMULATIVE_KPIS: ReadonlySet<string> = new Set([
  "pageviews",
  "sessions",
  "conversions",
  "leads",
  "orders",
  "revenue",
  "new_customers",
  "spend",
  "impressions",
  "clicks",
  "ad_conversions",
  "emails_sent",
  "emails_delivered",
  "email_opens",
  "email_clicks",
  "unsubscribes",
  "social_reach",
  "social_impressions",
  "social_interactions",
  "posts",
  "mentions",
]);

export type GoalKind = "cumulative" | "level";
export type Direction = "up" | "down";

/** The kind of a goal on this KPI when the goal does not say (docs/goals.md#goals-and-their-figures). */
export function defaultKind(kpi: string): GoalKind {
  return CUMULATIVE_KPIS.has(kpi) ? "cumulative" : "level";
}

/** `down` for the lower-is-better KPIs (catalog `better: lower`), else `up`; custom KPIs go up. */
export function directionOf(kpi: string): Direction {
  return KPI_BY_ID.get(kpi)?.better === "lower" ? "down" : "up";
}

/** Whether a goal may be cumulative on this KPI. */
export function canBeCumulative(kpi: string): boolean {
  return CUMULATIVE_KPIS.has(kpi);
}
