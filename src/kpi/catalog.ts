import type { BaseMeasure } from "../model/measures.js";
import type { WorkspaceSettings } from "../model/workspace.js";

export type Unit = "count" | "percent" | "money" | "seconds" | "ratio";

/** A built-in KPI of docs/concepts.md#kpis: its definition once, as data, driving the query, the docs and the tests. */
export interface KpiDefinition {
  readonly id: string;
  readonly label: { readonly en: string; readonly fr: string };
  readonly unit: Unit;
  /** Lower is better for costs and bounce rate (goals and alerts reverse their direction). */
  readonly better: "higher" | "lower";
  /** The definition as published (docs/concepts.md#kpis). */
  readonly definition: string;
  readonly measures: readonly BaseMeasure[];
  readonly compute: (
    m: Readonly<Record<BaseMeasure, number | null>>,
    settings: WorkspaceSettings,
  ) => number | null;
}

/** a / b, or null when b is 0 or either side has no value (docs/concepts.md#kpis: division by zero is null). */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return a / b;
}

export function percent(a: number | null, b: number | null): number | null {
  const r = ratio(a, b);
  return r === null ? null : r * 100;
}

type M = Readonly<Record<BaseMeasure, number | null>>;

function base(
  id: BaseMeasure,
  en: string,
  fr: string,
  unit: Unit,
  definition: string,
  better: "higher" | "lower" = "higher",
): KpiDefinition {
  return { id, label: { en, fr }, unit, better, definition, measures: [id], compute: (m) => m[id] };
}

function derived(
  id: string,
  en: string,
  fr: string,
  unit: Unit,
  definition: string,
  measures: readonly BaseMeasure[],
  compute: (m: M, s: WorkspaceSettings) => number | null,
  better: "higher" | "lower" = "higher",
): KpiDefinition {
  return { id, label: { en, fr }, unit, better, definition, measures, compute };
}

const retentionRate = (m: M) => percent(m.retained_customers, m.prior_customers);

/**
 * CLV = (revenue / customers) × gross margin × min(1 / (1 − retention), max lifetime). At 100 %
 * retention the expected lifetime is unbounded, which is what the cap is for: it gives the cap.
 */
function clv(m: M, s: WorkspaceSettings): number | null {
  const perCustomer = ratio(m.revenue, m.customers);
  const retention = retentionRate(m);
  if (perCustomer === null || retention === null) return null;
  const churn = 1 - retention / 100;
  const lifetime = churn <= 0 ? s.clv_max_lifetime_periods : Math.min(1 / churn, s.clv_max_lifetime_periods);
  return perCustomer * s.gross_margin * lifetime;
}

