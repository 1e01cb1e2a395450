import { KPI_BY_ID } from "../../kpi/catalog.js";
import type { BaseMeasure } from "../../model/measures.js";

/**
 * How a KPI compares across segments. A count or sum is additive: a segment's share is its part of
 * the total. A ratio's share is the segment's part of its denominator (a segment with half the
 * sessions weighs half in the bounce rate). A proportion (successes among trials, at most one per
 * trial) is also tested: the segment against the rest of the population.
 */
export type SegmentShape =
  | { readonly kind: "additive" }
  | { readonly kind: "ratio"; readonly denominator: BaseMeasure }
  | { readonly kind: "proportion"; readonly numerator: BaseMeasure; readonly denominator: BaseMeasure }
  /** A custom formula: no known denominator, nothing to test. */
  | { readonly kind: "formula" };

const ratio = (denominator: BaseMeasure): SegmentShape => ({ kind: "ratio", denominator });
const proportion = (numerator: BaseMeasure, denominator: BaseMeasure): SegmentShape => ({
  kind: "proportion",
  numerator,
  denominator,
});

/**
 * The derived KPIs of the catalog (docs/concepts.md#kpis) by the measure they divide by. Every derived KPI must be
 * here (a unit test walks the catalog). `conversion_rate` counts conversion events, which may exceed
 * visitors; it is tested as a proportion only where they do not (see compareSegments).
 */
const DERIVED: Readonly<Record<string, SegmentShape>> = {
  pages_per_session: ratio("sessions"),
  bounce_rate: proportion("bounces", "sessions"),
  avg_visit_duration: ratio("sessions"),
  time_on_page: ratio("engaged_pageviews"),
  scroll_depth: ratio("engaged_pageviews"),
  conversion_rate: proportion("conversions", "visitors"),
  visitor_conversion_rate: proportion("converted_visitors", "visitors"),
  aov: ratio("orders"),
  purchase_frequency: ratio("customers"),
  retention_rate: proportion("retained_customers", "prior_customers"),
  clv: ratio("customers"),
  ctr: proportion("clicks", "impressions"),
  cpc: ratio("clicks"),
  cpm: ratio("impressions"),
  cpa: ratio("new_customers"),
  cpl: ratio("leads"),
  cost_per_ad_conversion: ratio("ad_conversions"),
  roi: ratio("spend"),
  roas: ratio("spend"),
  open_rate: proportion("email_opens", "emails_sent"),
  click_rate: proportion("email_clicks", "emails_sent"),
  click_to_open_rate: proportion("email_clicks", "email_opens"),
  engagement_rate: ratio("posts"),
  engagement_rate_reach: ratio("social_reach"),
};

/** The shape of a KPI id: built-in base measures are additive, custom formulas are formulas. */
export function shapeOf(kpi: string): SegmentShape {
  const derived = DERIVED[kpi];
  if (derived) return derived;
  const def = KPI_BY_ID.get(kpi);
  if (def && def.measures.length === 1 && def.measures[0] === kpi) return { kind: "additive" };
  if (def) throw new Error(`KPI ${kpi} has no segment shape: add it to DERIVED in shapes.ts`);
  return { kind: "formula" };
}

/** The base measures a shape needs beside the KPI's value. */
export function shapeMeasures(shape: SegmentShape): BaseMeasure[] {
  switch (shape.kind) {
    case "additive":
    case "formula":
      return [];
    case "ratio":
      return [shape.denominator];
    case "proportion":
      return [shape.numerator, shape.denominator];
    default: {
      const unknown: never = shape;
      throw new Error(`unknown shape ${JSON.stringify(unknown)}`);
    }
  }
}
