import { alertHistory } from "../alerts/run-alerts.js";
import { adviseBudget } from "../analysis/budget/advise.js";
import { funnelDefinition } from "../analysis/funnels/resolve.js";
import { runFunnel } from "../analysis/funnels/run-funnel.js";
import { evaluateGoals } from "../goals/evaluate.js";
import { campaignKey } from "../model/dimensions.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";
import type { ReportProviders } from "./types.js";

/**
 * The sections other rooms compute, given to reports by the CLI and the server alike: goals
 * (docs/goals.md#goals-and-their-figures), the alert history (docs/alerts.md#history), a campaign's funnel (docs/funnels-and-experiments.md#funnels) and budget advice (docs/budget.md#budget-advice).
 */
export function reportProviders(store: Store, workspace: Workspace): ReportProviders {
  return {
    goals: (asOf) => evaluateGoals(store, workspace, { asOf, lang: workspace.settings.locale }),
    alerts: () => alertHistory(store, workspace.name),
    budget: ({ from, to, lang }) => adviseBudget(store, workspace, { from, to, lang }),
    // A campaign's funnel: the saved funnel broken down by the campaign of each visitor's entry,
    // its group for this campaign (no group: nobody entered from it, every step 0).
    funnel: async ({ id, from, to, campaign }) => {
      const definition = await funnelDefinition(store, workspace.name, id, {});
      const result = await runFunnel(store, workspace, definition, { from, to, groupBy: "campaign" });
      const group = result.groups?.find(
        (g) => typeof g.campaign === "string" && campaignKey(g.campaign) === campaign,
      );
      const steps = Array.isArray(group?.steps)
        ? group.steps
        : result.steps.map((step) => ({
            ...step,
            visitors: 0,
            conversion_from_start: null,
            conversion_from_previous: null,
            drop_off: 0,
            drop_off_rate: null,
            median_seconds_from_previous: null,
          }));
      return { funnel: result.funnel ?? id, window: result.window, steps };
    },
  };
}
