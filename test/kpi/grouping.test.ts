import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../src/model/workspace.js";
import { column, expectKpis, type Kit, openKit, rowWhere } from "./fixture.js";

/*
 * UTC, 2026-06-01, six one-session visitors. Session dimensions come from the first event:
 *   g1 10:00 /pricing?x=1 from www.google.com, mobile, plan=pro, properties {"color":"red"}
 *      10:02 /signup (device desktop, ignored: the session is mobile), plan=pro
 *      10:03 Signed Up (track), plan=pro                          → organic_search, /pricing, mobile
 *   g2 11:00 / from facebook.com, desktop, plan=free; 11:10 Signed Up, plan=free → social, /, desktop
 *   g3 12:00 /blog?utm_source=newsletter&utm_medium=email, mobile → email, utm_source newsletter
 *   g4 13:00 /pricing from othersite.org, tablet, properties {"color":"blue"} → referral
 *   g5 14:00 /pricing from site.example itself, desktop           → direct
 *   g6 15:00 /promo, utm_source google, utm_medium cpc, campaign X, mobile → paid
 * Pageviews 2 + 1 + 1 + 1 + 1 + 1 = 7; conversions: g1, g2 = 2.
 */
const EVENTS = `
  timestamp,event,visitor_id,type,url,referrer,utm_source,utm_medium,utm_campaign,device,plan,properties
  2026-06-01T10:00:00Z,pageview,g1,page,https://site.example/pricing?x=1,https://www.google.com/search,,,,mobile,pro,"{""color"":""red""}"
  2026-06-01T10:02:00Z,pageview,g1,page,https://site.example/signup,,,,,desktop,pro,
  2026-06-01T10:03:00Z,Signed Up,g1,track,https://site.example/signup,,,,,,pro,
  2026-06-01T11:00:00Z,pageview,g2,page,https://site.example/,https://facebook.com/,,,,desktop,free,
  2026-06-01T11:10:00Z,Signed Up,g2,track,https://site.example/,,,,,desktop,free,
  2026-06-01T12:00:00Z,pageview,g3,page,https://site.example/blog?utm_source=newsletter&utm_medium=email,,,,,mobile,,
  2026-06-01T13:00:00Z,pageview,g4,page,https://site.example/pricing,https://othersite.org/post,,,,tablet,,"{""color"":""blue""}"
  2026-06-01T14:00:00Z,pageview,g5,page,https://site.example/pricing,https://site.example/,,,,desktop,,
  2026-06-01T15:00:00Z,pageview,g6,page,https://site.example/promo,,google,cpc,X,mobile,,
`;
// `age` is an extra column: a breakdown dimension.
const COSTS = `
  date,campaign,spend,channel,impressions,clicks,conversions,age
  2026-06-01,X,40,paid,1000,10,1,18-24
  2026-06-01,X,60,paid,3000,20,0,25-34
  2026-06-01,Y,10,paid,500,5,0,18-24
`;
const EMAIL = `
  date,campaign,sent
  2026-06-01,June News,300
`;
// c1 has no session: unattributed.
const ORDERS = `
  timestamp,order_id,customer_id,revenue
  2026-06-01T16:00:00Z,o1,c1,500
`;

const DAY = { from: "2026-06-01", to: "2026-06-01" };

let kit: Kit;
let ws: Workspace;

beforeAll(async () => {
  kit = await openKit();
  ws = await kit.workspace("site", { domains: ["site.example"] });
  await kit.load(ws, "events", EVENTS);
  await kit.load(ws, "costs", COSTS);
  await kit.load(ws, "email", EMAIL);
  await kit.load(ws, "orders", ORDERS);
});

afterAll(async () => {
  await kit?.close();
});

