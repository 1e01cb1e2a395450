import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareMetric } from "../../src/analysis/experiments/effects.js";
import { runExperiment } from "../../src/analysis/experiments/run-experiment.js";
import type { Workspace } from "../../src/model/workspace.js";
import type { MetricSumsRow } from "../../src/store/store.js";
import { type Kit, openKit } from "../kpi/fixture.js";

/** Rows of an events CSV: timestamp,event,visitor_id,revenue,order_id,properties. */
const seen = (ts: string, visitor: string, variation: string) =>
  `${ts},Experiment Viewed,${visitor},,,"{""experiment_id"":""checkout"",""variation_id"":""${variation}""}"`;
const order = (ts: string, visitor: string, revenue: number, id: string) =>
  `${ts},Order Completed,${visitor},${revenue},${id},`;
const page = (ts: string, visitor: string) => `${ts},pageview,${visitor},,,`;

describe("experiment metrics per exposed visitor", () => {
  let kit: Kit;
  let ws: Workspace;
  beforeAll(async () => {
    kit = await openKit();
    ws = await kit.workspace("shop");
    await kit.load(
      ws,
      "events",
      [
        "timestamp,event,visitor_id,revenue,order_id,properties",
        // c1 (control): 50 + 20 after exposure; 30 eleven days before (in the 14-day lookback);
        // 100 two months before (outside it); two page views after, one before.
        order("2026-01-01T10:00:00Z", "c1", 100, "o1"),
        order("2026-02-19T10:00:00Z", "c1", 30, "o2"),
        page("2026-03-02T09:00:00Z", "c1"),
        seen("2026-03-02T10:00:00Z", "c1", "control"),
        page("2026-03-02T10:01:00Z", "c1"),
        page("2026-03-02T10:02:00Z", "c1"),
        order("2026-03-02T11:00:00Z", "c1", 50, "o3"),
        order("2026-03-03T11:00:00Z", "c1", 20, "o4"),
        // c2 (control): nothing. c3 (control): an event for order o5 that the import also holds
        // at 10 (the imported row wins).
        seen("2026-03-02T10:00:00Z", "c2", "control"),
        seen("2026-03-02T10:00:00Z", "c3", "control"),
        order("2026-03-04T10:00:00Z", "c3", 999, "o5"),
        // t1 (v2): 80 after. t2 (v2): 40 before only. t3 (v2): 25 within the dates, 35 after them.
        seen("2026-03-03T10:00:00Z", "t1", "v2"),
        order("2026-03-03T12:00:00Z", "t1", 80, "o6"),
        order("2026-03-01T10:00:00Z", "t2", 40, "o7"),
        seen("2026-03-03T10:00:00Z", "t2", "v2"),
        seen("2026-03-03T10:00:00Z", "t3", "v2"),
        page("2026-03-03T10:30:00Z", "t3"),
        order("2026-03-05T10:00:00Z", "t3", 25, "o8"),
        order("2026-03-10T10:00:00Z", "t3", 35, "o9"),
      ].join("\n"),
    );
    await kit.load(
      ws,
      "orders",
      ["timestamp,order_id,customer_id,revenue,visitor_id", "2026-03-04T10:00:00Z,o5,cust3,10,c3"].join("\n"),
    );
    await kit.store.refreshDerived(ws);
  });
  afterAll(async () => kit.close());

  const dates = { from: "2026-03-01", to: "2026-03-08" };
  const sums = (
    metric: Parameters<Kit["store"]["queryMetricSums"]>[0]["metric"],
    lookbackDays: number | null,
  ) => kit.store.queryMetricSums({ workspace: ws, experiment: "checkout", metric, ...dates, lookbackDays });

  it("adds up revenue after each first exposure and over the 14 days before it", async () => {
    // control: post 70, 0, 10 (Σ 80, Σ² 5000); pre 30, 0, 0 (Σ 30, Σ² 900); Σ post·pre 2100.
    // v2: post 80, 0, 25 (Σ 105, Σ² 7025); pre 0, 40, 0 (Σ 40, Σ² 1600); Σ post·pre 0.
    expect(await sums({ kind: "revenue" }, 14)).toEqual([
      {
        variation: "control",
        n: 3,
        sum: 80,
        sumSquares: 5000,
        preSum: 30,
        preSumSquares: 900,
        sumProducts: 2100,
      },
      { variation: "v2", n: 3, sum: 105, sumSquares: 7025, preSum: 40, preSumSquares: 1600, sumProducts: 0 },
    ]);
    const noLookback = await sums({ kind: "revenue" }, null);
    expect(noLookback.map((r) => [r.sum, r.preSum, r.sumProducts])).toEqual([
      [80, 0, 0],
      [105, 0, 0],
    ]);
  });

  it("counts orders, page views, a property's sum and a conversion per visitor", async () => {
    const brief = (rows: MetricSumsRow[]) =>
      rows.map((r) => [r.variation, r.n, r.sum, r.sumSquares, r.preSum]);
    expect(brief(await sums({ kind: "orders" }, 14))).toEqual([
      ["control", 3, 3, 5, 1],
      ["v2", 3, 2, 2, 1],
    ]);
    expect(brief(await sums({ kind: "count", event: "pageview" }, 14))).toEqual([
      ["control", 3, 2, 4, 1],
      ["v2", 3, 1, 1, 0],
    ]);
    // Events only, no de-duplication against imports: c3's event counts 999.
    expect(brief(await sums({ kind: "sum", event: "Order Completed", property: "revenue" }, null))).toEqual([
      ["control", 3, 1069, 70 * 70 + 999 * 999, 0],
      ["v2", 3, 105, 7025, 0],
    ]);
    expect(brief(await sums({ kind: "conversion", event: "Order Completed" }, 14))).toEqual([
      ["control", 3, 2, 2, 1],
      ["v2", 3, 2, 2, 1],
    ]);
  });

  it("reports every figure per metric and variation with CUPED and sequential testing", async () => {
    const result = await runExperiment(kit.store, ws, {
      id: "checkout",
      metrics: ["revenue", "count:pageview"],
      cuped: true,
      sequential: true,
      tuning: 100,
      ...dates,
    });
    expect(result.conversion).toBeNull();
    expect(result.control).toBe("control");
    expect(result.metrics?.map((m) => m.metric)).toEqual(["revenue", "count:pageview"]);
    const revenue = result.metrics?.[0];
    expect(revenue?.cuped).toEqual({ lookback_days: 14 });
    expect(revenue?.sequential).toEqual({ tuning: 100 });
    const [c, v] = revenue?.variations ?? [];
    expect(c).toMatchObject({
      id: "control",
      visitors: 3,
      sum: 80,
      sum_squares: 5000,
      diff: null,
      lift: null,
    });
    expect(v?.mean).toBe(35);
    const expected = compareMetric(
      { n: 3, sum: 80, sumSquares: 5000, pre: { sum: 30, sumSquares: 900, sumProducts: 2100 } },
      { n: 3, sum: 105, sumSquares: 7025, pre: { sum: 40, sumSquares: 1600, sumProducts: 0 } },
      { scale: "mean", cuped: true, sequential: 100, alpha: 0.05 },
    );
    expect(v?.diff).toBe(expected.diff);
    expect(v?.lift_ci).toEqual(expected.liftCi);
    expect(v?.theta).toBe(expected.theta);
    expect(v?.variance_reduction).toBe(expected.varianceReduction);
    // Holm over the two metrics' comparisons.
    const ps = (result.metrics ?? []).map((m) => m.variations[1]?.p_value ?? 1);
    expect(Math.max(...(result.metrics ?? []).map((m) => m.variations[1]?.p_value_holm ?? 0))).toBe(
      Math.min(1, Math.max(Math.min(...ps) * 2, Math.max(...ps))),
    );
    expect(result.srm.p_value).toBe(1);
    expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
  });

  it("puts the conversion first among the metrics when one is given", async () => {
    const result = await runExperiment(kit.store, ws, {
      id: "checkout",
      conversion: "Order Completed",
      metrics: ["orders"],
      ...dates,
    });
    expect(result.variations.map((x) => [x.id, x.conversions])).toEqual([
      ["control", 2],
      ["v2", 2],
    ]);
    expect(result.metrics?.map((m) => [m.metric, m.scale, m.cuped, m.sequential])).toEqual([
      ["conversion:Order Completed", "proportion", null, null],
      ["orders", "mean", null, null],
    ]);
    await expect(runExperiment(kit.store, ws, { id: "checkout", metrics: ["margin"] })).rejects.toThrow(
      /--metric "margin" is not a metric/,
    );
  });
});
