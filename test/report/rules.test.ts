import { describe, expect, it } from "vitest";
import { formatChange, formatNumber } from "../../src/report/format-number.js";
import { periodRange, previousRange, yearBeforeRange } from "../../src/report/periods.js";
import { auditFindings } from "../../src/report/recommendations.js";
import { neutralise } from "../../src/report/render-csv.js";
import { escapeMarkdown } from "../../src/report/render-markdown.js";
import { peerStats, quantile } from "../../src/report/stats.js";

describe("figures as docs/reports.md#languages-and-numbers writes them", () => {
  it.each([
    [1234.567, "money", "en", "€1,235"],
    [999.5, "money", "en", "€999.50"],
    [15234, "count", "en", "15,234"],
    [3.5, "percent", "en", "3.50%"],
    [1.2345, "ratio", "en", "1.23"],
    [1234.567, "money", "fr", "1\u202f235\u00a0€"],
    [999.5, "money", "fr", "999,50\u00a0€"],
    [15234, "count", "fr", "15\u202f234"],
    [3.5, "percent", "fr", "3,50\u00a0%"],
    [2.5, "ratio", "fr", "2,50"],
    [null, "money", "fr", "—"],
  ] as const)("%s %s in %s is %s", (value, unit, lang, expected) => {
    expect(formatNumber(value, unit, lang, "EUR")).toBe(expected);
  });

  it("never abbreviates", () => {
    expect(formatNumber(15_234_567.89, "money", "en", "EUR")).toBe("€15,234,568");
    expect(formatChange(12.345, "fr")).toBe("+12,35\u00a0%");
  });
});

describe("report periods", () => {
  it("is the period containing the day, up to it", () => {
    expect(periodRange("month", "2026-04-30")).toEqual({ from: "2026-04-01", to: "2026-04-30" });
    expect(periodRange("week", "2026-04-30")).toEqual({ from: "2026-04-27", to: "2026-04-30" });
    expect(periodRange("quarter", "2026-05-10")).toEqual({ from: "2026-04-01", to: "2026-05-10" });
  });

  it("compares a whole month or quarter with the whole previous calendar one", () => {
    expect(previousRange("month", { from: "2026-04-01", to: "2026-04-30" })).toEqual({
      from: "2026-03-01",
      to: "2026-03-31",
    });
    expect(previousRange("month", { from: "2026-03-01", to: "2026-03-31" })).toEqual({
      from: "2026-02-01",
      to: "2026-02-28",
    });
    expect(previousRange("month", { from: "2028-03-01", to: "2028-03-31" })).toEqual({
      from: "2028-02-01",
      to: "2028-02-29",
    });
    expect(previousRange("quarter", { from: "2026-04-01", to: "2026-06-30" })).toEqual({
      from: "2026-01-01",
      to: "2026-03-31",
    });
    expect(previousRange("quarter", { from: "2026-01-01", to: "2026-03-31" })).toEqual({
      from: "2025-10-01",
      to: "2025-12-31",
    });
    expect(previousRange("week", { from: "2026-04-27", to: "2026-05-03" })).toEqual({
      from: "2026-04-20",
      to: "2026-04-26",
    });
  });

  it("compares a period under way with the same stretch of the previous one and of a year before", () => {
    expect(previousRange("month", { from: "2026-04-01", to: "2026-04-15" })).toEqual({
      from: "2026-03-01",
      to: "2026-03-15",
    });
    expect(previousRange("month", { from: "2026-03-01", to: "2026-03-31" })).toEqual({
      from: "2026-02-01",
      to: "2026-02-28",
    });
    expect(previousRange("month", { from: "2026-03-01", to: "2026-03-30" })).toEqual({
      from: "2026-02-01",
      to: "2026-02-28",
    });
    expect(previousRange("week", { from: "2026-04-27", to: "2026-04-29" })).toEqual({
      from: "2026-04-20",
      to: "2026-04-22",
    });
    expect(yearBeforeRange("month", { from: "2028-02-01", to: "2028-02-29" })).toEqual({
      from: "2027-02-01",
      to: "2027-02-28",
    });
    expect(yearBeforeRange("week", { from: "2026-04-27", to: "2026-04-29" })).toEqual({
      from: "2025-04-28",
      to: "2025-04-30",
    });
  });
});

