import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../src/model/workspace.js";
import { column, expectKpis, type Kit, openKit, rowWhere } from "./fixture.js";

/*
 * UTC workspace, gross_margin 0.5, clv_max_lifetime_periods 24 (default).
 * Orders of the store after de-duplication (customer, local date, revenue):
 *   o0 c4 01-20 70
 *   o1 c1 02-10 100
 *   o2 c2 02-20 50
 *   o3 c1 03-05 80      (a second o3 row on 03-06 for 999 is skipped: the first row wins)
 *   o4 c3 03-10 40      (o4 again in a second file, 03-11 for 777, is skipped)
 *   o7 c3 03-12 20
 *   o5 c2 03-15 60      (an Order Completed event o5 on 03-16 for 500 is skipped: the imported row wins)
 *   (no id) u9 03-20 30 (Order Completed event without order_id, user u9: its own order)
 *   o6 v7 03-25 25      (two Order Completed events with o6, no user_id: one order, customer = visitor v7)
 */
const ORDERS_1 = `
  timestamp,order_id,customer_id,revenue
  2026-01-20T10:00:00Z,o0,c4,70
  2026-02-10T10:00:00Z,o1,c1,100
  2026-02-20T10:00:00Z,o2,c2,50
  2026-03-05T10:00:00Z,o3,c1,80
  2026-03-06T10:00:00Z,o3,c1,999
  2026-03-10T10:00:00Z,o4,c3,40
  2026-03-12T10:00:00Z,o7,c3,20
`;
const ORDERS_2 = `
  timestamp,order_id,customer_id,revenue
  2026-03-11T10:00:00Z,o4,c3,777
  2026-03-15T10:00:00Z,o5,c2,60
`;
const ORDER_EVENTS = `
  timestamp,event,visitor_id,type,user_id,order_id,revenue
  2026-03-16T10:00:00Z,Order Completed,v2,track,c2,o5,500
  2026-03-20T10:00:00Z,Order Completed,v9,track,u9,,30
  2026-03-25T10:00:00Z,Order Completed,v7,track,,o6,25
  2026-03-25T11:00:00Z,Order Completed,v7,track,,o6,25
`;

const ORDER_KPIS = [
  "orders",
  "revenue",
  "customers",
  "new_customers",
  "aov",
  "purchase_frequency",
  "retention_rate",
  "clv",
];

let kit: Kit;
let ws: Workspace;

beforeAll(async () => {
  kit = await openKit();
  ws = await kit.workspace("shop", { gross_margin: 0.5 });
  await kit.load(ws, "orders", ORDERS_1);
  await kit.load(ws, "orders", ORDERS_2);
  await kit.load(ws, "events", ORDER_EVENTS);
});

afterAll(async () => {
  await kit?.close();
});