describe("group by session dimensions", () => {
  it("groups by channel, with ad costs and email rows in their own channel", async () => {
    const result = await kit.query(ws, {
      kpis: ["visitors", "sessions", "pageviews", "conversions", "spend", "emails_sent"],
      ...DAY,
      groupBy: ["channel"],
    });
    const zero = { spend: 0, emails_sent: 0 };
    expectKpis(
      rowWhere(result, { channel: "organic_search" }),
      { visitors: 1, sessions: 1, pageviews: 2, conversions: 1, ...zero },
      "organic_search",
    );
    expectKpis(
      rowWhere(result, { channel: "social" }),
      { visitors: 1, sessions: 1, pageviews: 1, conversions: 1, ...zero },
      "social",
    );
    expectKpis(
      rowWhere(result, { channel: "email" }),
      { visitors: 1, sessions: 1, pageviews: 1, conversions: 0, spend: 0, emails_sent: 300 },
      "email",
    );
    expectKpis(
      rowWhere(result, { channel: "referral" }),
      { visitors: 1, sessions: 1, pageviews: 1, conversions: 0, ...zero },
      "referral",
    );
    expectKpis(
      rowWhere(result, { channel: "direct" }),
      { visitors: 1, sessions: 1, pageviews: 1, conversions: 0, ...zero },
      "direct",
    );
    // spend 40 + 60 + 10 under the costs' channel column
    expectKpis(
      rowWhere(result, { channel: "paid" }),
      { visitors: 1, sessions: 1, pageviews: 1, conversions: 0, spend: 110, emails_sent: 0 },
      "paid",
    );
    expectKpis(
      result.totals,
      { visitors: 6, sessions: 6, pageviews: 7, conversions: 2, spend: 110, emails_sent: 300 },
      "totals",
    );
  });

  it("groups by device: every event of a session inherits the first event's device", async () => {
    const result = await kit.query(ws, {
      kpis: ["visitors", "sessions", "pageviews", "conversions", "spend"],
      ...DAY,
      groupBy: ["device"],
    });
    // mobile: g1 (2 pages, its desktop page and its Signed Up included), g3, g6
    expectKpis(
      rowWhere(result, { device: "mobile" }),
      { visitors: 3, sessions: 3, pageviews: 4, conversions: 1, spend: 0 },
      "mobile",
    );
    // desktop: g2 (with its Signed Up), g5
    expectKpis(
      rowWhere(result, { device: "desktop" }),
      { visitors: 2, sessions: 2, pageviews: 2, conversions: 1, spend: 0 },
      "desktop",
    );
    expectKpis(
      rowWhere(result, { device: "tablet" }),
      { visitors: 1, sessions: 1, pageviews: 1, conversions: 0 },
      "tablet",
    );
    // ad costs have no device → (none)
    expectKpis(rowWhere(result, { device: "(none)" }), { visitors: 0, pageviews: 0, spend: 110 }, "(none)");
  });

  it("groups by landing page (path of the session's first URL)", async () => {
    const result = await kit.query(ws, {
      kpis: ["sessions", "pageviews", "bounce_rate"],
      ...DAY,
      groupBy: ["landing_page"],
    });
    // /pricing: g1 (3 events, 2 pages incl. /signup), g4, g5 (one page each: bounces) → 2 / 3 × 100
    expectKpis(
      rowWhere(result, { landing_page: "/pricing" }),
      { sessions: 3, pageviews: 4, bounce_rate: (2 / 3) * 100 },
      "/pricing",
    );
    // g2: a page and a track event → not a bounce
    expectKpis(rowWhere(result, { landing_page: "/" }), { sessions: 1, pageviews: 1, bounce_rate: 0 }, "/");
    expectKpis(
      rowWhere(result, { landing_page: "/blog" }),
      { sessions: 1, pageviews: 1, bounce_rate: 100 },
      "/blog",
    );
    expectKpis(rowWhere(result, { landing_page: "/promo" }), { sessions: 1, pageviews: 1 }, "/promo");
  });

  it("groups by utm_source, read from the column or else from the URL", async () => {
    const result = await kit.query(ws, { kpis: ["sessions", "pageviews"], ...DAY, groupBy: ["utm_source"] });
    expectKpis(rowWhere(result, { utm_source: "newsletter" }), { sessions: 1, pageviews: 1 }, "newsletter");
    expectKpis(rowWhere(result, { utm_source: "google" }), { sessions: 1, pageviews: 1 }, "google");
    // g1 (2 pages), g2, g4, g5
    expectKpis(rowWhere(result, { utm_source: "(none)" }), { sessions: 4, pageviews: 5 }, "(none)");
  });

  it("groups by two dimensions", async () => {
    const result = await kit.query(ws, { kpis: ["pageviews"], ...DAY, groupBy: ["channel", "device"] });
    expectKpis(rowWhere(result, { channel: "organic_search", device: "mobile" }), { pageviews: 2 }, "o/m");
    expectKpis(rowWhere(result, { channel: "paid", device: "mobile" }), { pageviews: 1 }, "p/m");
    expectKpis(rowWhere(result, { channel: "direct", device: "desktop" }), { pageviews: 1 }, "d/d");
    expect(rowWhere(result, { channel: "organic_search", device: "desktop" })).toBeUndefined();
  });
});

