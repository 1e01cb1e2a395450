/**
 * Base measures: the additive or distinct aggregates a store computes over one fact table.
 * Every KPI of the catalog is a formula over these, computed after the query, so that totals
 * are never sums of ratios.
 */
export const FACT_MEASURES = {
  events: [
    "visitors",
    "sessions",
    "pageviews",
    "bounces",
    "duration_sum",
    "conversions",
    "converted_visitors",
    "leads",
    // Page views that received engagement, their summed engaged time and largest scroll depths.
    "engaged_pageviews",
    "engaged_seconds_sum",
    "scroll_depth_sum",
  ],
  orders: ["orders", "revenue", "customers", "new_customers", "retained_customers", "prior_customers"],
  costs: ["spend", "impressions", "clicks", "ad_conversions"],
  email: ["emails_sent", "emails_delivered", "email_opens", "email_clicks", "unsubscribes", "email_bounces"],
  social: ["social_reach", "social_impressions", "social_interactions", "posts", "mentions", "followers"],
} as const;

export type Fact = keyof typeof FACT_MEASURES;
export type BaseMeasure = (typeof FACT_MEASURES)[Fact][number];
export const FACTS = Object.keys(FACT_MEASURES) as Fact[];

/** Measures that have no value (rather than 0) when a fact has no rows: levels, not sums. */
export const LEVEL_MEASURES: ReadonlySet<BaseMeasure> = new Set<BaseMeasure>(["followers"]);

/** Measures read from the engagement of page views (time on page, scroll depth). */
export const ENGAGEMENT_MEASURES: ReadonlySet<BaseMeasure> = new Set<BaseMeasure>([
  "engaged_pageviews",
  "engaged_seconds_sum",
  "scroll_depth_sum",
]);

export function factOf(measure: BaseMeasure): Fact {
  for (const fact of FACTS) {
    if ((FACT_MEASURES[fact] as readonly string[]).includes(measure)) return fact;
  }
  throw new Error(`measure ${measure} belongs to no fact`);
}

export type MeasureValues = Partial<Record<BaseMeasure, number | null>>;
