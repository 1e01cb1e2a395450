import { describe, expect, it } from "vitest";
import { KPI_CATALOG } from "../../kpi/catalog.js";
import { compareSegments, segmentPValue } from "./compare.js";
import { type SegmentShape, shapeMeasures, shapeOf } from "./shapes.js";

const BOUNCE: SegmentShape = { kind: "proportion", numerator: "bounces", denominator: "sessions" };

describe("a segment against the rest of the population", () => {
  // statsmodels proportions_ztest docstring example: count = [5, 12], nobs = [83, 99] → p-value 0.159
  // (https://www.statsmodels.org/stable/generated/statsmodels.stats.proportion.proportions_ztest.html).
  // A segment of 5 in 83 within a whole of 17 in 182 leaves a rest of 12 in 99: the same test.
  it("is statsmodels' documented two-proportion z-test", () => {
    expect(segmentPValue(5, 83, 17, 182)).toBeCloseTo(0.159, 3);
    expect(segmentPValue(12, 99, 17, 182)).toBeCloseTo(0.159, 3);
  });

  // R: prop.test(c(15, 25), c(50, 50), correct = FALSE) → X-squared = 4.1667, p-value = 0.04123
  // (X² = z² for two groups). Holm over two equal p-values (R's p.adjust(p, "holm")) doubles both: 0.08245.
  it("adjusts by Holm over the segments: significant alone, not after adjustment", () => {
    const rows = compareSegments(BOUNCE, { value: 40, numerator: 40, denominator: 100 }, [
      { segment: "desktop", value: 30, numerator: 15, denominator: 50 },
      { segment: "mobile", value: 50, numerator: 25, denominator: 50 },
    ]);
    expect(rows.map((r) => r.segment)).toEqual(["mobile", "desktop"]);
    for (const row of rows) {
      expect(row.p_value).toBeCloseTo(0.04123, 5);
      expect(row.p_value_holm).toBeCloseTo(2 * (row.p_value ?? Number.NaN), 12);
      expect(row.p_value_holm).toBeCloseTo(0.08245, 4);
      expect(row.significant).toBe(false);
      expect(row.share).toBe(50);
    }
    expect(rows[0]).toMatchObject({ value: 50, diff_abs: 10 });
    expect(rows[0]?.diff_rel).toBeCloseTo(25, 12);
    expect(rows[1]?.diff_rel).toBeCloseTo(-25, 12);
  });

  it("flags a segment whose rate clearly differs", () => {
    const rows = compareSegments(BOUNCE, { value: 35, numerator: 350, denominator: 1000 }, [
      { segment: "a", value: 60, numerator: 300, denominator: 500 },
      { segment: "b", value: 10, numerator: 50, denominator: 500 },
    ]);
    expect(rows.map((r) => r.significant)).toEqual([true, true]);
    expect(rows[0]?.p_value_holm).toBeLessThan(1e-10);
  });

  it("is null where there is no rest, no trials, or counts that are not a proportion", () => {
    expect(segmentPValue(10, 100, 10, 100)).toBeNull(); // the only segment: nothing to compare with
    expect(segmentPValue(0, 0, 10, 100)).toBeNull(); // no trials in the segment
    expect(segmentPValue(12, 10, 20, 100)).toBeNull(); // more conversions than visitors
    expect(segmentPValue(0, 50, 0, 100)).toBeNull(); // pooled rate 0: 0/0 statistic
  });
});

describe("compareSegments", () => {
  it("gives shares of the total for an additive KPI, and no test", () => {
    const rows = compareSegments({ kind: "additive" }, { value: 200 }, [
      { segment: "fr", value: 50 },
      { segment: "de", value: 150 },
    ]);
    expect(rows).toEqual([
      {
        segment: "de",
        value: 150,
        share: 75,
        diff_abs: -50,
        diff_rel: -25,
        p_value: null,
        p_value_holm: null,
        significant: null,
      },
      {
        segment: "fr",
        value: 50,
        share: 25,
        diff_abs: -150,
        diff_rel: -75,
        p_value: null,
        p_value_holm: null,
        significant: null,
      },
    ]);
  });

  it("gives a ratio's share of its denominator; a segment with no denominator has null value, last", () => {
    const rows = compareSegments({ kind: "ratio", denominator: "orders" }, { value: 40, denominator: 10 }, [
      { segment: "(none)", value: null, denominator: 0 },
      { segment: "spring", value: 50, denominator: 4 },
      { segment: "autumn", value: 33.3, denominator: 6 },
    ]);
    expect(rows.map((r) => [r.segment, r.share])).toEqual([
      ["spring", 40],
      ["autumn", 60],
      ["(none)", 0],
    ]);
    expect(rows[2]).toMatchObject({ value: null, diff_abs: null, diff_rel: null, p_value: null });
  });

  it("never divides by a zero total, and leaves a single segment untested", () => {
    const rows = compareSegments(BOUNCE, { value: null, numerator: 0, denominator: 0 }, [
      { segment: "only", value: null, numerator: 0, denominator: 0 },
    ]);
    expect(rows).toEqual([
      {
        segment: "only",
        value: null,
        share: null,
        diff_abs: null,
        diff_rel: null,
        p_value: null,
        p_value_holm: null,
        significant: null,
      },
    ]);
    const zeroTotal = compareSegments({ kind: "additive" }, { value: 0 }, [{ segment: "x", value: 0 }]);
    expect(zeroTotal[0]).toMatchObject({ share: null, diff_abs: 0, diff_rel: null });
  });
});

describe("segment shapes", () => {
  it("know every built-in KPI, with measures the KPI is computed from", () => {
    for (const kpi of KPI_CATALOG) {
      const shape = shapeOf(kpi.id);
      expect(shape.kind, kpi.id).not.toBe("formula");
      for (const measure of shapeMeasures(shape)) expect(kpi.measures, kpi.id).toContain(measure);
    }
    expect(shapeOf("profit")).toEqual({ kind: "formula" });
  });

  it("test the proportions of docs/concepts.md#kpis and only them", () => {
    const tested = KPI_CATALOG.filter((k) => shapeOf(k.id).kind === "proportion").map((k) => k.id);
    expect(tested.sort()).toEqual(
      [
        "bounce_rate",
        "click_rate",
        "click_to_open_rate",
        "conversion_rate",
        "ctr",
        "open_rate",
        "retention_rate",
        "visitor_conversion_rate",
      ].sort(),
    );
    for (const id of tested) expect(KPI_CATALOG.find((k) => k.id === id)?.unit).toBe("percent");
  });
});
