import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../src/model/workspace.js";
import { column, expectKpis, type Kit, openKit, rowWhere } from "./fixture.js";

/* UTC workspace; data on 2026-04-01..04-03. */
const COSTS = `
  date,campaign,spend,channel,impressions,clicks,conversions
  2026-04-01,Brand,100,paid,10000,200,4
  2026-04-01,Generic,50,paid,5000,50,1
  2026-04-02,Retarget,30,paid,0,0,0
`;
// c2 first ordered in March, so only c1 is a new customer in April.
const ORDERS = `
  timestamp,order_id,customer_id,revenue
  2026-03-01T10:00:00Z,o0,c2,20
  2026-04-01T10:00:00Z,o1,c1,300
  2026-04-02T10:00:00Z,o2,c2,150
`;
// Two leads (Signed Up) on 04-01.
const EVENTS = `
  timestamp,event,visitor_id,type
  2026-04-01T09:00:00Z,Signed Up,v1,track
  2026-04-01T09:30:00Z,Signed Up,v2,track
`;
const EMAIL = `
  date,campaign,sent,delivered,opens,clicks,unsubscribes,bounces
  2026-04-01,Newsletter April,1000,980,250,50,3,20
  2026-04-02,Promo,500,490,100,30,2,10
  2026-04-03,Empty,0,0,0,0,0,0
`;
// Network names in any case are one network; linkedin has no followers value on 04-03.
const SOCIAL = `
  date,network,posts,reach,impressions,interactions,mentions,followers
  2026-04-01,Instagram,2,1000,1500,80,5,1200
  2026-04-02,instagram,1,500,700,40,2,1210
  2026-04-01,LinkedIn,1,400,600,20,1,300
  2026-04-03,linkedin,0,0,0,0,0,
`;

const AD_KPIS = [
  "spend",
  "impressions",
  "clicks",
  "ctr",
  "cpc",
  "cpm",
  "ad_conversions",
  "cost_per_ad_conversion",
  "cpa",
  "cpl",
  "roi",
  "roas",
];
const EMAIL_KPIS = [
  "emails_sent",
  "emails_delivered",
  "email_opens",
  "email_clicks",
  "unsubscribes",
  "open_rate",
  "click_rate",
  "click_to_open_rate",
];
const SOCIAL_KPIS = [
  "social_reach",
  "social_impressions",
  "social_interactions",
  "posts",
  "mentions",
  "followers",
  "engagement_rate",
  "engagement_rate_reach",
];

let kit: Kit;
let ws: Workspace;

beforeAll(async () => {
  kit = await openKit();
  ws = await kit.workspace("marketing");
  await kit.load(ws, "costs", COSTS);
  await kit.load(ws, "orders", ORDERS);
  await kit.load(ws, "events", EVENTS);
  await kit.load(ws, "email", EMAIL);
  await kit.load(ws, "social", SOCIAL);
});

afterAll(async () => {
  await kit?.close();
});

