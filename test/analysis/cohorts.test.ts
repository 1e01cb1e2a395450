import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCohorts } from "../../src/analysis/cohorts/run-cohorts.js";
import type { Workspace } from "../../src/model/workspace.js";
import { type Kit, openKit } from "../kpi/fixture.js";

/** Rows of an events CSV: timestamp,event,visitor_id,user_id,revenue,order_id. */
const order = (ts: string, visitor: string, revenue: number, id: string) =>
  `${ts},Order Completed,${visitor},${visitor},${revenue},${id}`;
const page = (ts: string, visitor: string) => `${ts},pageview,${visitor},,,`;

describe("cohort triangles", () => {
  let kit: Kit;
  let ws: Workspace;
  beforeAll(async () => {
    kit = await openKit();
    ws = await kit.workspace("shop");
    await kit.load(
      ws,
      "events",
      [
        "timestamp,event,visitor_id,user_id,revenue,order_id",
        order("2026-01-05T12:00:00Z", "alice", 10, "a1"),
        order("2026-01-20T12:00:00Z", "alice", 5, "a2"),
        order("2026-03-02T12:00:00Z", "alice", 20, "a3"),
        order("2026-01-10T12:00:00Z", "bob", 7, "b1"),
        order("2026-02-15T12:00:00Z", "bob", 3, "b2"),
        order("2026-02-01T12:00:00Z", "carol", 50, "c1"),
        // Visitors: v1 and v2 first visit in the week of Monday 2 March, v3 in the next.
        page("2026-03-02T12:00:00Z", "v1"),
        page("2026-03-10T12:00:00Z", "v1"),
        order("2026-03-11T12:00:00Z", "v1", 30, "v1-1"),
        page("2026-03-04T12:00:00Z", "v2"),
        page("2026-03-12T12:00:00Z", "v3"),
      ].join("\n"),
    );
    // Dan's order is imported only; an imported row also wins over an event of the same id.
    await kit.load(
      ws,
      "orders",
      ["timestamp,order_id,customer_id,revenue", "2026-02-03T12:00:00Z,d1,dan,8"].join("\n"),
    );
  });
  afterAll(async () => kit.close());

  const months = { by: "first_order_month", from: "2026-01-01", to: "2026-03-31" };

  it("follows customers by the month of their first order", async () => {
    // January: alice and bob (22 in 3 orders); February: bob 3; March: alice 20.
    // February: carol and dan (58 in 2 orders), nothing in March. March: v1 (30).
    const retention = await runCohorts(kit.store, ws, { ...months, kpi: "retention" });
    expect(retention.period).toBe("month");
    expect(retention.periods).toBe(3);
    expect(retention.cohorts).toEqual([
      { cohort: "2026-01-01", size: 2, values: [100, 50, 50] },
      { cohort: "2026-02-01", size: 2, values: [100, 0] },
      { cohort: "2026-03-01", size: 1, values: [100] },
    ]);
    const revenue = await runCohorts(kit.store, ws, { ...months, kpi: "revenue" });
    expect(revenue.cohorts.map((c) => c.values)).toEqual([[22, 3, 20], [58, 0], [30]]);
    const orders = await runCohorts(kit.store, ws, { ...months, kpi: "orders" });
    expect(orders.cohorts.map((c) => c.values)).toEqual([[3, 1, 1], [2, 0], [1]]);
  });

  it("follows visitors by the ISO week of their first visit, up to the last day", async () => {
    const weeks = { by: "first_visit_week", from: "2026-03-01", to: "2026-03-15" };
    const retention = await runCohorts(kit.store, ws, { ...weeks, kpi: "retention" });
    expect(retention.period).toBe("week");
    expect(retention.cohorts).toEqual([
      { cohort: "2026-03-02", size: 2, values: [100, 50] },
      { cohort: "2026-03-09", size: 1, values: [100] },
    ]);
    const revenue = await runCohorts(kit.store, ws, { ...weeks, kpi: "revenue" });
    expect(revenue.cohorts.map((c) => c.values)).toEqual([[0, 30], [0]]);
  });

  it("refuses an unknown cohort or KPI with a sentence", async () => {
    await expect(runCohorts(kit.store, ws, { by: "first_day", kpi: "revenue" })).rejects.toThrow(
      /--by "first_day" is not one of first_order_month, first_visit_week/,
    );
    await expect(runCohorts(kit.store, ws, { by: "first_order_month", kpi: "ltv" })).rejects.toThrow(
      /--kpi "ltv"/,
    );
  });
});
