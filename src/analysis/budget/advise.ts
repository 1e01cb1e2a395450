import { runKpiQuery } from "../../kpi/run-query.js";
import type { Lang } from "../../model/lang.js";
import type { Workspace } from "../../model/workspace.js";
import type { Store } from "../../store/store.js";
import { type BudgetLine, planBudget } from "./plan.js";

export interface BudgetRequest {
  readonly from?: string;
  readonly to?: string;
  readonly maxShift?: number;
  readonly floor?: number;
  readonly lang?: Lang;
}

/** The JSON of docs/budget.md#budget-advice. */
export interface BudgetAdvice {
  from: string;
  to: string;
  total: number;
  campaigns: BudgetLine[];
}

/** Budget advice over a range: campaigns with spend, their figures from the KPI layer, the plan. */
export async function adviseBudget(
  store: Store,
  workspace: Workspace,
  request: BudgetRequest,
): Promise<BudgetAdvice> {
  const result = await runKpiQuery(store, workspace, {
    kpis: ["spend", "revenue", "roi", "cpa"],
    ...(request.from ? { from: request.from } : {}),
    ...(request.to ? { to: request.to } : {}),
    groupBy: ["campaign"],
  });
  const campaigns = result.rows
    .filter((row) => typeof row.spend === "number" && row.spend > 0)
    .map((row) => ({
      campaign: String(row.campaign),
      spend: Number(row.spend),
      revenue: typeof row.revenue === "number" ? row.revenue : 0,
      roi: typeof row.roi === "number" ? row.roi : null,
      cpa: typeof row.cpa === "number" ? row.cpa : null,
    }));
  const lines = planBudget(campaigns, {
    maxShift: request.maxShift ?? 20,
    floor: request.floor ?? 10,
    lang: request.lang ?? workspace.settings.locale,
  });
  const total = lines.reduce((s, l) => s + Math.round(l.spend * 100), 0) / 100;
  return { from: result.from, to: result.to, total, campaigns: lines };
}
