import { ATTRIBUTIONS, type Attribution, runKpiQuery } from "../kpi/run-query.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";

export interface ModelFigures {
  revenue: number | null;
  orders: number | null;
  cpa: number | null;
}

/** Revenue, orders and CPA per campaign under each attribution model, side by side. */
export interface AttributionComparison {
  from: string;
  to: string;
  models: Attribution[];
  campaigns: ({ campaign: string } & Record<Attribution, ModelFigures>)[];
}

/** Runs the campaign KPIs once per model (docs/concepts.md#attribution attribution) and lines them up by campaign. */
export async function compareAttribution(
  store: Store,
  workspace: Workspace,
  range: { from?: string; to?: string },
): Promise<AttributionComparison> {
  const results = [];
  for (const attribution of ATTRIBUTIONS) {
    results.push(
      await runKpiQuery(store, workspace, {
        kpis: ["revenue", "orders", "cpa"],
        ...range,
        groupBy: ["campaign"],
        attribution,
      }),
    );
  }
  const campaigns = new Map<string, { campaign: string } & Record<Attribution, ModelFigures>>();
  const empty = (): ModelFigures => ({ revenue: null, orders: null, cpa: null });
  results.forEach((result, i) => {
    const model = ATTRIBUTIONS[i] as Attribution;
    for (const row of result.rows) {
      const name = String(row.campaign);
      const entry = campaigns.get(name) ?? {
        campaign: name,
        last_touch: empty(),
        first_touch: empty(),
        linear: empty(),
      };
      const num = (v: unknown) => (typeof v === "number" ? v : null);
      entry[model] = { revenue: num(row.revenue), orders: num(row.orders), cpa: num(row.cpa) };
      campaigns.set(name, entry);
    }
  });
  const first = results[0];
  return {
    from: first?.from ?? "",
    to: first?.to ?? "",
    models: [...ATTRIBUTIONS],
    campaigns: [...campaigns.values()],
  };
}
