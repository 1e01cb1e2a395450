import { describe, expect, it } from "vitest";
import { type GoalShape, goalDays, goalFigures } from "./figures.js";

/** Every expected figure below is computed by hand from docs/goals.md#goals-and-their-figures. */
const revenue: GoalShape = {
  kind: "cumulative",
  direction: "up",
  target: 1000,
  start: "2026-04-01",
  deadline: "2026-04-10",
  windowDays: 28,
};
const conversionRate: GoalShape = {
  kind: "level",
  direction: "up",
  target: 3.5,
  start: "2026-04-01",
  deadline: "2026-04-30",
  windowDays: 28,
};
const cpa: GoalShape = { ...conversionRate, direction: "down", target: 30 };
const unsubscribes: GoalShape = { ...revenue, direction: "down", target: 100 };

type Row = [
  name: string,
  goal: GoalShape,
  asOf: string,
  values: { current: number | null; baseline: number | null },
  expected: Record<string, number | string | null>,
];

const CASES: Row[] = [
  [
    "cumulative before start: t is the start, f = 1/10",
    revenue,
    "2026-03-31",
    { current: 50, baseline: null },
    {
      baseline: 0,
      expected: 100,
      progress: 5,
      forecast: 500,
      required_per_day: 950 / 9,
      status: "not_started",
    },
  ],
  [
    "cumulative half-way, forecast exactly 90 % of the target",
    revenue,
    "2026-04-05",
    { current: 450, baseline: null },
    { expected: 500, progress: 45, forecast: 900, required_per_day: 110, status: "at_risk" },
  ],
  [
    "cumulative half-way, forecast just under 90 %",
    revenue,
    "2026-04-05",
    { current: 449, baseline: null },
    { forecast: 898, status: "off_track" },
  ],
  [
    "cumulative half-way, forecast exactly the target",
    revenue,
    "2026-04-05",
    { current: 500, baseline: null },
    { forecast: 1000, status: "on_track" },
  ],
  [
    "cumulative up already met before the deadline",
    revenue,
    "2026-04-05",
    { current: 1000, baseline: null },
    { progress: 100, required_per_day: 0, status: "achieved" },
  ],
  [
    "cumulative at the deadline, short of the target",
    revenue,
    "2026-04-10",
    { current: 990, baseline: null },
    { expected: 1000, progress: 99, forecast: 990, required_per_day: null, status: "missed" },
  ],
  [
    "cumulative after the deadline: t stays at the deadline",
    revenue,
    "2026-04-20",
    { current: 1000, baseline: null },
    { expected: 1000, forecast: 1000, required_per_day: null, status: "achieved" },
  ],
  [
    "cumulative without a value",
    revenue,
    "2026-04-05",
    { current: null, baseline: null },
    { progress: null, forecast: null, required_per_day: null, status: "off_track" },
  ],
  [
    "cumulative without a value at the deadline",
    revenue,
    "2026-04-10",
    { current: null, baseline: null },
    { status: "missed" },
  ],
  [
    "cumulative going down: met is not achieved before the deadline",
    unsubscribes,
    "2026-04-05",
    { current: 40, baseline: null },
    { forecast: 80, status: "on_track" },
  ],
  [
    "cumulative going down, forecast within 110 %",
    unsubscribes,
    "2026-04-05",
    { current: 54, baseline: null },
    { forecast: 108, status: "at_risk" },
  ],
  [
    "cumulative going down, forecast beyond 110 %",
    unsubscribes,
    "2026-04-05",
    { current: 60, baseline: null },
    { forecast: 120, status: "off_track" },
  ],
  [
    "level a third of the way",
    conversionRate,
    "2026-04-10",
    { current: 2.9, baseline: 2.5 },
    {
      baseline: 2.5,
      expected: 2.5 + 1 / 3,
      progress: 40,
      forecast: 3.7,
      required_per_day: 0.03,
      status: "on_track",
    },
  ],
  [
    "level forecast inside the 10 % band",
    conversionRate,
    "2026-04-10",
    { current: 2.75, baseline: 2.5 },
    { forecast: 3.25, status: "at_risk" },
  ],
  [
    "level forecast below the band",
    conversionRate,
    "2026-04-10",
    { current: 2.7, baseline: 2.5 },
    { forecast: 3.1, status: "off_track" },
  ],
  [
    "level without a baseline: every figure that needs it is null",
    conversionRate,
    "2026-04-10",
    { current: 2.9, baseline: null },
    {
      baseline: null,
      expected: null,
      progress: null,
      forecast: null,
      required_per_day: 0.03,
      status: "off_track",
    },
  ],
  [
    "level whose target equals its baseline: progress divides by zero",
    { ...conversionRate, target: 2.5 },
    "2026-04-10",
    { current: 2.9, baseline: 2.5 },
    { progress: null, expected: 2.5, status: "on_track" },
  ],
  [
    "level before start",
    conversionRate,
    "2026-03-01",
    { current: 2.6, baseline: 2.5 },
    { expected: 2.5 + 1 / 30, status: "not_started" },
  ],
  [
    "level going down, forecast within 110 %",
    cpa,
    "2026-04-10",
    { current: 37, baseline: 40 },
    { expected: 40 - 10 / 3, progress: 30, forecast: 31, required_per_day: -0.35, status: "at_risk" },
  ],
  [
    "level going down, on track",
    cpa,
    "2026-04-10",
    { current: 36, baseline: 40 },
    { forecast: 28, status: "on_track" },
  ],
  [
    "level going down, off track",
    cpa,
    "2026-04-10",
    { current: 39, baseline: 40 },
    { forecast: 37, status: "off_track" },
  ],
  [
    "level going down at the deadline, met",
    cpa,
    "2026-04-30",
    { current: 29, baseline: 40 },
    { expected: 30, forecast: 29, required_per_day: null, status: "achieved" },
  ],
  [
    "level going down after the deadline, not met",
    cpa,
    "2026-05-03",
    { current: 31, baseline: 40 },
    { status: "missed" },
  ],
];

