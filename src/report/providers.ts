import { alertHistory } from "../alerts/run-alerts.js";
import { adviseBudget } from "../analysis/budget/advise.js";
import { evaluateGoals } from "../goals/evaluate.js";
import type { Store } from "../store/store.js";
import type { Workspace } from "../workspace/settings.js";
import type { ReportProviders } from "./types.js";

/**
 * The sections other rooms compute, given to reports by the CLI and the server alike: goals
 * (SPEC §6.1), the alert history (§6.2) and budget advice (§7.2).
 */
export function reportProviders(store: Store, workspace: Workspace): ReportProviders {
  return {
    goals: (asOf) => evaluateGoals(store, workspace, { asOf, lang: workspace.settings.locale }),
    alerts: () => alertHistory(store, workspace.name),
    budget: ({ from, to, lang }) => adviseBudget(store, workspace, { from, to, lang }),
    // The audit's funnel is left out until funnels take filters: an unfiltered funnel is not
    // the campaign's, and the section says so rather than show another's numbers.
  };
}
