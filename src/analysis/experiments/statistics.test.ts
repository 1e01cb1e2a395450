import { describe, expect, it } from "vitest";
import { chanceToBeat } from "./bayes.js";
import { compareVariations } from "./compare.js";
import { holmAdjust } from "./holm.js";
import { relativeLift, twoProportionPValue, waldDifference, wilsonInterval } from "./proportions.js";
import { powerTwoProportions, sampleSizeTwoProportions } from "./sample-size.js";
import { sampleSize } from "./size.js";
import { chiSquareGoodnessOfFit } from "./srm.js";

describe("Wilson score interval", () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
  // methods", Statistics in Medicine 17:857-872, Table II, method 3 (score, no continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("%i/%i gives Newcombe's [%f, %f]", (x, n, lo, hi) => {
    const ci = wilsonInterval(x, n);
    expect(ci?.[0]).toBeCloseTo(lo, 4);
    expect(ci?.[1]).toBeCloseTo(hi, 4);
  });

  it("is undefined without visitors and stays inside [0, 1] at 100 %", () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    const ci = wilsonInterval(20, 20);
    expect(ci?.[1]).toBe(1);
    expect(ci?.[0]).toBeCloseTo(0.8389, 4); // 1 − Newcombe's upper bound for 0/20
  });
});

describe("two-proportion z-test (pooled)", () => {
  // statsmodels proportions_ztest docstring example: count = [5, 12], nobs = [83, 99] → p-value 0.159
  // (https://www.statsmodels.org/stable/generated/statsmodels.stats.proportion.proportions_ztest.html).
  it("gives statsmodels' documented p-value", () => {
    expect(twoProportionPValue(5, 83, 12, 99)).toBeCloseTo(0.159, 3);
  });

  // R: prop.test(c(15, 25), c(50, 50), correct = FALSE) → X-squared = 4.1667, p-value = 0.04123
  // (X² = z² for two groups; R's stats::prop.test, computed by hand: pooled 0.4, z = −2.0412).
  it("agrees with the chi-square of prop.test without continuity correction", () => {
    expect(twoProportionPValue(15, 50, 25, 50)).toBeCloseTo(0.04123, 5);
  });

  it("is null when nobody or everybody converts (0/0 statistic)", () => {
    expect(twoProportionPValue(0, 100, 0, 100)).toBeNull();
    expect(twoProportionPValue(100, 100, 50, 50)).toBeNull();
    expect(twoProportionPValue(1, 0, 1, 10)).toBeNull();
  });
});

describe("lift intervals", () => {
  it("Wald difference is centred on p_v − p_c with the unpooled standard error", () => {
    const ci = waldDifference(30, 100, 20, 100);
    const se = Math.sqrt((0.3 * 0.7) / 100 + (0.2 * 0.8) / 100);
    expect(ci?.[0]).toBeCloseTo(0.1 - 1.959964 * se, 6);
    expect(ci?.[1]).toBeCloseTo(0.1 + 1.959964 * se, 6);
  });

  it("relative lift follows docs/funnels-and-experiments.md#methods's delta-method formula", () => {
    const { lift, interval } = relativeLift(260, 5000, 240, 5000);
    const pv = 0.052;
    const pc = 0.048;
    const half =
      1.959964 * (pv / pc) * Math.sqrt((pv * (1 - pv)) / 5000 / pv ** 2 + (pc * (1 - pc)) / 5000 / pc ** 2);
    expect(lift).toBeCloseTo(pv / pc - 1, 12);
    expect(interval?.[0]).toBeCloseTo(pv / pc - 1 - half, 6);
    expect(interval?.[1]).toBeCloseTo(pv / pc - 1 + half, 6);
  });

  it("relative lift is null when the control never converts", () => {
    expect(relativeLift(5, 100, 0, 100)).toEqual({ lift: null, interval: null });
  });
});

describe("chance to beat control", () => {
  it("is 1/2 between identical posteriors", () => {
    expect(chanceToBeat(0, 0, 0, 0)).toBeNull();
    expect(chanceToBeat(10, 100, 10, 100)).toBeCloseTo(0.5, 12);
  });

  it("is 5/6 for one success against one failure (by hand)", () => {
    expect(chanceToBeat(1, 1, 0, 0)).toBeNull(); // no control visitors: undefined
    // Beta(2,1) against Beta(1,2): P = ∫ 2x · (2x − x²) dx = 4/3 − 1/2 = 5/6.
    expect(chanceToBeat(1, 1, 0, 1)).toBeCloseTo(5 / 6, 12);
  });

  it("matches numerical integration of the Beta density times the Beta CDF to 1e-6", () => {
    for (const [xv, nv, xc, nc] of [
      [13, 100, 9, 100],
      [3, 40, 7, 45],
      [0, 30, 2, 30],
      [50, 50, 48, 50],
    ] as const) {
      expect(chanceToBeat(xv, nv, xc, nc)).toBeCloseTo(integrate(xv, nv, xc, nc), 6);
    }
  });
});