export const KPI_CATALOG: readonly KpiDefinition[] = [
  base(
    "visitors",
    "Visitors",
    "Visiteurs",
    "count",
    "distinct visitors with at least one event in the range",
  ),
  base("sessions", "Sessions", "Sessions", "count", "sessions starting in the range"),
  base("pageviews", "Pageviews", "Pages vues", "count", "page events"),
  derived(
    "pages_per_session",
    "Pages per session",
    "Pages par session",
    "ratio",
    "pageviews / sessions",
    ["pageviews", "sessions"],
    (m) => ratio(m.pageviews, m.sessions),
  ),
  derived(
    "bounce_rate",
    "Bounce rate",
    "Taux de rebond",
    "percent",
    "sessions made of exactly one page view and no interactive track event / sessions × 100",
    ["bounces", "sessions"],
    (m) => percent(m.bounces, m.sessions),
    "lower",
  ),
  derived(
    "avg_visit_duration",
    "Visit duration",
    "Durée des visites",
    "seconds",
    "mean over sessions of (last event time − first event time), in seconds",
    ["duration_sum", "sessions"],
    (m) => ratio(m.duration_sum, m.sessions),
  ),
  derived(
    "time_on_page",
    "Time on page",
    "Temps passé sur la page",
    "seconds",
    "mean, over page views that received engagement, of their summed engaged time, in seconds",
    ["engaged_seconds_sum", "engaged_pageviews"],
    (m) => ratio(m.engaged_seconds_sum, m.engaged_pageviews),
  ),
  derived(
    "scroll_depth",
    "Scroll depth",
    "Profondeur de défilement",
    "percent",
    "mean, over page views that received engagement, of their largest scroll depth, in percent",
    ["scroll_depth_sum", "engaged_pageviews"],
    (m) => ratio(m.scroll_depth_sum, m.engaged_pageviews),
  ),
  base(
    "conversions",
    "Conversions",
    "Conversions",
    "count",
    "track events whose name is in conversion_events",
  ),
  derived(
    "conversion_rate",
    "Conversion rate",
    "Taux de conversion",
    "percent",
    "conversions / visitors × 100",
    ["conversions", "visitors"],
    (m) => percent(m.conversions, m.visitors),
  ),
  base(
    "converted_visitors",
    "Converted visitors",
    "Visiteurs convertis",
    "count",
    "distinct visitors with at least one conversion",
  ),
  derived(
    "visitor_conversion_rate",
    "Visitor conversion rate",
    "Taux de conversion des visiteurs",
    "percent",
    "converted_visitors / visitors × 100",
    ["converted_visitors", "visitors"],
    (m) => percent(m.converted_visitors, m.visitors),
  ),
  base("leads", "Leads", "Prospects", "count", "track events whose name is in lead_events"),
  base(
    "orders",
    "Orders",
    "Commandes",
    "count",
    "distinct order_id from imported orders and Order Completed events",
  ),
  base("revenue", "Revenue", "Chiffre d'affaires", "money", "sum of order revenue"),
  base("customers", "Customers", "Clients", "count", "distinct customers with an order in the range"),
  base(
    "new_customers",
    "New customers",
    "Nouveaux clients",
    "count",
    "customers whose first order ever falls in the range",
  ),
  derived(
    "aov",
    "Average order value",
    "Panier moyen",
    "money",
    "revenue / orders",
    ["revenue", "orders"],
    (m) => ratio(m.revenue, m.orders),
  ),
  derived(
    "purchase_frequency",
    "Purchase frequency",
    "Fréquence d'achat",
    "ratio",
    "orders / customers",
    ["orders", "customers"],
    (m) => ratio(m.orders, m.customers),
  ),
  derived(
    "retention_rate",
    "Retention rate",
    "Taux de rétention",
    "percent",
    "customers with an order both in the range and in the equal-length range just before it / customers with an order in the range before × 100",
    ["retained_customers", "prior_customers"],
    retentionRate,
  ),
  derived(
    "clv",
    "Customer lifetime value",
    "Valeur vie client",
    "money",
    "(revenue / customers) × gross_margin × min(1 / (1 − retention_rate/100), clv_max_lifetime_periods)",
    ["revenue", "customers", "retained_customers", "prior_customers"],
    clv,
  ),
  base("spend", "Ad spend", "Dépenses publicitaires", "money", "sum of ad cost spend"),
  base("impressions", "Impressions", "Impressions", "count", "sum of ad cost impressions"),
  base("clicks", "Clicks", "Clics", "count", "sum of ad cost clicks"),
  derived(
    "ctr",
    "Click-through rate",
    "Taux de clic",
    "percent",
    "clicks / impressions × 100",
    ["clicks", "impressions"],
    (m) => percent(m.clicks, m.impressions),
  ),
  derived(
    "cpc",
    "Cost per click",
    "Coût par clic",
    "money",
    "spend / clicks",
    ["spend", "clicks"],
    (m) => ratio(m.spend, m.clicks),
    "lower",
  ),
  derived(
    "cpm",
    "Cost per mille",
    "Coût pour mille",
    "money",
    "spend / impressions × 1000",
    ["spend", "impressions"],
    (m) => {
      const r = ratio(m.spend, m.impressions);
      return r === null ? null : r * 1000;
    },
    "lower",
  ),
  derived(
    "cpa",
    "Cost per acquisition",
    "Coût par acquisition",
    "money",
    "spend / new_customers",
    ["spend", "new_customers"],
    (m) => ratio(m.spend, m.new_customers),
    "lower",
  ),
  derived(
    "cpl",
    "Cost per lead",
    "Coût par prospect",
    "money",
    "spend / leads",
    ["spend", "leads"],
    (m) => ratio(m.spend, m.leads),
    "lower",
  ),
  base(
    "ad_conversions",
    "Ad conversions",
    "Conversions publicitaires",
    "count",
    "sum of the conversions reported in ad cost rows",
  ),
  derived(
    "cost_per_ad_conversion",
    "Cost per ad conversion",
    "Coût par conversion publicitaire",
    "money",
    "spend / ad_conversions",
    ["spend", "ad_conversions"],
    (m) => ratio(m.spend, m.ad_conversions),
    "lower",
  ),
  derived("roi", "ROI", "ROI", "percent", "(revenue − spend) / spend × 100", ["revenue", "spend"], (m) =>
    m.revenue === null ? null : percent(m.revenue - (m.spend ?? 0), m.spend),
  ),
  derived("roas", "ROAS", "ROAS", "ratio", "revenue / spend", ["revenue", "spend"], (m) =>
    ratio(m.revenue, m.spend),
  ),
  base("emails_sent", "Emails sent", "E-mails envoyés", "count", "sum of email rows' sent"),
  base("emails_delivered", "Emails delivered", "E-mails délivrés", "count", "sum of email rows' delivered"),
  base("email_opens", "Email opens", "Ouvertures", "count", "sum of email rows' unique opens"),
  base("email_clicks", "Email clicks", "Clics e-mail", "count", "sum of email rows' unique clicks"),
  base("unsubscribes", "Unsubscribes", "Désabonnements", "count", "sum of email rows' unsubscribes", "lower"),
  derived(
    "open_rate",
    "Open rate",
    "Taux d'ouverture",
    "percent",
    "email_opens / emails_sent × 100",
    ["email_opens", "emails_sent"],
    (m) => percent(m.email_opens, m.emails_sent),
  ),
  derived(
    "click_rate",
    "Click rate",
    "Taux de clic e-mail",
    "percent",
    "email_clicks / emails_sent × 100",
    ["email_clicks", "emails_sent"],
    (m) => percent(m.email_clicks, m.emails_sent),
  ),
  derived(
    "click_to_open_rate",
    "Click-to-open rate",
    "Taux de réactivité",
    "percent",
    "email_clicks / email_opens × 100",
    ["email_clicks", "email_opens"],
    (m) => percent(m.email_clicks, m.email_opens),
  ),
  base("social_reach", "Social reach", "Portée sociale", "count", "sum of social rows' reach"),
  base(
    "social_impressions",
    "Social impressions",
    "Impressions sociales",
    "count",
    "sum of social rows' impressions",
  ),
  base(
    "social_interactions",
    "Social interactions",
    "Interactions sociales",
    "count",
    "sum of social rows' interactions",
  ),
  base("posts", "Posts", "Publications", "count", "sum of social rows' posts"),
  base("mentions", "Mentions", "Mentions", "count", "sum of social rows' mentions"),
  base(
    "followers",
    "Followers",
    "Abonnés",
    "count",
    "the last followers value in the range, per network, summed over networks",
  ),
  derived(
    "engagement_rate",
    "Engagement rate",
    "Taux d'engagement",
    "ratio",
    "social_interactions / posts",
    ["social_interactions", "posts"],
    (m) => ratio(m.social_interactions, m.posts),
  ),
  derived(
    "engagement_rate_reach",
    "Engagement rate (reach)",
    "Taux d'engagement (portée)",
    "percent",
    "social_interactions / social_reach × 100",
    ["social_interactions", "social_reach"],
    (m) => percent(m.social_interactions, m.social_reach),
  ),
];

export const KPI_BY_ID: ReadonlyMap<string, KpiDefinition> = new Map(KPI_CATALOG.map((k) => [k.id, k]));
