import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../src/model/workspace.js";
import { expectKpis, type Kit, openKit, rowWhere } from "./fixture.js";

/*
 * UTC, attribution window 30 days. Sessions (one page each):
 *   v1 05-01 10:00  campaign Spring_Sale (from the URL's utm_*), medium cpc → channel paid
 *   v3 05-02 10:00  campaign "  SPRING_SALE " (column), medium cpc           → spring_sale, paid
 *   v1 05-05 10:00  campaign Newsletter_May, medium email                     → email
 *   v1 05-10 10:00  no campaign, no referrer                                  → direct
 *   v1 05-10 10:05  identify user u1 (links v1 to customer u1; not a session)
 *   v5 06-10 10:00  campaign Summer, medium social                            → social
 * Orders:
 *   o1 u1 05-10 12:00 120  no campaign → candidates v1 05-01, 05-05 (with a campaign), 05-10 (without)
 *   o2 u2 05-12 10:00  80  own campaign " Spring_sale " → spring_sale, other dimensions (none)
 *   o3 u3 05-12 11:00  50  no sessions → (none)
 *   o4 u1 06-05 10:00  40  window 05-06 10:00..06-05 10:00 → only v1 05-10 (no campaign)
 *   o5 cust5 06-11 10:00 10, visitor_id v5 → v5 06-10 (Summer)
 * Costs: spring_sale 100 + 50 (two spellings), summer 20; email: newsletter_may 1000 sent.
 */
const EVENTS = `
  timestamp,event,visitor_id,type,user_id,url,utm_source,utm_medium,utm_campaign
  2026-05-01T10:00:00Z,pageview,v1,page,,https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=Spring_Sale,,,
  2026-05-02T10:00:00Z,pageview,v3,page,,https://shop.example/,google,cpc,"  SPRING_SALE "
  2026-05-05T10:00:00Z,pageview,v1,page,,https://shop.example/news,newsletter,email,Newsletter_May
  2026-05-10T10:00:00Z,pageview,v1,page,,https://shop.example/,,,
  2026-05-10T10:05:00Z,identify,v1,identify,u1,,,,
  2026-06-10T10:00:00Z,pageview,v5,page,,https://shop.example/,fb,social,Summer
`;
const ORDERS = `
  timestamp,order_id,customer_id,revenue,campaign,visitor_id
  2026-05-10T12:00:00Z,o1,u1,120,,
  2026-05-12T10:00:00Z,o2,u2,80," Spring_sale ",
  2026-05-12T11:00:00Z,o3,u3,50,,
  2026-06-05T10:00:00Z,o4,u1,40,,
  2026-06-11T10:00:00Z,o5,cust5,10,,v5
`;
const COSTS = `
  date,campaign,spend
  2026-05-01,Spring_Sale,100
  2026-05-02,"spring_sale ",50
  2026-06-10,SUMMER,20
`;
const EMAIL = `
  date,campaign,sent
  2026-05-05,Newsletter_May,1000
`;

const KPIS = ["revenue", "orders", "new_customers", "spend", "emails_sent", "sessions", "roas"];
const RANGE = { from: "2026-05-01", to: "2026-06-30" };

let kit: Kit;
const ws: Record<"last_touch" | "first_touch" | "linear", Workspace> = {} as never;

beforeAll(async () => {
  kit = await openKit();
  for (const model of ["last_touch", "first_touch", "linear"] as const) {
    ws[model] = await kit.workspace(model.replace("_", "-"), { attribution: model });
    await kit.load(ws[model], "events", EVENTS);
    await kit.load(ws[model], "orders", ORDERS);
    await kit.load(ws[model], "costs", COSTS);
    await kit.load(ws[model], "email", EMAIL);
  }
});

afterAll(async () => {
  await kit?.close();
});