/** P(p_v > p_c) = ∫ f_v(x) F_c(x) dx by Simpson's rule on a fine grid: an independent computation. */
function integrate(xv: number, nv: number, xc: number, nc: number): number {
  const steps = 20000;
  const h = 1 / steps;
  const density = (a: number, b: number) => {
    const grid = Array.from({ length: steps + 1 }, (_, i) => (i * h) ** (a - 1) * (1 - i * h) ** (b - 1));
    const total = simpson(grid, h);
    return grid.map((y) => y / total);
  };
  const fv = density(1 + xv, 1 + nv - xv);
  const fc = density(1 + xc, 1 + nc - xc);
  const Fc: number[] = [0];
  for (let i = 1; i <= steps; i++) Fc.push((Fc[i - 1] ?? 0) + (((fc[i - 1] ?? 0) + (fc[i] ?? 0)) / 2) * h);
  return simpson(
    fv.map((y, i) => y * (Fc[i] ?? 0)),
    h,
  );
}

function simpson(y: readonly number[], h: number): number {
  let s = (y[0] ?? 0) + (y[y.length - 1] ?? 0);
  for (let i = 1; i < y.length - 1; i++) s += (i % 2 === 1 ? 4 : 2) * (y[i] ?? 0);
  return (s * h) / 3;
}

describe("sample ratio mismatch (chi-square goodness of fit)", () => {
  // scipy.stats.chisquare docstring examples
  // (https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.chisquare.html).
  it("gives scipy's documented statistics and p-values", () => {
    const equal = chiSquareGoodnessOfFit([16, 18, 16, 14, 12, 12], [1, 1, 1, 1, 1, 1]);
    expect(equal?.statistic).toBeCloseTo(2.0, 12);
    expect(equal?.pValue).toBeCloseTo(0.84914503608460956, 12);
    const planned = chiSquareGoodnessOfFit([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]);
    expect(planned?.statistic).toBeCloseTo(3.5, 12);
    expect(planned?.pValue).toBeCloseTo(0.62338762774958223, 12);
  });

  // R's chisq.test documentation: x <- c(A = 20, B = 15, C = 25); chisq.test(x) → X-squared = 2.5,
  // df = 2, p-value = 0.2865 (https://stat.ethz.ch/R-manual/R-devel/library/stats/html/chisq.test.html).
  it("gives R's chisq.test example", () => {
    const r = chiSquareGoodnessOfFit([20, 15, 25], [1, 1, 1]);
    expect(r?.statistic).toBeCloseTo(2.5, 12);
    expect(r?.pValue).toBeCloseTo(0.2865, 4);
  });

  it("needs two groups and some visitors", () => {
    expect(chiSquareGoodnessOfFit([10], [1])).toBeNull();
    expect(chiSquareGoodnessOfFit([0, 0], [1, 1])).toBeNull();
  });
});

describe("Holm adjustment", () => {
  // R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") → 0.05 0.08 0.09 0.09 0.09 (by the definition,
  // as R's stats::p.adjust computes it: pmin(1, cummax((n - i + 1) * p[o]))[ro]).
  it("matches p.adjust(method = 'holm')", () => {
    const adjusted = holmAdjust([0.04, 0.01, 0.05, 0.02, 0.03]);
    const expected = [0.09, 0.05, 0.09, 0.08, 0.09];
    adjusted.forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i] ?? Number.NaN, 12);
    });
  });

  it("keeps nulls out and caps at 1", () => {
    expect(holmAdjust([null, 0.6, 0.4])).toEqual([null, 0.8, 0.8]);
  });
});

