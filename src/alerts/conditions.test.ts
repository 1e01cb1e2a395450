import { describe, expect, it } from "vitest";
import { meets, percentChange } from "./conditions.js";
import { withinCooldown } from "./run-alerts.js";

describe("a rule's condition", () => {
  it.each([
    [41, ">", 40, true],
    [40, ">", 40, false],
    [40, ">=", 40, true],
    [39.99, ">=", 40, false],
    [39, "<", 40, true],
    [40, "<", 40, false],
    [40, "<=", 40, true],
    [-1, "<", 0, true],
    [null, ">", 40, false],
    [null, "<", 40, false],
    [null, "<=", 0, false],
    [Number.NaN, ">", 0, false],
    [Number.POSITIVE_INFINITY, ">", 0, false],
  ] as const)("%s %s %s is %s (null meets nothing)", (value, op, threshold, expected) => {
    expect(meets(value, op, threshold)).toBe(expected);
  });

  it.each([
    [120, 100, 20],
    [80, 100, -20],
    [100, 100, 0],
    [5, 0, null],
    [null, 100, null],
    [100, null, null],
    [-50, -100, 50], // a loss halved is an improvement of 50 %
  ])("change from %s to … : (%s vs %s) is %s %%", (current, previous, expected) => {
    const change = percentChange(current, previous);
    if (expected === null) expect(change).toBeNull();
    else expect(change).toBeCloseTo(expected, 12);
  });
});

describe("cooldown counted in run time", () => {
  const day = 86_400_000;
  it.each([
    [undefined, "2026-03-10T00:00:00Z", day, false],
    ["2026-03-10T00:00:00Z", "2026-03-10T00:00:00Z", day, true], // the same run repeated
    ["2026-03-10T00:00:00Z", "2026-03-10T23:59:59Z", day, true],
    ["2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", day, false], // exactly one cooldown later
    ["2026-03-10T00:00:00Z", "2026-03-16T00:00:00Z", 7 * day, true],
    ["2026-03-10T00:00:00Z", "2026-03-17T00:00:00Z", 7 * day, false],
    ["2026-03-10T00:00:00Z", "2026-03-05T00:00:00Z", day, true], // an earlier day replayed later
  ])("last notified %s, run at %s, cooldown %s ms: suppressed %s", (last, run, cooldown, expected) => {
    expect(withinCooldown(last, new Date(run), cooldown)).toBe(expected);
  });
});