describe("ad KPIs", () => {
  it("computes spend-based KPIs over 04-01..04-02", async () => {
    const result = await kit.query(ws, { kpis: AD_KPIS, from: "2026-04-01", to: "2026-04-02" });
    expectKpis(result.totals, {
      spend: 180, // 100 + 50 + 30
      impressions: 15000, // 10000 + 5000 + 0
      clicks: 250, // 200 + 50 + 0
      ctr: (250 / 15000) * 100, // 1.6667
      cpc: 0.72, // 180 / 250
      cpm: 12, // 180 / 15000 × 1000
      ad_conversions: 5, // 4 + 1 + 0
      cost_per_ad_conversion: 36, // 180 / 5
      cpa: 180, // 180 / 1 new customer (c1)
      cpl: 90, // 180 / 2 leads
      roi: 150, // (450 − 180) / 180 × 100, revenue 300 + 150
      roas: 2.5, // 450 / 180
    });
  });

  it("gives null for every ratio whose denominator is zero", async () => {
    const result = await kit.query(ws, {
      kpis: AD_KPIS,
      from: "2026-04-01",
      to: "2026-04-03",
      interval: "day",
    });
    expect(column(result, "period")).toEqual(["2026-04-01", "2026-04-02", "2026-04-03"]);
    expectKpis(
      rowWhere(result, { period: "2026-04-01" }),
      {
        spend: 150,
        impressions: 15000,
        clicks: 250,
        ctr: (250 / 15000) * 100,
        cpc: 0.6, // 150 / 250
        cpm: 10, // 150 / 15000 × 1000
        ad_conversions: 5,
        cost_per_ad_conversion: 30, // 150 / 5
        cpa: 150, // 150 / 1 (c1)
        cpl: 75, // 150 / 2
        roi: 100, // (300 − 150) / 150 × 100
        roas: 2, // 300 / 150
      },
      "04-01",
    );
    expectKpis(
      rowWhere(result, { period: "2026-04-02" }),
      {
        spend: 30,
        impressions: 0,
        clicks: 0,
        ctr: null, // 0 impressions
        cpc: null, // 0 clicks
        cpm: null, // 0 impressions
        ad_conversions: 0,
        cost_per_ad_conversion: null, // 0 ad conversions
        cpa: null, // c2 is not new: 0 new customers
        cpl: null, // 0 leads
        roi: 400, // (150 − 30) / 30 × 100
        roas: 5, // 150 / 30
      },
      "04-02",
    );
    expectKpis(
      rowWhere(result, { period: "2026-04-03" }),
      {
        spend: 0,
        impressions: 0,
        clicks: 0,
        ad_conversions: 0,
        ctr: null,
        cpc: null,
        cpm: null,
        cost_per_ad_conversion: null,
        cpa: null,
        cpl: null,
        roi: null, // 0 spend
        roas: null,
      },
      "04-03",
    );
  });

  it("does not double costs when the same file is imported again", async () => {
    await kit.load(ws, "costs", COSTS);
    const result = await kit.query(ws, { kpis: ["spend", "clicks"], from: "2026-04-01", to: "2026-04-03" });
    expectKpis(result.totals, { spend: 180, clicks: 250 });
  });
});

describe("email KPIs", () => {
  it("sums email rows and computes rates", async () => {
    const result = await kit.query(ws, { kpis: EMAIL_KPIS, from: "2026-04-01", to: "2026-04-03" });
    expectKpis(result.totals, {
      emails_sent: 1500, // 1000 + 500 + 0
      emails_delivered: 1470, // 980 + 490
      email_opens: 350, // 250 + 100
      email_clicks: 80, // 50 + 30
      unsubscribes: 5, // 3 + 2
      open_rate: (350 / 1500) * 100, // 23.333…
      click_rate: (80 / 1500) * 100, // 5.333…
      click_to_open_rate: (80 / 350) * 100, // 22.857…
    });
  });

  it("gives rates per day, null on a day with nothing sent", async () => {
    const result = await kit.query(ws, {
      kpis: EMAIL_KPIS,
      from: "2026-04-01",
      to: "2026-04-03",
      interval: "day",
    });
    // 250 / 1000 × 100, 50 / 1000 × 100, 50 / 250 × 100
    expectKpis(
      rowWhere(result, { period: "2026-04-01" }),
      { open_rate: 25, click_rate: 5, click_to_open_rate: 20 },
      "04-01",
    );
    // 100 / 500 × 100, 30 / 500 × 100, 30 / 100 × 100
    expectKpis(
      rowWhere(result, { period: "2026-04-02" }),
      { open_rate: 20, click_rate: 6, click_to_open_rate: 30 },
      "04-02",
    );
    expectKpis(
      rowWhere(result, { period: "2026-04-03" }),
      { emails_sent: 0, open_rate: null, click_rate: null, click_to_open_rate: null },
      "04-03",
    );
  });
});