describe("power.prop.test", () => {
  // R documentation examples of stats::power.prop.test (https://rdrr.io/r/stats/power.prop.test.html):
  // power.prop.test(n = 50, p1 = .50, p2 = .75) → power = 0.7401659
  // power.prop.test(p1 = .50, p2 = .75, power = .90) → n = 76.7 (printed to 3 significant digits)
  it("reproduces R's documented examples", () => {
    expect(powerTwoProportions(50, 0.5, 0.75, 0.05)).toBeCloseTo(0.7401659, 6);
    const n = sampleSizeTwoProportions(0.5, 0.75, 0.05, 0.9) ?? 0;
    expect(n).toBeGreaterThan(76.65);
    expect(n).toBeLessThan(76.75);
    expect(powerTwoProportions(n, 0.5, 0.75, 0.05)).toBeCloseTo(0.9, 9);
  });

  // R: power.prop.test(p1 = .9, p2 = 1, power = .8) → n = 73.37427 (the closed form of the power
  // above solved for n: ((q·√(1.9·0.05) + Φ⁻¹(0.8)·√0.09) / 0.1)² = 73.374273).
  it("sizes a target rate of exactly 1 or 0, and refuses only outside [0, 1]", () => {
    expect(sampleSizeTwoProportions(0.9, 1) ?? 0).toBeCloseTo(73.374273, 5);
    expect(sampleSize({ baseline: 0.9, mde: 0.1, relative: false, alpha: 0.05, power: 0.8 })).toEqual({
      per_variation: 74,
    });
    expect(sampleSize({ baseline: 0.1, mde: -0.1, relative: false, alpha: 0.05, power: 0.8 })).toEqual({
      per_variation: 74,
    });
    expect(sampleSize({ baseline: 0.5, mde: 1, relative: true, alpha: 0.05, power: 0.8 })).toEqual({
      per_variation: Math.ceil(sampleSizeTwoProportions(0.5, 1) ?? 0),
    });
    expect(() => sampleSize({ baseline: 0.95, mde: 0.1, relative: false, alpha: 0.05, power: 0.8 })).toThrow(
      /target rate of 1\.05, outside 0 to 1/,
    );
    expect(() => sampleSize({ baseline: 0.05, mde: -0.1, relative: false, alpha: 0.05, power: 0.8 })).toThrow(
      /outside 0 to 1/,
    );
  });
  it("is null when the rates are equal (no n reaches the power)", () => {
    expect(sampleSizeTwoProportions(0.05, 0.05)).toBeNull();
  });
});

describe("comparing variations", () => {
  it("puts the control first with null comparison fields", () => {
    const r = compareVariations([
      { id: "v2", visitors: 5000, conversions: 260 },
      { id: "control", visitors: 5000, conversions: 240 },
    ]);
    expect(r.control).toBe("control");
    expect(r.variations.map((v) => v.id)).toEqual(["control", "v2"]);
    expect(r.variations[0]?.p_value).toBeNull();
    expect(r.variations[1]?.rate).toBeCloseTo(5.2, 12);
    expect(r.variations[1]?.lift_abs).toBeCloseTo(0.4, 12);
    expect(r.variations[1]?.verdict).toMatch(
      /^v2: not significant yet: about [\d,]+ more visitors per variation/,
    );
    expect(r.srm.flagged).toBe(false);
    expect(r.variations[1]).not.toHaveProperty("p_value_holm");
  });

  it("chooses 0, then the first id, as control; adds Holm p-values with three variations", () => {
    const r = compareVariations([
      { id: "b", visitors: 100, conversions: 10 },
      { id: "a", visitors: 100, conversions: 20 },
      { id: "c", visitors: 100, conversions: 30 },
    ]);
    expect(r.control).toBe("a");
    expect(r.variations.map((v) => v.p_value_holm)).toEqual([null, expect.any(Number), expect.any(Number)]);
    expect(
      compareVariations([
        { id: "1", visitors: 1, conversions: 0 },
        { id: "0", visitors: 1, conversions: 0 },
      ]).control,
    ).toBe("0");
  });

  it("flags a split far from the plan and refuses a split of the wrong length", () => {
    const counts = [
      { id: "control", visitors: 1000, conversions: 10 },
      { id: "v", visitors: 1300, conversions: 13 },
    ];
    expect(compareVariations(counts).srm.flagged).toBe(true);
    expect(compareVariations(counts, { split: [1000, 1300] }).srm.flagged).toBe(false);
    expect(() => compareVariations(counts, { split: [50, 25, 25] })).toThrow(/one share per variation/);
  });

  it("answers nulls, never NaN, for zero and 100 % conversions, and speaks French", () => {
    const zero = compareVariations(
      [
        { id: "control", visitors: 50, conversions: 0 },
        { id: "v", visitors: 50, conversions: 0 },
      ],
      { lang: "fr" },
    );
    expect(JSON.stringify(zero)).not.toMatch(/NaN|Infinity/);
    expect(zero.variations[1]?.p_value).toBeNull();
    expect(zero.variations[1]?.lift_rel).toBeNull();
    expect(zero.variations[1]?.verdict).toMatch(/aucune différence/);
    const all = compareVariations([
      { id: "control", visitors: 50, conversions: 50 },
      { id: "v", visitors: 50, conversions: 50 },
    ]);
    expect(all.variations[1]?.lift_rel).toBe(0);
    expect(all.variations[1]?.p_value).toBeNull();
    expect(compareVariations([]).verdict).toMatch(/No exposures/);
    expect(compareVariations([{ id: "x", visitors: 3, conversions: 1 }]).verdict).toMatch(
      /Only one variation/,
    );
  });
});
