import { afterAll, beforeAll, describe, it } from "vitest";
import { expectKpis, type Kit, openKit } from "./fixture.js";

/*
 * docs/importing.md#columns: only the required columns are needed; every other column is optional. These files
 * are imported as written (no padding of the optional columns).
 */
let kit: Kit;

beforeAll(async () => {
  kit = await openKit();
});

afterAll(async () => {
  await kit?.close();
});

describe("files with only the required columns", () => {
  it("imports events with timestamp, event, visitor_id only", async () => {
    const ws = await kit.workspace("min-events");
    const csv = `
      timestamp,event,visitor_id
      2026-03-02T10:00:00Z,pageview,A
      2026-03-02T10:01:00Z,Signed Up,A
      2026-03-02T11:00:00Z,pageview,B
    `;
    await kit.load(ws, "events", csv, { pad: false });
    const result = await kit.query(ws, {
      kpis: ["visitors", "sessions", "pageviews", "conversions", "bounce_rate"],
      from: "2026-03-02",
      to: "2026-03-02",
    });
    // event=pageview means a page; "Signed Up" without type is a track event.
    // A: 1 session (page + track, not a bounce), B: 1 one-page session (bounce) → 1 / 2 × 100
    expectKpis(result.totals, { visitors: 2, sessions: 2, pageviews: 2, conversions: 1, bounce_rate: 50 });
  });

  it("imports costs with date, campaign, spend only (channel defaults to paid)", async () => {
    const ws = await kit.workspace("min-costs");
    const csv = `
      date,campaign,spend
      2026-03-02,X,10
      2026-03-02,Y,15
    `;
    await kit.load(ws, "costs", csv, { pad: false });
    const result = await kit.query(ws, {
      kpis: ["spend", "clicks", "ctr"],
      from: "2026-03-02",
      to: "2026-03-02",
      groupBy: ["channel"],
    });
    // 10 + 15 under "paid"; no impressions → ctr null
    expectKpis(result.rows[0], { spend: 25, clicks: 0, ctr: null }, "paid");
    expectKpis(result.totals, { spend: 25 });
  });

  it("imports orders with timestamp, order_id, customer_id, revenue only", async () => {
    const ws = await kit.workspace("min-orders");
    const csv = `
      timestamp,order_id,customer_id,revenue
      2026-03-02T10:00:00Z,o1,c1,10
      2026-03-02T11:00:00Z,o2,c2,30
    `;
    await kit.load(ws, "orders", csv, { pad: false });
    const result = await kit.query(ws, {
      kpis: ["orders", "revenue", "aov"],
      from: "2026-03-02",
      to: "2026-03-02",
    });
    expectKpis(result.totals, { orders: 2, revenue: 40, aov: 20 }); // (10 + 30) / 2
  });

  it("imports email and social files with their required columns only", async () => {
    const ws = await kit.workspace("min-email-social");
    await kit.load(ws, "email", "date,campaign,sent\n2026-03-02,X,100\n", { pad: false });
    await kit.load(ws, "social", "date,network\n2026-03-02,instagram\n", { pad: false });
    const result = await kit.query(ws, {
      kpis: ["emails_sent", "posts", "followers", "engagement_rate"],
      from: "2026-03-02",
      to: "2026-03-02",
    });
    // no posts value → 0 posts, engagement null; no followers value → null
    expectKpis(result.totals, { emails_sent: 100, posts: 0, followers: null, engagement_rate: null });
  });
});