describe("social KPIs", () => {
  it("sums social rows; followers is the last value per network, summed", async () => {
    const result = await kit.query(ws, { kpis: SOCIAL_KPIS, from: "2026-04-01", to: "2026-04-03" });
    expectKpis(result.totals, {
      social_reach: 1900, // 1000 + 500 + 400 + 0
      social_impressions: 2800, // 1500 + 700 + 600 + 0
      social_interactions: 140, // 80 + 40 + 20 + 0
      posts: 4, // 2 + 1 + 1 + 0
      mentions: 8, // 5 + 2 + 1 + 0
      followers: 1510, // instagram last 1210 (04-02) + linkedin last 300 (04-01; 04-03 has none)
      engagement_rate: 35, // 140 / 4
      engagement_rate_reach: (140 / 1900) * 100, // 7.368…
    });
  });

  it("groups by network (names in any case are one network)", async () => {
    const result = await kit.query(ws, {
      kpis: SOCIAL_KPIS,
      from: "2026-04-01",
      to: "2026-04-03",
      groupBy: ["network"],
    });
    expect(result.rows).toHaveLength(2);
    expectKpis(
      rowWhere(result, { network: "instagram" }),
      {
        social_reach: 1500, // 1000 + 500
        social_impressions: 2200, // 1500 + 700
        social_interactions: 120, // 80 + 40
        posts: 3,
        mentions: 7,
        followers: 1210,
        engagement_rate: 40, // 120 / 3
        engagement_rate_reach: 8, // 120 / 1500 × 100
      },
      "instagram",
    );
    expectKpis(
      rowWhere(result, { network: "linkedin" }),
      {
        social_reach: 400,
        social_impressions: 600,
        social_interactions: 20,
        posts: 1,
        mentions: 1,
        followers: 300,
        engagement_rate: 20, // 20 / 1
        engagement_rate_reach: 5, // 20 / 400 × 100
      },
      "linkedin",
    );
  });

  it("gives null engagement and followers where there is no value", async () => {
    const result = await kit.query(ws, {
      kpis: SOCIAL_KPIS,
      from: "2026-04-02",
      to: "2026-04-04",
      interval: "day",
    });
    // 04-02: only instagram (followers 1210)
    expectKpis(
      rowWhere(result, { period: "2026-04-02" }),
      { posts: 1, followers: 1210, engagement_rate: 40, engagement_rate_reach: 8 },
      "04-02",
    );
    // 04-03: linkedin row with zeros and no followers value
    expectKpis(
      rowWhere(result, { period: "2026-04-03" }),
      { posts: 0, social_reach: 0, followers: null, engagement_rate: null, engagement_rate_reach: null },
      "04-03",
    );
    // 04-04: no social row at all
    expectKpis(
      rowWhere(result, { period: "2026-04-04" }),
      { posts: 0, mentions: 0, followers: null, engagement_rate: null },
      "04-04",
    );
  });
});

describe("re-imports", () => {
  it("adds up duplicate keys inside one file and replaces them from a later file", async () => {
    const again = await kit.workspace("reimport");
    const costs = `
      date,campaign,spend,channel,impressions,clicks,conversions
      2026-04-01,Brand,100,paid,1000,10,1
      2026-04-01,Brand,100,paid,1000,10,1
    `;
    await kit.load(again, "costs", costs);
    const first = await kit.query(again, { kpis: ["spend"], from: "2026-04-01", to: "2026-04-01" });
    expectKpis(first.totals, { spend: 200 }, "one file"); // both rows of the file are kept: 100 + 100
    // same key (date, campaign key " brand" → brand): the new row replaces both
    await kit.load(again, "costs", `date,campaign,spend\n2026-04-01," BRAND",70\n`);
    const second = await kit.query(again, { kpis: ["spend"], from: "2026-04-01", to: "2026-04-01" });
    expectKpis(second.totals, { spend: 70 }, "replaced");
    // social: the network key is lower-cased, so INSTAGRAM replaces instagram
    await kit.load(again, "social", "date,network,posts,followers\n2026-04-01,instagram,2,100\n");
    await kit.load(again, "social", "date,network,posts,followers\n2026-04-01,INSTAGRAM,5,120\n");
    const social = await kit.query(again, {
      kpis: ["posts", "followers"],
      from: "2026-04-01",
      to: "2026-04-01",
    });
    expectKpis(social.totals, { posts: 5, followers: 120 }, "social");
  });
});
