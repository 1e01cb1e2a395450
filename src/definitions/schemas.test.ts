import { describe, expect, it } from "vitest";
import {
  alertRuleSchema,
  dateSchema,
  durationMs,
  durationSchema,
  goalSchema,
  whereSchema,
} from "./schemas.js";

describe("definition schemas", () => {
  it("reads dates as YAML gives them, and refuses impossible ones", () => {
    expect(dateSchema.parse("2026-03-31")).toBe("2026-03-31");
    expect(dateSchema.parse(new Date("2026-04-01T00:00:00Z"))).toBe("2026-04-01");
    expect(dateSchema.safeParse("2026-02-30").success).toBe(false);
    expect(dateSchema.safeParse("31/03/2026").success).toBe(false);
  });

  it("reads durations in minutes, hours, days and weeks", () => {
    expect(durationMs(durationSchema.parse("7d"))).toBe(7 * 86_400_000);
    expect(durationMs("12h")).toBe(12 * 3_600_000);
    expect(durationMs("2w")).toBe(14 * 86_400_000);
    for (const bad of ["0d", "7", "7 days", "-1h", "1y"])
      expect(durationSchema.safeParse(bad).success).toBe(false);
  });

  it("takes filters as a map of strings, numbers included", () => {
    expect(whereSchema.parse({ channel: "paid", "props.plan": 3 })).toEqual({
      channel: "paid",
      "props.plan": "3",
    });
  });

  it("refuses unknown keys, so a typo in a file is reported rather than ignored", () => {
    const goal = {
      id: "g",
      objective: "o",
      kpi: "revenue",
      target: 1,
      start: "2026-01-01",
      deadline: "2026-02-01",
    };
    expect(goalSchema.safeParse(goal).success).toBe(true);
    const typo = goalSchema.safeParse({ ...goal, dedline: "2026-02-01" });
    expect(typo.success).toBe(false);
    expect(alertRuleSchema.safeParse({ id: "r", kind: "threshold", channels: [] }).success).toBe(false);
  });
});
