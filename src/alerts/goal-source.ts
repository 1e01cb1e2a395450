import { evaluateGoals } from "../goals/evaluate.js";
import type { GoalStatusSource } from "./evaluate-rule.js";

/** The goals layer's statuses (docs/goals.md#goals-and-their-figures) as of a day, for goal_status rules. */
export const storedGoals: GoalStatusSource = async (store, workspace, asOf) =>
  (await evaluateGoals(store, workspace, { asOf })).goals.map((goal) => ({
    id: goal.id,
    status: goal.status,
  }));
