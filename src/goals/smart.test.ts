import { describe, expect, it } from "vitest";
import type { Goal } from "../definitions/schemas.js";
import { addDays } from "../model/calendar.js";
import { historyInterval, historyRange, type SmartInput, smartCheck } from "./smart.js";

const weeks = (values: (number | null)[]) =>
  values.map((value, i) => {
    const from = addDays("2026-02-16", 7 * i);
    const to = addDays(from, 6);
    return { period: from, from, to, value };
  });

function input(goal: Partial<Goal>, kind: "cumulative" | "level", history: (number | null)[]): SmartInput {
  return {
    goal: {
      id: "g",
      objective: "o",
      kpi: "revenue",
      target: 1400,
      start: "2026-04-01",
      deadline: "2026-04-10",
      ...goal,
    },
    kind,
    direction: goal.kpi === "cpa" ? "down" : "up",
    windowDays: 28,
    objectiveType: "conversion",
    custom: [],
    interval: "week",
    history: weeks(history),
    current: null,
    lang: "en",
  };
}

describe("the achievable rule: 50 % beyond the best value and the trend", () => {
  it.each([
    [
      "a flat 100 a day allows 140 a day",
      { target: 1400 },
      "cumulative",
      [700, 700, 700, 700, 700, 700],
      true,
    ],
    [
      "a flat 100 a day flags 160 a day",
      { target: 1600 },
      "cumulative",
      [700, 700, 700, 700, 700, 700],
      false,
    ],
    [
      "a rising trend allows more than the best week",
      { target: 2400 },
      "cumulative",
      [700, 840, 980, 1120, 1260, 1400],
      true,
    ],
    [
      "going down: 25 against a CPA of 40 is within reach",
      { kpi: "cpa", target: 25 },
      "level",
      [40, 40, 40, 40, 40, 40],
      true,
    ],
    [
      "going down: 15 against a CPA of 40 is flagged",
      { kpi: "cpa", target: 15 },
      "level",
      [40, 40, 40, 40, 40, 40],
      false,
    ],
    [
      "one period is not enough history to judge",
      { target: 1e9 },
      "cumulative",
      [null, null, null, null, null, 700],
      true,
    ],
  ] as const)("%s", (_name, goal, kind, history, ok) => {
    const check = smartCheck(input(goal, kind, [...history]));
    expect(check.achievable.ok, check.achievable.message).toBe(ok);
  });

  it("reads no data as not measurable, and counts with only zeros as no data", () => {
    const check = smartCheck(input({}, "cumulative", [0, 0, 0, null, 0, 0]));
    expect(check.measurable.ok).toBe(false);
    expect(smartCheck(input({ kpi: "cpa" }, "level", [0, null])).measurable.ok).toBe(true);
  });

  it("picks comparable calendar periods that end before the start", () => {
    expect(historyInterval(10)).toBe("week");
    expect(historyInterval(31)).toBe("month");
    expect(historyInterval(91)).toBe("quarter");
    expect(historyRange("2026-04-01", "week")).toEqual({ from: "2026-02-16", to: "2026-03-29" });
    expect(historyRange("2026-04-01", "month")).toEqual({ from: "2025-10-01", to: "2026-03-31" });
  });
});
