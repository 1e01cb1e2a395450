import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../src/model/workspace.js";
import { expectKpis, type Kit, openKit, rowWhere } from "./fixture.js";

/*
 * Imported rows join persons (docs/concepts.md, "Persons"). UTC, sessions of 30 minutes.
 *   v1 04-01 09:00 page (cpc Spring) · 09:05 identify u1 · 09:06 Order Completed e1 40
 *   v2 04-02 18:00 page · 18:01 page with user u1 (a second device of u1)
 *   v3 04-02 20:00 page (a tracker visitor: no user id, its own person)
 * Orders: o1 customer u1 04-03 60 (u1's person); o2 customer c9 04-03 10, visitor v3.
 * Persons: u1 (v1, v2), v3 → 2 visitors; sessions per device: 3; v3's bounces.
 * Customers: u1 (e1, o1), c9 (o2) → 2, purchase frequency 1.5.
 * Last touch by campaign: e1 and o1 → Spring (u1's phone session); o2 → v3's session, (none).
 */
const EVENTS = `
  timestamp,event,visitor_id,type,user_id,url,utm_source,utm_medium,utm_campaign,revenue,order_id
  2026-04-01T09:00:00Z,pageview,v1,page,,https://shop.example/,google,cpc,Spring,,
  2026-04-01T09:05:00Z,identify,v1,identify,u1,,,,,,
  2026-04-01T09:06:00Z,Order Completed,v1,track,u1,https://shop.example/checkout,,,,40,e1
  2026-04-02T18:00:00Z,pageview,v2,page,,https://shop.example/,,,,,
  2026-04-02T18:01:00Z,pageview,v2,page,u1,https://shop.example/account,,,,,
  2026-04-02T20:00:00Z,pageview,v3,page,,https://shop.example/,,,,,
`;
const ORDERS = `
  timestamp,order_id,customer_id,revenue,campaign,visitor_id
  2026-04-03T10:00:00Z,o1,u1,60,,
  2026-04-03T11:00:00Z,o2,c9,10,,v3
`;
const RANGE = { from: "2026-04-01", to: "2026-04-03" };

let kit: Kit;
let ws: Workspace;

beforeAll(async () => {
  kit = await openKit();
  ws = await kit.workspace("persons");
  await kit.load(ws, "events", EVENTS);
  await kit.load(ws, "orders", ORDERS);
});

afterAll(async () => {
  await kit?.close();
});

describe("persons from imported rows", () => {
  it("counts a user's two devices as one visitor with a session each", async () => {
    const result = await kit.query(ws, {
      kpis: ["visitors", "sessions", "bounce_rate", "customers", "orders", "revenue", "purchase_frequency"],
      ...RANGE,
      interval: "day",
    });
    expectKpis(result.totals, {
      visitors: 2,
      sessions: 3,
      bounce_rate: (1 / 3) * 100,
      customers: 2,
      orders: 3,
      revenue: 110,
      purchase_frequency: 1.5,
    });
    expectKpis(rowWhere(result, { period: "2026-04-01" }), { visitors: 1, sessions: 1 }, "04-01");
    // u1 on v2 (the same person as on 04-01) and v3.
    expectKpis(rowWhere(result, { period: "2026-04-02" }), { visitors: 2, sessions: 2 }, "04-02");
  });

  it("counts each channel's persons", async () => {
    const result = await kit.query(ws, { kpis: ["visitors", "sessions"], ...RANGE, groupBy: ["channel"] });
    expectKpis(rowWhere(result, { channel: "paid" }), { visitors: 1, sessions: 1 }, "paid");
    expectKpis(rowWhere(result, { channel: "direct" }), { visitors: 2, sessions: 2 }, "direct");
    // The totals count u1 once although u1 is in both channels.
    expectKpis(result.totals, { visitors: 2 });
  });

  it("credits an imported order of a user id to that person's sessions on another device", async () => {
    const result = await kit.query(ws, { kpis: ["orders", "revenue"], ...RANGE, groupBy: ["campaign"] });
    expectKpis(rowWhere(result, { campaign: "spring" }), { orders: 2, revenue: 100 }, "spring");
    expectKpis(rowWhere(result, { campaign: "(none)" }), { orders: 1, revenue: 10 }, "(none)");
    expect(result.rows).toHaveLength(2);
  });
});
