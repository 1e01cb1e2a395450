import { alertHistory } from "../alerts/run-alerts.js";
import { evaluateGoals } from "../goals/evaluate.js";
import type { Store } from "../store/store.js";
import type { Workspace } from "../workspace/settings.js";
import type { ReportProviders } from "./types.js";

/**
 * The sections other rooms compute, given to reports by the CLI and the server alike: goals
 * (SPEC §6.1) and the alert history (§6.2).
 */
export function reportProviders(store: Store, workspace: Workspace): ReportProviders {
  return {
    goals: (asOf) => evaluateGoals(store, workspace, { asOf, lang: workspace.settings.locale }),
    alerts: () => alertHistory(store, workspace.name),
  };
}