describe("quartiles and ranks", () => {
  it("interpolates like R's default quantile", () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([], 0.5)).toBeNull();
  });
  it("ranks by the KPI's direction", () => {
    expect(peerStats(10, [10, 20, 30, null], "higher").rank).toBe(3);
    expect(peerStats(10, [10, 20, 30, null], "lower")).toMatchObject({ rank: 1, count: 3, median: 20 });
  });
});

const stats = (values: number[], better: "higher" | "lower", value: number) =>
  peerStats(value, values, better);

describe("audit rules (docs/recommendations.md)", () => {
  it("points at the landing page when a top-quartile CTR meets a CPA above target", () => {
    const f = auditFindings({
      kpis: { spend: 100, revenue: 150, roi: 50, ctr: 5, cpa: 60, conversion_rate: 1 },
      peers: {
        ctr: stats([1, 2, 3, 5], "higher", 5),
        roi: stats([50, 80], "higher", 50),
        conversion_rate: stats([1, 2, 3, 4], "higher", 1),
      },
      cpaTarget: 40,
    });
    expect(f.worked).toContain("ctr_top");
    expect(f.didNot).toEqual(expect.arrayContaining(["cpa_above_target", "conversion_low_after_clicks"]));
    expect(f.advice).toContain("landing_page");
    expect(f.advice).not.toContain("creative_targeting");
  });

  it("points at creative and targeting when the CTR is in the bottom quartile", () => {
    const f = auditFindings({
      kpis: { spend: 100, revenue: 150, roi: 50, ctr: 1, cpa: 60 },
      peers: { ctr: stats([1, 2, 3, 5], "higher", 1) },
      cpaTarget: 40,
    });
    expect(f.didNot).toContain("ctr_bottom");
    expect(f.advice).toEqual(["creative_targeting", "targeting_offer"]);
  });

  it("cuts or fixes a campaign that loses money, and scales the best ROI", () => {
    const losing = auditFindings({ kpis: { spend: 100, revenue: 50, roi: -50 }, peers: {}, cpaTarget: null });
    expect(losing.didNot).toContain("roi_negative");
    expect(losing.advice).toContain("cut_or_fix");
    const best = auditFindings({
      kpis: { spend: 100, revenue: 300, roi: 200 },
      peers: { roi: stats([200, 10, -5], "higher", 200) },
      cpaTarget: null,
    });
    expect(best.worked).toContain("best_roi");
    expect(best.advice).toEqual(["scale"]);
  });

  it("says when nothing was spent rather than judging costs", () => {
    const f = auditFindings({ kpis: { spend: 0, revenue: 10, roi: null }, peers: {}, cpaTarget: null });
    expect(f.didNot).toEqual(["no_spend"]);
    expect(f.advice).toEqual([]);
  });
});

describe("user text", () => {
  it("is plain text in Markdown", () => {
    expect(escapeMarkdown("<img src=x onerror=alert(1)> | *x* [a](b)")).toBe(
      "&lt;img src=x onerror=alert\\(1\\)&gt; \\| \\*x\\* \\[a\\]\\(b\\)",
    );
  });
  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])("neutralises %j in CSV", (cell) => {
    expect(neutralise(cell)).toBe(`'${cell}`);
  });
  it("writes numbers as numbers, negative ones included", () => {
    expect(neutralise(-77.13)).toBe("-77.13");
    expect(neutralise(-0.5)).toBe("-0.5");
    expect(neutralise("-77.13")).toBe("'-77.13");
  });
  it("keeps other cells as they are", () => expect(neutralise("spring_sale")).toBe("spring_sale"));
});