/** Totals do not depend on the model: 120 + 80 + 50 + 40 + 10, 5 orders, new u1 u2 u3 cust5. */
const TOTALS = {
  revenue: 300,
  orders: 5,
  new_customers: 4,
  spend: 170, // 100 + 50 + 20
  emails_sent: 1000,
  sessions: 5,
  roas: 300 / 170,
};

describe("attribution by campaign", () => {
  it("last touch: the latest session with a campaign", async () => {
    const result = await kit.query(ws.last_touch, { kpis: KPIS, ...RANGE, groupBy: ["campaign"] });
    expect(result.rows.map((r) => r.campaign).sort()).toEqual(
      ["(none)", "newsletter_may", "spring_sale", "summer"].sort(),
    );
    // o1 → newsletter_may (05-05 is later than 05-01; 05-10 has no campaign)
    expectKpis(
      rowWhere(result, { campaign: "newsletter_may" }),
      { revenue: 120, orders: 1, new_customers: 1, spend: 0, emails_sent: 1000, sessions: 1, roas: null },
      "newsletter_may",
    );
    // o2 by its own campaign column; spend 100 + 50; sessions v1 05-01 + v3 05-02
    expectKpis(
      rowWhere(result, { campaign: "spring_sale" }),
      { revenue: 80, orders: 1, new_customers: 1, spend: 150, sessions: 2, roas: 80 / 150 },
      "spring_sale",
    );
    // o5 through the order's visitor_id v5
    expectKpis(
      rowWhere(result, { campaign: "summer" }),
      { revenue: 10, orders: 1, new_customers: 1, spend: 20, sessions: 1, roas: 0.5 },
      "summer",
    );
    // o3 (no session) 50 + o4 (no session with a campaign in its window) 40; new: u3 only (o4 is u1's 2nd)
    expectKpis(
      rowWhere(result, { campaign: "(none)" }),
      { revenue: 90, orders: 2, new_customers: 1, spend: 0, sessions: 1, roas: null },
      "(none)",
    );
    expectKpis(result.totals, TOTALS, "totals");
  });

  it("first touch: the earliest session with a campaign", async () => {
    const result = await kit.query(ws.first_touch, { kpis: KPIS, ...RANGE, groupBy: ["campaign"] });
    // o1 → spring_sale (v1 05-01): 120 + o2 80
    expectKpis(
      rowWhere(result, { campaign: "spring_sale" }),
      { revenue: 200, orders: 2, new_customers: 2, spend: 150, roas: 200 / 150 },
      "spring_sale",
    );
    expectKpis(
      rowWhere(result, { campaign: "newsletter_may" }),
      { revenue: 0, orders: 0, new_customers: 0, emails_sent: 1000, sessions: 1 },
      "newsletter_may",
    );
    expectKpis(rowWhere(result, { campaign: "summer" }), { revenue: 10, orders: 1 }, "summer");
    expectKpis(
      rowWhere(result, { campaign: "(none)" }),
      { revenue: 90, orders: 2, new_customers: 1 },
      "(none)",
    );
    expectKpis(result.totals, TOTALS, "totals");
  });

  it("linear: split equally between the sessions with a campaign", async () => {
    const result = await kit.query(ws.linear, { kpis: KPIS, ...RANGE, groupBy: ["campaign"] });
    // o1 split in two: 60 / 0.5 order / 0.5 new customer to spring_sale and to newsletter_may
    expectKpis(
      rowWhere(result, { campaign: "spring_sale" }),
      { revenue: 140, orders: 1.5, new_customers: 1.5, spend: 150, roas: 140 / 150 }, // 60 + 80
      "spring_sale",
    );
    expectKpis(
      rowWhere(result, { campaign: "newsletter_may" }),
      { revenue: 60, orders: 0.5, new_customers: 0.5, roas: null },
      "newsletter_may",
    );
    expectKpis(
      rowWhere(result, { campaign: "summer" }),
      { revenue: 10, orders: 1, new_customers: 1 },
      "summer",
    );
    expectKpis(
      rowWhere(result, { campaign: "(none)" }),
      { revenue: 90, orders: 2, new_customers: 1 },
      "(none)",
    );
    expectKpis(result.totals, TOTALS, "totals");
  });

  it("follows a change of the attribution setting", async () => {
    const changed = await kit.update(ws.last_touch, { attribution: "first_touch" });
    const result = await kit.query(changed, { kpis: ["revenue"], ...RANGE, groupBy: ["campaign"] });
    // as first touch: spring_sale 120 + 80
    expectKpis(rowWhere(result, { campaign: "spring_sale" }), { revenue: 200 }, "spring_sale");
    ws.last_touch = await kit.update(changed, { attribution: "last_touch" });
  });
});