describe("order KPIs", () => {
  it("computes March with de-duplicated orders, 100 % retention and the CLV cap", async () => {
    const result = await kit.query(ws, {
      kpis: [...ORDER_KPIS, "conversions"],
      from: "2026-03-01",
      to: "2026-03-31",
    });
    expectKpis(result.totals, {
      // o3, o4, o7, o5, u9's event, o6
      orders: 6,
      // 80 + 40 + 20 + 60 + 30 + 25
      revenue: 255,
      // c1, c3, c2, u9, v7
      customers: 5,
      // c3 (first order 03-10), u9, v7 — c1 and c2 first ordered in February
      new_customers: 3,
      // 255 / 6
      aov: 42.5,
      // 6 / 5
      purchase_frequency: 1.2,
      // previous 31 days 01-29..02-28: c1, c2; both ordered in March → 2 / 2 × 100
      retention_rate: 100,
      // (255 / 5) × 0.5 × min(1 / (1 − 1), 24) = 51 × 0.5 × 24 (the cap)
      clv: 612,
      // conversions are events: the four Order Completed track events
      conversions: 4,
    });
  });

  it("keeps the first row of a duplicated order id and the imported row over the event", async () => {
    const result = await kit.query(ws, {
      kpis: ["orders", "revenue", "aov"],
      from: "2026-03-05",
      to: "2026-03-16",
      interval: "day",
    });
    expect(result.rows).toHaveLength(12); // 03-05..03-16
    // o3 stays on 03-05 with 80; its duplicate (03-06, 999) is ignored
    expectKpis(rowWhere(result, { period: "2026-03-05" }), { orders: 1, revenue: 80, aov: 80 }, "03-05");
    expectKpis(rowWhere(result, { period: "2026-03-06" }), { orders: 0, revenue: 0, aov: null }, "03-06");
    // o4 (03-10, 40) from the first file; its copy in the second file (03-11, 777) is ignored
    expectKpis(rowWhere(result, { period: "2026-03-10" }), { orders: 1, revenue: 40 }, "03-10");
    expectKpis(rowWhere(result, { period: "2026-03-11" }), { orders: 0, revenue: 0 }, "03-11");
    // o5 imported (03-15, 60) wins over the Order Completed event (03-16, 500)
    expectKpis(rowWhere(result, { period: "2026-03-15" }), { orders: 1, revenue: 60 }, "03-15");
    expectKpis(rowWhere(result, { period: "2026-03-16" }), { orders: 0, revenue: 0, aov: null }, "03-16");
    // totals: o3 80 + o4 40 + o7 20 + o5 60 = 200 over 4 orders
    expectKpis(result.totals, { orders: 4, revenue: 200, aov: 50 }, "totals");
  });

  it("counts Order Completed events: one order per order id, customer = visitor without user_id", async () => {
    const result = await kit.query(ws, {
      kpis: ["orders", "revenue", "customers", "new_customers"],
      from: "2026-03-20",
      to: "2026-03-25",
    });
    // u9's event (30) and o6 (twice, 25 once): 2 orders, 55, customers u9 and v7, both new
    expectKpis(result.totals, { orders: 2, revenue: 55, customers: 2, new_customers: 2 });
  });

  it("gives 0 % retention when no prior customer comes back (CLV lifetime 1)", async () => {
    const result = await kit.query(ws, { kpis: ORDER_KPIS, from: "2026-03-01", to: "2026-03-10" });
    // 10 days; previous 02-19..02-28: c2 only. In range: o3 (c1, 80), o4 (c3, 40).
    expectKpis(result.totals, {
      orders: 2,
      revenue: 120,
      customers: 2,
      new_customers: 1, // c3
      retention_rate: 0, // c2 did not order 03-01..03-10 → 0 / 1 × 100
      clv: 30, // (120 / 2) × 0.5 × min(1 / (1 − 0), 24) = 60 × 0.5 × 1
    });
  });

  it("gives 50 % retention with a lifetime of 2", async () => {
    const result = await kit.query(ws, { kpis: ORDER_KPIS, from: "2026-03-11", to: "2026-03-20" });
    // 10 days; previous 03-01..03-10: c1, c3. In range: o7 (c3, 20), o5 (c2, 60), u9 (30).
    expectKpis(result.totals, {
      orders: 3,
      revenue: 110, // 20 + 60 + 30
      customers: 3, // c3, c2, u9
      new_customers: 1, // u9
      aov: 110 / 3,
      purchase_frequency: 1,
      retention_rate: 50, // c3 came back, c1 did not → 1 / 2 × 100
      clv: (110 / 3) * 0.5 * 2, // (110 / 3) × 0.5 × min(1 / (1 − 0.5), 24) = 36.666… × 0.5 × 2
    });
  });

  it("has no retention nor CLV without prior customers", async () => {
    const result = await kit.query(ws, { kpis: ORDER_KPIS, from: "2026-01-01", to: "2026-01-31" });
    // previous 2025-12-01..12-31 is empty
    expectKpis(result.totals, {
      orders: 1,
      revenue: 70,
      customers: 1,
      new_customers: 1,
      aov: 70,
      purchase_frequency: 1,
      retention_rate: null,
      clv: null,
    });
  });

  it("computes retention per month bucket against the equal-length range before it", async () => {
    const result = await kit.query(ws, {
      kpis: ORDER_KPIS,
      from: "2026-02-01",
      to: "2026-03-31",
      interval: "month",
    });
    expect(column(result, "period")).toEqual(["2026-02-01", "2026-03-01"]);
    // February (28 days): previous 01-04..01-31 → c4; Feb customers c1, c2 → 0 / 1
    expectKpis(
      rowWhere(result, { period: "2026-02-01" }),
      {
        orders: 2,
        revenue: 150, // 100 + 50
        customers: 2,
        new_customers: 2, // c1, c2
        aov: 75,
        purchase_frequency: 1,
        retention_rate: 0,
        clv: 37.5, // (150 / 2) × 0.5 × 1
      },
      "February",
    );
    // March (31 days): previous 01-29..02-28 → c1, c2, both back → 100 %, CLV at the cap
    expectKpis(
      rowWhere(result, { period: "2026-03-01" }),
      { orders: 6, revenue: 255, customers: 5, new_customers: 3, retention_rate: 100, clv: 612 },
      "March",
    );
    // Whole selection 02-01..03-31 (59 days): previous 2025-12-03..2026-01-31 → c4, who did not come back
    expectKpis(
      result.totals,
      {
        orders: 8, // 2 + 6
        revenue: 405, // 150 + 255
        customers: 5, // c1, c2, c3, u9, v7
        new_customers: 5,
        aov: 50.625, // 405 / 8
        purchase_frequency: 1.6, // 8 / 5
        retention_rate: 0,
        clv: 40.5, // (405 / 5) × 0.5 × 1
      },
      "totals",
    );
  });

  it("caps the lifetime with clv_max_lifetime_periods", async () => {
    const capped = await kit.update(ws, { clv_max_lifetime_periods: 1.5 });
    const result = await kit.query(capped, {
      kpis: ["retention_rate", "clv"],
      from: "2026-03-11",
      to: "2026-03-20",
    });
    // retention 50 % → 1 / (1 − 0.5) = 2, capped at 1.5: (110 / 3) × 0.5 × 1.5 = 27.5
    expectKpis(result.totals, { retention_rate: 50, clv: 27.5 });
  });
});
