import { describe, expect, it } from "vitest";
import { detectAnomaly, mad, median } from "./anomaly.js";

describe("median and MAD", () => {
  it.each([
    [[3, 1, 2], 2, 1],
    [[1, 2, 3, 4], 2.5, 1],
    [[10, 10, 10, 50], 10, 0],
    [[100, 110, 90, 105, 95, 100, 120, 80], 100, 7.5],
  ])("%o: median %s, MAD %s", (values, m, d) => {
    expect(median(values)).toBe(m);
    expect(mad(values)).toBe(d);
  });
});

describe("modified z-score of the last day against the same weekday of 8 weeks", () => {
  // History 100 110 90 105 95 100 120 80: median 100; deviations 0 10 10 5 5 0 20 20 → MAD 7.5;
  // scale 1.4826 × 7.5 = 11.1195; bounds 100 ± 3.5 × 11.1195 = 61.08175 and 138.91825.
  const history = [100, 110, 90, 105, 95, 100, 120, 80];

  it.each([
    [139, true, (139 - 100) / 11.1195],
    [138, false, (138 - 100) / 11.1195],
    [61, true, (61 - 100) / 11.1195],
    [62, false, (62 - 100) / 11.1195],
    [100, false, 0],
  ])("x = %s fires %s (score %s)", (x, fires, score) => {
    const result = detectAnomaly(x, history);
    expect(result.fires).toBe(fires);
    expect(result.score).toBeCloseTo(score, 10);
    expect(result.median).toBe(100);
    expect(result.scale).toBeCloseTo(11.1195, 10);
  });

  it("reports the bound crossed", () => {
    expect(detectAnomaly(139, history).bound).toBeCloseTo(138.91825, 9);
    expect(detectAnomaly(61, history).bound).toBeCloseTo(61.08175, 9);
  });

  it("a direction fires on one side only", () => {
    expect(detectAnomaly(139, history, 3.5, ">").fires).toBe(true);
    expect(detectAnomaly(61, history, 3.5, ">").fires).toBe(false);
    expect(detectAnomaly(61, history, 3.5, "<").fires).toBe(true);
    expect(detectAnomaly(139, history, 3.5, "<=").fires).toBe(false);
  });

  it("a lower threshold is more sensitive", () => {
    expect(detectAnomaly(130, history, 2).fires).toBe(true);
    expect(detectAnomaly(130, history).fires).toBe(false);
  });

  it("MAD = 0: falls back on the mean absolute deviation × 1.253314", () => {
    // 10 10 10 10 10 50: median 10, MAD 0; mean |x − 10| = 40/6; scale 1.253314 × 40/6 = 8.35543
    const h = [10, 10, 10, 10, 10, 50];
    const scale = (1.253314 * 40) / 6;
    const r = detectAnomaly(40, h);
    expect(r.scale).toBeCloseTo(scale, 10);
    expect(r.score).toBeCloseTo(30 / scale, 10);
    expect(r.fires).toBe(true);
    expect(detectAnomaly(35, h).fires).toBe(false); // 25 / 8.355 = 2.99
  });

  it("a constant history: any other value fires, the same does not", () => {
    expect(detectAnomaly(7, [5, 5, 5, 5]).fires).toBe(true);
    expect(detectAnomaly(7, [5, 5, 5, 5]).score).toBe(Number.POSITIVE_INFINITY);
    expect(detectAnomaly(5, [5, 5, 5, 5]).fires).toBe(false);
  });

  it("null values and too short a history decide nothing", () => {
    expect(detectAnomaly(null, history).fires).toBe(false);
    expect(detectAnomaly(1000, [100, null, 100, null, 110, null]).fires).toBe(false); // 3 known < 4
    expect(detectAnomaly(1000, [100, null, 100, 90, 110, null]).fires).toBe(true);
  });
});