describe("goal figures of docs/goals.md#goals-and-their-figures", () => {
  it.each(CASES)("%s", (_name, goal, asOf, values, expected) => {
    const figures = goalFigures(goal, asOf, values) as unknown as Record<string, number | string | null>;
    for (const [key, want] of Object.entries(expected)) {
      const got = figures[key];
      if (typeof want === "number") {
        expect(typeof got, key).toBe("number");
        expect(Math.abs((got as number) - want), `${key}: ${String(got)} vs ${want}`).toBeLessThan(1e-9);
      } else {
        expect(got, key).toBe(want);
      }
    }
  });

  it("reads current and baseline over the ranges of docs/goals.md#goals-and-their-figures", () => {
    expect(goalDays(conversionRate, "2026-04-10")).toEqual({
      t: "2026-04-10",
      totalDays: 30,
      elapsedDays: 10,
      current: { from: "2026-03-14", to: "2026-04-10" },
      baseline: { from: "2026-03-04", to: "2026-03-31" },
    });
    expect(goalDays(revenue, "2026-05-01")).toMatchObject({
      t: "2026-04-10",
      elapsedDays: 10,
      current: { from: "2026-04-01", to: "2026-04-10" },
    });
    expect(goalDays(revenue, "2026-01-01")).toMatchObject({ t: "2026-04-01", elapsedDays: 1 });
  });

  it("never answers NaN or Infinity", () => {
    const huge = goalFigures({ ...revenue, target: 1e-320 }, "2026-04-05", {
      current: 1e308,
      baseline: null,
    });
    for (const value of Object.values(huge)) {
      if (typeof value === "number") expect(Number.isFinite(value)).toBe(true);
    }
  });
});
