import { describe, expect, it } from "vitest";
import { compareMetric, type EffectOptions } from "./effects.js";
import { sequentialHalfWidth, sequentialPValue, sequentialRho } from "./sequential.js";
import type { MetricSums } from "./sums.js";

const fixed: EffectOptions = { scale: "mean", cuped: false, sequential: null, alpha: 0.05 };

/** Rounded as gbstats' own tests round (5 decimals): the published figure ± half a unit in the last place. */
const close5 = (actual: number | null | undefined, expected: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThanOrEqual(0.5e-5 + 1e-12);
};

// Published vectors: GrowthBook's gbstats test suite, packages/stats/tests/frequentist/test_tests.py
// (TestTwoSidedTTest, TestSequentialTTest), whose expected figures are rounded to 5 decimals.
const gbA: MetricSums = { n: 3407, sum: 1396.87, sumSquares: 52377.9767 };
const gbB: MetricSums = { n: 3461, sum: 2422.7, sumSquares: 134698.29 };

describe("mean metrics as gbstats computes them", () => {
  it("gives gbstats' relative two-sided t-test (test_two_sided_ttest)", () => {
    const e = compareMetric(gbA, gbB, fixed);
    close5(e.lift, 0.70732);
    close5(e.liftCi?.[0] ?? null, -0.03526);
    close5(e.liftCi?.[1] ?? null, 1.44989);
    close5(e.liftPValue, 0.06191);
  });

  it("gives gbstats' absolute two-sided t-test (test_two_sided_ttest_absolute)", () => {
    const e = compareMetric(gbA, gbB, fixed);
    expect(e.diff).toBeCloseTo(2422.7 / 3461 - 1396.87 / 3407, 12);
    close5(e.diffCi?.[0] ?? null, 0.04538);
    close5(e.diffCi?.[1] ?? null, 0.53462);
    close5(e.diffPValue, 0.02016);
  });

  // The same vector beyond gbstats' 5 decimals, to 6 significant digits and more: gbstats' formulas
  // (frequentist/tests.py: Welch–Satterthwaite dof, the delta-method variance of the ratio) typed
  // into Python and evaluated with scipy.stats.t (ppf, sf), independently of stdlib's t.
  it("agrees with gbstats' formulas evaluated with scipy to 10 significant digits", () => {
    const e = compareMetric(gbA, gbB, fixed);
    const sig = (actual: number | null | undefined, expected: number) =>
      expect(Math.abs(((actual ?? Number.NaN) - expected) / expected)).toBeLessThan(1e-10);
    sig(e.diffCi?.[0], 0.04537789255929012);
    sig(e.diffCi?.[1], 0.5346221074407098);
    sig(e.diffPValue, 0.020158402643586978);
    sig(e.lift, 0.7073170731707317);
    sig(e.liftCi?.[0], -0.03526008906611777);
    sig(e.liftCi?.[1], 1.449894235407581);
    sig(e.liftPValue, 0.0619118274561836);
  });

  it("gives gbstats' proportion test, p(1 − p) variances (test_two_sided_ttest_binom)", () => {
    const e = compareMetric(
      { n: 28, sum: 14, sumSquares: 14 },
      { n: 30, sum: 16, sumSquares: 16 },
      { ...fixed, scale: "proportion" },
    );
    close5(e.lift, 0.06667);
    close5(e.liftCi?.[0] ?? null, -0.47767);
    close5(e.liftCi?.[1] ?? null, 0.61101);
    close5(e.liftPValue, 0.80707);
  });

  it("is null, never NaN, without variance or with a control mean of 0", () => {
    // gbstats' test_two_sided_ttest_missing_variance: n = 2 against 3461 still has a variance
    // here; a single visitor has none.
    expect(compareMetric({ n: 1, sum: 5, sumSquares: 25 }, gbB, fixed).diff).toBeNull();
    const constant = compareMetric(
      { n: 10, sum: 10, sumSquares: 10 },
      { n: 10, sum: 10, sumSquares: 10 },
      fixed,
    );
    expect(constant.diff).toBeNull();
    const zero = compareMetric({ n: 3, sum: 0, sumSquares: 2 }, { n: 3, sum: 3, sumSquares: 5 }, fixed);
    expect(zero.diff).toBe(1);
    expect(zero.lift).toBeNull();
    expect(JSON.stringify(zero)).not.toMatch(/NaN|Infinity/);
  });
});