describe("totals over the selection", () => {
  it("counts a visitor seen on two devices once in the totals", async () => {
    const two = await kit.workspace("two-devices");
    // M: a mobile session at 10:00 and a desktop session at 12:00 (2 h apart)
    await kit.load(
      two,
      "events",
      `
      timestamp,event,visitor_id,type,device
      2026-06-01T10:00:00Z,pageview,M,page,mobile
      2026-06-01T12:00:00Z,pageview,M,page,desktop
    `,
    );
    const result = await kit.query(two, { kpis: ["visitors", "sessions"], ...DAY, groupBy: ["device"] });
    expectKpis(rowWhere(result, { device: "mobile" }), { visitors: 1, sessions: 1 }, "mobile");
    expectKpis(rowWhere(result, { device: "desktop" }), { visitors: 1, sessions: 1 }, "desktop");
    // rows add up to 2 visitors, but there is one distinct visitor; sessions do add up
    expectKpis(result.totals, { visitors: 1, sessions: 2 }, "totals");
  });
});

describe("channel rules", () => {
  it("classifies sessions by utm_medium first, then by referrer", async () => {
    const channels = await kit.workspace("channels", { domains: ["site.example"] });
    await kit.load(
      channels,
      "events",
      `
      timestamp,event,visitor_id,type,url,referrer,utm_medium
      2026-06-01T10:00:00Z,pageview,c1,page,https://site.example/,https://t.co/abc,
      2026-06-01T10:00:00Z,pageview,c2,page,https://site.example/,https://www.google.co.uk/,
      2026-06-01T10:00:00Z,pageview,c3,page,https://site.example/,,newsletter
      2026-06-01T10:00:00Z,pageview,c4,page,https://site.example/,https://facebook.com/,paidsocial
      2026-06-01T10:00:00Z,pageview,c5,page,https://site.example/,https://duckduckgo.com/,
      2026-06-01T10:00:00Z,pageview,c6,page,https://site.example/,https://blog.partner.com/x,
      2026-06-01T10:00:00Z,pageview,c7,page,https://site.example/,https://www.site.example/x,
      2026-06-01T10:00:00Z,pageview,c8,page,https://site.example/,,social
    `,
    );
    const result = await kit.query(channels, { kpis: ["sessions"], ...DAY, groupBy: ["channel"] });
    // t.co + utm_medium social → social 2; google.co.uk + duckduckgo → organic_search 2;
    // newsletter → email; paidsocial (medium wins over the facebook referrer) → paid;
    // blog.partner.com → referral; the site's own domain (www.) → direct
    expectKpis(rowWhere(result, { channel: "social" }), { sessions: 2 }, "social");
    expectKpis(rowWhere(result, { channel: "organic_search" }), { sessions: 2 }, "organic_search");
    expectKpis(rowWhere(result, { channel: "email" }), { sessions: 1 }, "email");
    expectKpis(rowWhere(result, { channel: "paid" }), { sessions: 1 }, "paid");
    expectKpis(rowWhere(result, { channel: "referral" }), { sessions: 1 }, "referral");
    expectKpis(rowWhere(result, { channel: "direct" }), { sessions: 1 }, "direct");
    expect(result.rows).toHaveLength(6);
  });
});

