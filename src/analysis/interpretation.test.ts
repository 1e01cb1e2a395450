import { describe, expect, it } from "vitest";
import { INTERPRETATION_RULES, interpret, percentChange, signalsOf } from "./interpretation.js";

describe("interpretation rules", () => {
  it.each([
    [{ kpi: "cpa", value: 50, previous: 40, goalStatus: "off_track" }, ["cpa-high", "cpa-rises"]],
    [{ kpi: "cpa", value: 44, previous: 40, goalStatus: "on_track" }, []],
    [{ kpi: "conversion_rate", value: 2, previous: 3 }, ["conversion-rate-falls"]],
    [{ kpi: "conversion_rate", value: 2.9, previous: 3 }, []],
    [{ kpi: "visitors", value: 700, previous: 1000 }, ["visitors-fall"]],
    [{ kpi: "revenue", value: null, previous: 1000 }, []],
  ])("%o gives %o", (reading, ids) => {
    expect(interpret(reading).map((r) => r.id)).toEqual(ids);
  });

  it("treats a change of exactly 20 % as sharp and a previous 0 as no change", () => {
    expect(signalsOf({ kpi: "x", value: 120, previous: 100 })).toEqual(["rises_sharply"]);
    expect(percentChange(5, 0)).toBeNull();
    expect(percentChange(-5, -10)).toBe(50);
  });

  it("says every rule in both languages and points at a dashboard page", () => {
    const pages = ["/", "/goals", "/campaigns", "/traffic", "/email", "/funnels", "/experiments"];
    for (const r of INTERPRETATION_RULES) {
      expect(r.meaning.en.length).toBeGreaterThan(20);
      expect(r.meaning.fr.length).toBeGreaterThan(20);
      expect(pages).toContain(r.page);
    }
    expect(new Set(INTERPRETATION_RULES.map((r) => r.id)).size).toBe(INTERPRETATION_RULES.length);
  });
});