describe("attribution by other session dimensions", () => {
  it("last touch by channel: every session is a candidate; own-campaign orders are (none)", async () => {
    const result = await kit.query(ws.last_touch, {
      kpis: ["revenue", "orders", "sessions", "spend", "emails_sent"],
      ...RANGE,
      groupBy: ["channel"],
    });
    // o1 → v1 05-10 (direct, the latest); o4 → v1 05-10 (direct)
    expectKpis(rowWhere(result, { channel: "direct" }), { revenue: 160, orders: 2, sessions: 1 }, "direct");
    // sessions v1 05-01, v3 05-02; ad costs without a channel column are "paid"
    expectKpis(rowWhere(result, { channel: "paid" }), { revenue: 0, sessions: 2, spend: 170 }, "paid");
    expectKpis(
      rowWhere(result, { channel: "email" }),
      { revenue: 0, sessions: 1, emails_sent: 1000 },
      "email",
    );
    expectKpis(rowWhere(result, { channel: "social" }), { revenue: 10, orders: 1, sessions: 1 }, "social");
    // o2 (own campaign) 80 + o3 (no session) 50
    expectKpis(rowWhere(result, { channel: "(none)" }), { revenue: 130, orders: 2, sessions: 0 }, "(none)");
  });

  it("first touch by channel", async () => {
    const result = await kit.query(ws.first_touch, { kpis: ["revenue"], ...RANGE, groupBy: ["channel"] });
    // o1 → v1 05-01 (paid); o4 → v1 05-10 (direct; 05-05 is 31 days before, outside the window)
    expectKpis(rowWhere(result, { channel: "paid" }), { revenue: 120 }, "paid");
    expectKpis(rowWhere(result, { channel: "direct" }), { revenue: 40 }, "direct");
    expectKpis(rowWhere(result, { channel: "social" }), { revenue: 10 }, "social");
    expectKpis(rowWhere(result, { channel: "(none)" }), { revenue: 130 }, "(none)");
  });
});

describe("filters on attributed dimensions", () => {
  it("filters one campaign, whatever its spelling", async () => {
    const result = await kit.query(ws.last_touch, {
      kpis: ["revenue", "orders", "spend", "sessions", "roas"],
      ...RANGE,
      where: ["campaign=spring_sale"],
    });
    expectKpis(result.totals, { revenue: 80, orders: 1, spend: 150, sessions: 2, roas: 80 / 150 });
  });

  it("filters two campaigns (either)", async () => {
    const result = await kit.query(ws.last_touch, {
      kpis: ["revenue", "orders", "spend", "emails_sent", "sessions"],
      ...RANGE,
      where: ["campaign=spring_sale", "campaign=Newsletter_May"],
    });
    // spring_sale 80 + newsletter_may 120; sessions 2 + 1
    expectKpis(result.totals, { revenue: 200, orders: 2, spend: 150, emails_sent: 1000, sessions: 3 });
  });

  it("filters a channel", async () => {
    const result = await kit.query(ws.last_touch, {
      kpis: ["revenue", "sessions", "spend"],
      ...RANGE,
      where: ["channel=direct"],
    });
    // o1 + o4 via v1 05-10; ad costs are channel paid → 0
    expectKpis(result.totals, { revenue: 160, sessions: 1, spend: 0 });
  });
});
