import { describe, expect, it } from "vitest";
import type { AlertRule } from "../definitions/schemas.js";
import { validateSettings } from "../model/parse-setting.js";
import type { Store } from "../store/store.js";
import { evaluateRule, type GoalStatus } from "./evaluate-rule.js";

/** goal_status rules: a goal at risk, off track or missed fires at every run; any change of status fires once. */
describe("goal_status rules", () => {
  const workspace = { name: "shop", settings: validateSettings({ timezone: "Europe/Paris" }) };
  const rule: AlertRule = { id: "goals", kind: "goal_status", channels: ["dashboard"] };
  const evaluate = (statuses: GoalStatus[], previous: Record<string, string>, r: AlertRule = rule) => {
    const asked: string[] = [];
    return evaluateRule(r, {
      // goal_status rules read no data: a store that is touched would throw.
      store: {} as Store,
      workspace,
      runTime: new Date("2026-03-31T22:00:00Z"),
      goals: async (_store, _ws, asOf) => {
        asked.push(asOf);
        return statuses;
      },
      previousGoalStatuses: previous,
    }).then((result) => ({ ...result, asked }));
  };

  it.each([
    // status now, status before, fires, threshold (the status before, when it changed)
    ["on_track", undefined, false, null],
    ["achieved", "achieved", false, null],
    ["at_risk", undefined, true, null],
    ["off_track", "off_track", true, null],
    ["missed", "off_track", true, "off_track"],
    ["on_track", "at_risk", true, "at_risk"], // recovery is a change too
    ["not_started", undefined, false, null],
  ] as const)("%s (was %s) fires %s", async (status, before, fires, threshold) => {
    const result = await evaluate([{ id: "q2", status }], before === undefined ? {} : { q2: before });
    expect(result.asked).toEqual(["2026-03-31"]); // the last complete day of a run at the start of April 1
    expect(result.findings.length > 0).toBe(fires);
    if (fires) {
      expect(result.findings[0]).toMatchObject({
        key: `goals/q2/${status}`,
        value: status,
        threshold,
        goal: "q2",
        period: { from: "2026-03-31", to: "2026-03-31" },
      });
    }
    expect(result.goalStatuses).toEqual({ q2: status });
  });

  it("a rule naming a goal watches that goal only", async () => {
    const result = await evaluate(
      [
        { id: "a", status: "off_track" },
        { id: "b", status: "off_track" },
      ],
      {},
      { ...rule, goal: "b" },
    );
    expect(result.findings.map((f) => f.goal)).toEqual(["b"]);
  });
});