describe("group by event properties and cost breakdowns", () => {
  it("groups by props.NAME from an extra events column", async () => {
    const result = await kit.query(ws, {
      kpis: ["pageviews", "conversions"],
      ...DAY,
      groupBy: ["props.plan"],
    });
    expectKpis(rowWhere(result, { "props.plan": "pro" }), { pageviews: 2, conversions: 1 }, "pro");
    expectKpis(rowWhere(result, { "props.plan": "free" }), { pageviews: 1, conversions: 1 }, "free");
    // g3, g4, g5, g6
    expectKpis(rowWhere(result, { "props.plan": "(none)" }), { pageviews: 4, conversions: 0 }, "(none)");
  });

  it("groups by props.NAME from the properties JSON column", async () => {
    const result = await kit.query(ws, { kpis: ["pageviews"], ...DAY, groupBy: ["props.color"] });
    expectKpis(rowWhere(result, { "props.color": "red" }), { pageviews: 1 }, "red");
    expectKpis(rowWhere(result, { "props.color": "blue" }), { pageviews: 1 }, "blue");
    expectKpis(rowWhere(result, { "props.color": "(none)" }), { pageviews: 5 }, "(none)"); // 7 − 2
  });

  it("groups by a cost breakdown column", async () => {
    const result = await kit.query(ws, {
      kpis: ["spend", "impressions", "clicks", "ctr", "cpc", "ad_conversions"],
      ...DAY,
      groupBy: ["age"],
    });
    expect(column(result, "age").sort()).toEqual(["18-24", "25-34"]);
    // 40 + 10; 1000 + 500; 10 + 5; 15 / 1500 × 100; 50 / 15
    expectKpis(
      rowWhere(result, { age: "18-24" }),
      { spend: 50, impressions: 1500, clicks: 15, ctr: 1, cpc: 50 / 15, ad_conversions: 1 },
      "18-24",
    );
    // 20 / 3000 × 100; 60 / 20
    expectKpis(
      rowWhere(result, { age: "25-34" }),
      { spend: 60, impressions: 3000, clicks: 20, ctr: (20 / 3000) * 100, cpc: 3, ad_conversions: 0 },
      "25-34",
    );
    // 35 / 4500 × 100
    expectKpis(result.totals, { spend: 110, clicks: 35, ctr: (35 / 4500) * 100 }, "totals");
  });
});

describe("filters", () => {
  it("keeps either of two values of one dimension", async () => {
    const result = await kit.query(ws, {
      kpis: ["visitors", "sessions", "pageviews", "spend", "emails_sent"],
      ...DAY,
      where: ["channel=paid", "channel=email"],
    });
    // g6 (paid) and g3 (email); ad costs are paid; the email row is email
    expectKpis(result.totals, { visitors: 2, sessions: 2, pageviews: 2, spend: 110, emails_sent: 300 });
  });

  it("drops facts that lack the filtered dimension", async () => {
    const result = await kit.query(ws, {
      kpis: ["visitors", "pageviews", "conversions", "spend", "emails_sent"],
      ...DAY,
      where: ["device=mobile"],
    });
    // g1, g3, g6; costs and email have no device
    expectKpis(result.totals, { visitors: 3, pageviews: 4, conversions: 1, spend: 0, emails_sent: 0 });
  });

  it("combines filters on two dimensions", async () => {
    const result = await kit.query(ws, {
      kpis: ["visitors", "pageviews"],
      ...DAY,
      where: ["device=mobile", "channel=organic_search"],
    });
    expectKpis(result.totals, { visitors: 1, pageviews: 2 }); // g1
  });

  it("filters a property and a breakdown", async () => {
    const byPlan = await kit.query(ws, {
      kpis: ["pageviews", "conversions"],
      ...DAY,
      where: ["props.plan=pro"],
    });
    expectKpis(byPlan.totals, { pageviews: 2, conversions: 1 }, "plan");
    const byAge = await kit.query(ws, { kpis: ["spend", "clicks"], ...DAY, where: ["age=18-24"] });
    expectKpis(byAge.totals, { spend: 50, clicks: 15 }, "age"); // 40 + 10, 10 + 5
  });
});

describe("custom KPIs", () => {
  beforeAll(async () => {
    await kit.store.saveCustomKpi(ws.name, "profit", "revenue * 0.4 - spend");
    await kit.store.saveCustomKpi(ws.name, "revenue_per_click", "revenue / clicks");
  });

  it("computes profit: revenue * 0.4 - spend per day and in total", async () => {
    const result = await kit.query(ws, {
      kpis: ["profit", "revenue_per_click", "revenue", "spend"],
      from: "2026-06-01",
      to: "2026-06-02",
      interval: "day",
    });
    // 06-01: 500 × 0.4 − 110 = 200 − 110 = 90; 500 / 35 clicks
    expectKpis(
      rowWhere(result, { period: "2026-06-01" }),
      { profit: 90, revenue_per_click: 500 / 35, revenue: 500, spend: 110 },
      "06-01",
    );
    // 06-02: 0 × 0.4 − 0 = 0; 0 / 0 clicks → null
    expectKpis(rowWhere(result, { period: "2026-06-02" }), { profit: 0, revenue_per_click: null }, "06-02");
    expectKpis(result.totals, { profit: 90, revenue_per_click: 500 / 35 }, "totals");
  });

  it("lists custom KPIs among all KPIs when none is asked for", async () => {
    const result = await kit.query(ws, DAY);
    expect(result.kpis).toContain("profit");
    expect(result.kpis).toContain("engagement_rate_reach");
    expectKpis(result.totals, { profit: 90 });
  });
});
