import { UserError } from "../errors.js";
import type { GoalStatusSource } from "./evaluate-rule.js";

/** Stands in for the goals layer until it is wired in: goal_status rules say why they cannot run. */
export const goalsUnavailable: GoalStatusSource = async () => {
  throw new UserError("goal_status rules need goals (not available).", [
    { field: "alerts.kind", reason: "goals not available" },
  ]);
};
