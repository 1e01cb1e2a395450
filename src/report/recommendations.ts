import type { PeerStats } from "./stats.js";

/**
 * The written rules behind "what worked", "what did not" and the recommendations of an audit
 * (docs/recommendations.md). Pure: campaign figures and their standing among the workspace's
 * campaigns over the same dates in, findings out (ids, worded by the report's language).
 */
export interface AuditFacts {
  readonly kpis: Readonly<Record<string, number | null>>;
  readonly peers: Readonly<Record<string, PeerStats>>;
  /** The campaign's CPA target, from a goal on cpa for it (or the workspace), if any. */
  readonly cpaTarget: number | null;
}

export type FindingId =
  | "best_roi"
  | "roi_positive"
  | "roi_negative"
  | "ctr_top"
  | "ctr_bottom"
  | "cpa_low"
  | "cpa_above_target"
  | "cpa_high"
  | "conversion_low_after_clicks"
  | "no_spend"
  | "no_revenue";

export type AdviceId =
  | "scale"
  | "cut_or_fix"
  | "landing_page"
  | "creative_targeting"
  | "targeting_offer"
  | "track_revenue";

export interface Findings {
  readonly worked: readonly FindingId[];
  readonly didNot: readonly FindingId[];
  readonly advice: readonly AdviceId[];
}

const inTop = (value: number | null, stats: PeerStats | undefined, better: "higher" | "lower") =>
  value !== null &&
  stats !== undefined &&
  stats.count >= 2 &&
  (better === "higher" ? stats.q3 !== null && value >= stats.q3 : stats.q1 !== null && value <= stats.q1);

const inBottom = (value: number | null, stats: PeerStats | undefined, better: "higher" | "lower") =>
  inTop(value, stats, better === "higher" ? "lower" : "higher") && !isOnly(stats);

const isOnly = (stats: PeerStats | undefined) => stats === undefined || stats.q1 === stats.q3; // every campaign equal: no one is at the bottom

/** Applies the rules in order; each rule adds at most one finding and one piece of advice. */
export function auditFindings(facts: AuditFacts): Findings {
  const worked: FindingId[] = [];
  const didNot: FindingId[] = [];
  const advice: AdviceId[] = [];
  const add = (list: AdviceId) => {
    if (!advice.includes(list)) advice.push(list);
  };
  const { kpis, peers } = facts;
  const spend = kpis.spend ?? null;
  const roi = kpis.roi ?? null;
  const ctr = kpis.ctr ?? null;
  const cpa = kpis.cpa ?? null;
  const revenue = kpis.revenue ?? null;
  const conversionRate = kpis.conversion_rate ?? null;

  if (spend === null || spend === 0) didNot.push("no_spend");
  if (spend !== null && spend > 0 && (revenue === null || revenue === 0)) {
    didNot.push("no_revenue");
    add("track_revenue");
  }
  // ROI: money first. Below zero the campaign loses money: cut it or fix it; the best one gets more.
  if (roi !== null && roi < 0) {
    didNot.push("roi_negative");
    add("cut_or_fix");
  } else if (roi !== null && roi > 0) {
    const stats = peers.roi;
    if (stats && stats.count >= 2 && stats.rank === 1) {
      worked.push("best_roi");
      add("scale");
    } else worked.push("roi_positive");
  }
  // The ad: a CTR in the top quartile means the creative and targeting draw clicks.
  const ctrTop = inTop(ctr, peers.ctr, "higher");
  if (ctrTop) worked.push("ctr_top");
  if (inBottom(ctr, peers.ctr, "higher")) {
    didNot.push("ctr_bottom");
    add("creative_targeting");
  }
  // After the click: many clicks but few conversions point at the landing page, not the ad.
  if (ctrTop && inBottom(conversionRate, peers.conversion_rate, "higher")) {
    didNot.push("conversion_low_after_clicks");
    add("landing_page");
  }
  // Cost per acquisition, against the goal's target when there is one, else against the others.
  if (inTop(cpa, peers.cpa, "lower")) worked.push("cpa_low");
  const aboveTarget = cpa !== null && facts.cpaTarget !== null && cpa > facts.cpaTarget;
  if (aboveTarget) didNot.push("cpa_above_target");
  else if (inBottom(cpa, peers.cpa, "lower")) didNot.push("cpa_high");
  if (aboveTarget || didNot.includes("cpa_high")) add(ctrTop ? "landing_page" : "targeting_offer");
  return { worked, didNot, advice };
}