describe("sequential testing as gbstats computes it", () => {
  const a3000: MetricSums = { n: 3000, sum: 1396.87, sumSquares: 52377.9767 };
  const sequential = (tuning: number): EffectOptions => ({ ...fixed, sequential: tuning });

  it("gives gbstats' always-valid interval with tuning 1000 (test_sequential_test_runs)", () => {
    const e = compareMetric(a3000, gbB, sequential(1000));
    close5(e.lift, 0.50336);
    close5(e.liftCi?.[0] ?? null, -0.55844);
    close5(e.liftCi?.[1] ?? null, 1.56516);
    expect(e.liftPValue).toBe(1);
  });

  it("gives gbstats' sequential proportion test, default tuning 5000 (test_sequential_test_runs_prop)", () => {
    const e = compareMetric(
      { n: 3000, sum: 1396, sumSquares: 1396 },
      { n: 3461, sum: 2422, sumSquares: 2422 },
      { ...sequential(5000), scale: "proportion" },
    );
    close5(e.lift, 0.50386);
    close5(e.liftCi?.[0] ?? null, 0.40098);
    close5(e.liftCi?.[1] ?? null, 0.60675);
    close5(e.liftPValue, 0);
  });

  it("gives gbstats' sequential CUPED test (test_sequential_test_runs_ra)", () => {
    const e = compareMetric(
      { ...a3000, pre: { sum: 16.87, sumSquares: 527.9767, sumProducts: 1 } },
      { ...gbB, pre: { sum: 22.7, sumSquares: 1348.29, sumProducts: 1 } },
      { ...sequential(5000), cuped: true },
    );
    close5(e.lift, 0.50338);
    close5(e.liftCi?.[0] ?? null, -0.50969);
    close5(e.liftCi?.[1] ?? null, 1.51646);
    expect(e.liftPValue).toBe(1);
  });

  it("has a p-value below α exactly when 0 is outside the interval", () => {
    for (const z of [0.5, 2, 2.5, 3, 3.5, 4, 5]) {
      const half = sequentialHalfWidth(1, 4000, 0.05, 5000);
      const p = sequentialPValue(z, 1, 4000, 0.05, 5000);
      expect(p < 0.05).toBe(z > half);
    }
    // ρ by hand: √((−2 ln 0.05 + ln(−2 ln 0.05 + 1)) / 5000) = √((5.991465 + 1.944690) / 5000).
    expect(sequentialRho(0.05, 5000)).toBeCloseTo(Math.sqrt(7.936155 / 5000), 7);
  });
});

describe("CUPED", () => {
  // Raw data: visitor i of A (200) and B (230) has pre x = (37i + s) mod 11 and post
  // y = 0.8x + ((13i + s) mod 5) + shift (s = 3, shift 0 for A; s = 5, shift 0.6 for B). Reference
  // computed independently from the raw values with numpy and scipy: θ = np.cov(y, x)[0, 1] /
  // np.var(x, ddof = 1) over both variations, then scipy.stats.ttest_ind(yB − θxB, yA − θxA,
  // equal_var = False) and its confidence_interval(0.95).
  const a: MetricSums = {
    n: 200,
    sum: 1200,
    sumSquares: 8859.52,
    pre: { sum: 1000, sumSquares: 6988, sumProducts: 7582.4 },
  };
  const b: MetricSums = {
    n: 230,
    sum: 1521.2,
    sumSquares: 12018,
    pre: { sum: 1154, sumSquares: 8084, sumProducts: 9485.6 },
  };

  it("adjusts by θ from the pooled covariance and gives Welch's test on the adjusted values", () => {
    const e = compareMetric(a, b, { ...fixed, cuped: true });
    expect(e.theta).toBeCloseTo(0.8025960709172711, 10);
    expect(e.diff).toBeCloseTo(0.599954850940569, 10);
    expect(e.diffCi?.[0]).toBeCloseTo(0.3305572337358573, 8);
    expect(e.diffCi?.[1]).toBeCloseTo(0.8693524681452807, 8);
    expect(e.diffPValue).toBeCloseTo(1.5172225870412885e-5, 10);
    expect(e.varianceReduction).toBeCloseTo(0.7617806528888303, 10);
    expect(e.diffUnadjusted).toBeCloseTo(1521.2 / 230 - 6, 12);
  });

  it("narrows the interval against the same test without the covariate", () => {
    const plain = compareMetric(a, b, fixed);
    const adjusted = compareMetric(a, b, { ...fixed, cuped: true });
    const width = (ci: [number, number] | null) => (ci ? ci[1] - ci[0] : Number.NaN);
    expect(width(adjusted.diffCi)).toBeLessThan(width(plain.diffCi) * 0.5);
    expect(width(adjusted.liftCi)).toBeLessThan(width(plain.liftCi));
  });

  it("leaves the metric unadjusted when the covariate is constant (θ = 0)", () => {
    const flat = (s: MetricSums): MetricSums => ({
      ...s,
      pre: { sum: s.n, sumSquares: s.n, sumProducts: s.sum },
    });
    const e = compareMetric(flat(a), flat(b), { ...fixed, cuped: true });
    const plain = compareMetric(a, b, fixed);
    expect(e.theta).toBe(0);
    expect(e.diffCi).toEqual(plain.diffCi);
    expect(e.liftCi).toEqual(plain.liftCi);
    expect(e.varianceReduction).toBe(0);
  });
});
