import { UserError } from "../../errors.js";
import type { Lang } from "../../model/lang.js";

/** A campaign's figures over the range, as the KPI layer gives them. */
export interface CampaignFigures {
  readonly campaign: string;
  readonly spend: number;
  readonly revenue: number;
  readonly roi: number | null;
  readonly cpa: number | null;
}

export interface BudgetLine {
  campaign: string;
  spend: number;
  roi: number | null;
  cpa: number | null;
  proposed: number;
  change: number;
  reason: string;
}

export interface BudgetOptions {
  /** Largest change of a campaign's budget, in percent of its current spend (default 20). */
  readonly maxShift: number;
  /** Least budget of a campaign, in percent of its current spend (default 10). */
  readonly floor: number;
  readonly lang: Lang;
}

/**
 * Next period's budget per campaign (docs/budget.md#budget-advice; rules in docs/budget.md). Amounts are whole cents,
 * so the proposals add up to the total spend exactly. Campaigns are ranked by ROI when any has
 * revenue, else by CPA (a campaign without acquired customers ranks last); money moves from the
 * worst-ranked to the best-ranked, pair by pair, only while the giver ranks strictly worse than
 * the taker, each giving at most min(max_shift, 100 − floor) % and taking at most max_shift % of
 * its current spend.
 */
export function planBudget(campaigns: readonly CampaignFigures[], options: BudgetOptions): BudgetLine[] {
  checkOptions(options);
  const byRoi = campaigns.some((c) => c.revenue > 0);
  const score = (c: CampaignFigures) =>
    byRoi ? (c.roi ?? Number.NEGATIVE_INFINITY) : c.cpa === null ? Number.NEGATIVE_INFINITY : -c.cpa;
  const lines = campaigns.map((c) => {
    const cents = Math.round(c.spend * 100);
    return {
      figures: c,
      score: score(c),
      cents,
      proposed: cents,
      canGive: Math.floor((cents * Math.min(options.maxShift, 100 - options.floor)) / 100),
      canTake: Math.floor((cents * options.maxShift) / 100),
    };
  });
  const ranked = [...lines].sort(
    (a, b) => a.score - b.score || (a.figures.campaign < b.figures.campaign ? -1 : 1),
  );
  let giver = 0;
  let taker = ranked.length - 1;
  while (giver < taker) {
    const g = ranked[giver];
    const t = ranked[taker];
    if (!g || !t || !(g.score < t.score)) break;
    const amount = Math.min(g.canGive, t.canTake);
    g.canGive -= amount;
    t.canTake -= amount;
    g.proposed -= amount;
    t.proposed += amount;
    if (g.canGive === 0) giver++;
    if (t.canTake === 0) taker--;
  }
  return lines.map((line) => {
    const c = line.figures;
    const proposed = line.proposed / 100;
    const change = (line.proposed - line.cents) / 100;
    return {
      campaign: c.campaign,
      spend: line.cents / 100,
      roi: c.roi,
      cpa: c.cpa,
      proposed,
      change,
      reason: reasonOf(c, change, byRoi, options),
    };
  });
}

function checkOptions(options: BudgetOptions): void {
  const bad = (field: string, text: string) =>
    new UserError(`--${field.replace("_", "-")} ${text}.`, [{ field, reason: text }]);
  if (!Number.isFinite(options.maxShift) || options.maxShift < 0 || options.maxShift > 100)
    throw bad("max_shift", "must be a percentage between 0 and 100");
  if (!Number.isFinite(options.floor) || options.floor < 0 || options.floor > 100)
    throw bad("floor", "must be a percentage between 0 and 100");
}

function reasonOf(c: CampaignFigures, change: number, byRoi: boolean, options: BudgetOptions): string {
  const fr = options.lang === "fr";
  const num = (x: number) =>
    new Intl.NumberFormat(options.lang, { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(x);
  const metric = byRoi
    ? c.roi === null
      ? fr
        ? "sans ROI mesurable"
        : "with no measurable ROI"
      : `${fr ? "avec un ROI de" : "with an ROI of"} ${num(c.roi)} %`
    : c.cpa === null
      ? fr
        ? "sans client acquis"
        : "with no acquired customer"
      : `${fr ? "avec un CPA de" : "with a CPA of"} ${num(c.cpa)}`;
  if (change > 0)
    return fr
      ? `Reçoit ${num(change)} de campagnes moins rentables : elle fait partie des meilleures ${metric}.`
      : `Receives ${num(change)} from less efficient campaigns: it is among the best ${metric}.`;
  if (change < 0)
    return fr
      ? `Cède ${num(-change)} à des campagnes plus rentables : elle fait partie des moins bonnes ${metric}.`
      : `Gives ${num(-change)} to more efficient campaigns: it is among the weakest ${metric}.`;
  return fr
    ? `Budget inchangé ${metric} : aucune campagne plus rentable ne peut encore recevoir, ou aucune moins rentable ne peut céder.`
    : `Budget unchanged ${metric}: no better campaign can take more, or no worse one can give.`;
}
