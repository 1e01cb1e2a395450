import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../src/model/workspace.js";
import { column, expectKpis, type Kit, openKit, rowWhere } from "./fixture.js";

/*
 * UTC workspace, session timeout 30 min (default). Sunday 2026-03-01, Monday 2026-03-02.
 *   A: 10:00 page, 10:05 page, 10:10 "Signed Up"        → 1 session, 600 s, not a bounce
 *   B: 11:00 page, 11:30 page (gap = 1800 s = timeout → same session), 12:00:01 page (gap 1801 s → new)
 *      → B1: 2 pages, 1800 s; B2: 1 page, 0 s, bounce
 *   C: identify only                                      → a visitor, no session
 *   D: one "Button Clicked" track event                   → 1 session, 0 s, NOT a bounce (no page view)
 *   E: 03-01 23:50 page, 03-02 00:10 page (gap 20 min)    → 1 session starting 03-01, 1200 s
 *   F: 03-03 08:00 page, 08:01 "Signed Up", 08:02 "Signed Up" → 1 session, 120 s, 2 conversions
 *   G: 03-08 12:00 page (Sunday), 03-09 12:00 page (Monday) → 2 sessions
 */
const EVENTS = `
  timestamp,event,visitor_id,type,user_id,url
  2026-03-02T10:00:00Z,pageview,A,page,,https://site.example/home
  2026-03-02T10:05:00Z,pageview,A,page,,https://site.example/pricing
  2026-03-02T10:10:00Z,Signed Up,A,track,,https://site.example/pricing
  2026-03-02T11:00:00Z,pageview,B,page,,https://site.example/home
  2026-03-02T11:30:00Z,pageview,B,page,,https://site.example/blog
  2026-03-02T12:00:01Z,pageview,B,page,,https://site.example/blog2
  2026-03-02T09:00:00Z,identify,C,identify,u_c,
  2026-03-02T13:00:00Z,Button Clicked,D,track,,https://site.example/home
  2026-03-01T23:50:00Z,pageview,E,page,,https://site.example/home
  2026-03-02T00:10:00Z,pageview,E,page,,https://site.example/about
  2026-03-03T08:00:00Z,pageview,F,page,,https://site.example/home
  2026-03-03T08:01:00Z,Signed Up,F,track,,https://site.example/signup
  2026-03-03T08:02:00Z,Signed Up,F,track,,https://site.example/signup
  2026-03-08T12:00:00Z,pageview,G,page,,https://site.example/home
  2026-03-09T12:00:00Z,pageview,G,page,,https://site.example/home
`;

const TRAFFIC_KPIS = [
  "visitors",
  "sessions",
  "pageviews",
  "pages_per_session",
  "bounce_rate",
  "avg_visit_duration",
  "conversions",
  "conversion_rate",
  "converted_visitors",
  "visitor_conversion_rate",
  "leads",
];

let kit: Kit;
let ws: Workspace;
let short: Workspace;
let paris: Workspace;

beforeAll(async () => {
  kit = await openKit();
  ws = await kit.workspace("traffic");
  short = await kit.workspace("traffic5", { session_timeout_minutes: 5 });
  paris = await kit.workspace("paris", { timezone: "Europe/Paris" });
  await kit.load(ws, "events", EVENTS);
  await kit.load(short, "events", EVENTS);
});

afterAll(async () => {
  await kit?.close();
});

describe("traffic KPIs over a range", () => {
  it("computes every traffic and conversion KPI for 2026-03-02..03-03", async () => {
    const result = await kit.query(ws, { kpis: TRAFFIC_KPIS, from: "2026-03-02", to: "2026-03-03" });
    expect(result.rows).toHaveLength(1);
    expectKpis(result.totals, {
      // A, B, C (identify only), D, E (00:10 page), F
      visitors: 6,
      // A1, B1, B2, D1, F1 — E's session started 03-01, so it is not counted
      sessions: 5,
      // A 2 + B 3 + E 1 (its 00:10 page is in range) + F 1
      pageviews: 7,
      // 7 / 5
      pages_per_session: 1.4,
      // bounces: B2 only (D's one-event session is a track event) → 1 / 5 × 100
      bounce_rate: 20,
      // (600 + 1800 + 0 + 0 + 120) / 5 = 2520 / 5
      avg_visit_duration: 504,
      // Signed Up: A 1 + F 2
      conversions: 3,
      // 3 / 6 × 100
      conversion_rate: 50,
      // A and F
      converted_visitors: 2,
      // 2 / 6 × 100
      visitor_conversion_rate: (2 / 6) * 100,
      // Signed Up is the default lead event: 3
      leads: 3,
    });
    expectKpis(result.rows[0], { visitors: 6, sessions: 5, conversion_rate: 50 }, "single row");
  });

  it("splits by day; totals are computed over the selection, not averaged", async () => {
    const result = await kit.query(ws, {
      kpis: TRAFFIC_KPIS,
      from: "2026-03-02",
      to: "2026-03-03",
      interval: "day",
    });
    expect(column(result, "period")).toEqual(["2026-03-02", "2026-03-03"]);
    expectKpis(
      rowWhere(result, { period: "2026-03-02" }),
      {
        visitors: 5, // A, B, C, D, E
        sessions: 4, // A1, B1, B2, D1
        pageviews: 6, // A 2 + B 3 + E 1
        pages_per_session: 1.5, // 6 / 4
        bounce_rate: 25, // 1 / 4 × 100
        avg_visit_duration: 600, // (600 + 1800 + 0 + 0) / 4
        conversions: 1,
        conversion_rate: 20, // 1 / 5 × 100
        converted_visitors: 1,
        visitor_conversion_rate: 20, // 1 / 5 × 100
        leads: 1,
      },
      "03-02",
    );
    expectKpis(
      rowWhere(result, { period: "2026-03-03" }),
      {
        visitors: 1,
        sessions: 1,
        pageviews: 1,
        pages_per_session: 1,
        bounce_rate: 0, // F's session has 3 events
        avg_visit_duration: 120, // 08:00 → 08:02
        conversions: 2,
        conversion_rate: 200, // 2 / 1 × 100
        converted_visitors: 1,
        visitor_conversion_rate: 100,
        leads: 2,
      },
      "03-03",
    );
    // Totals: 3 / 6 × 100 = 50, not the mean of the rows (20 + 200) / 2 = 110.
    expectKpis(result.totals, { conversion_rate: 50, visitors: 6, pages_per_session: 1.4 }, "totals");
  });

  it("counts a session that crosses into the range only on its start day, with its full duration", async () => {
    const result = await kit.query(ws, { kpis: TRAFFIC_KPIS, from: "2026-03-01", to: "2026-03-01" });
    expectKpis(result.totals, {
      visitors: 1, // E
      sessions: 1, // E starts 03-01 23:50
      pageviews: 1, // only the 23:50 page is on 03-01
      avg_visit_duration: 1200, // 23:50 → 00:10 = 20 min, the whole session
      bounce_rate: 0, // two events
      conversions: 0,
      conversion_rate: 0, // 0 / 1 × 100
    });
  });

  it("shows empty days with zero counts and null ratios", async () => {
    const result = await kit.query(ws, {
      kpis: TRAFFIC_KPIS,
      from: "2026-03-02",
      to: "2026-03-05",
      interval: "day",
    });
    expect(column(result, "period")).toEqual(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
    for (const period of ["2026-03-04", "2026-03-05"]) {
      expectKpis(
        rowWhere(result, { period }),
        {
          visitors: 0,
          sessions: 0,
          pageviews: 0,
          conversions: 0,
          leads: 0,
          converted_visitors: 0,
          pages_per_session: null, // 0 / 0
          bounce_rate: null,
          avg_visit_duration: null,
          conversion_rate: null,
          visitor_conversion_rate: null,
        },
        period,
      );
    }
  });

  it("cuts weeks on Monday and labels the partial first week by its Monday", async () => {
    const result = await kit.query(ws, {
      kpis: ["visitors", "sessions", "pageviews"],
      from: "2026-03-01", // a Sunday
      to: "2026-03-09", // a Monday
      interval: "week",
    });
    // 2026-03-01 is a Sunday → its ISO week starts Monday 2026-02-23.
    expect(column(result, "period")).toEqual(["2026-02-23", "2026-03-02", "2026-03-09"]);
    // week of 02-23, only 03-01 in range: E's 23:50 page, E's session
    expectKpis(rowWhere(result, { period: "2026-02-23" }), { visitors: 1, sessions: 1, pageviews: 1 }, "w1");
    // 03-02..03-08: pages E 1 + A 2 + B 3 + F 1 + G(Sun 03-08) 1 = 8; sessions A1 B1 B2 D1 F1 G1 = 6;
    // visitors A B C D E F G = 7
    expectKpis(rowWhere(result, { period: "2026-03-02" }), { visitors: 7, sessions: 6, pageviews: 8 }, "w2");
    // Monday 03-09: G's second session
    expectKpis(rowWhere(result, { period: "2026-03-09" }), { visitors: 1, sessions: 1, pageviews: 1 }, "w3");
  });

  it("labels a month bucket by the 1st but counts only the range", async () => {
    const result = await kit.query(ws, {
      kpis: ["sessions", "pageviews"],
      from: "2026-03-02",
      to: "2026-03-03",
      interval: "month",
    });
    expect(column(result, "period")).toEqual(["2026-03-01"]);
    // same as the 03-02..03-03 totals: E's 03-01 session and the 03-08/09 pages are outside
    expectKpis(result.rows[0], { sessions: 5, pageviews: 7 }, "month");
  });

  it("follows session_timeout_minutes (5 min: a 300 s gap continues, 1800 s splits)", async () => {
    const result = await kit.query(short, {
      kpis: ["sessions", "pageviews", "bounce_rate", "avg_visit_duration"],
      from: "2026-03-02",
      to: "2026-03-03",
    });
    // A: gaps of exactly 300 s → 1 session (600 s). B: 3 one-page sessions.
    // E: gap 20 min > 5 → its 00:10 page starts a new session on 03-02 (one page, bounce).
    // D: 1 (track only). F: gaps of 60 s → 1 session (120 s).
    // sessions = 1 + 3 + 1 + 1 + 1 = 7; bounces = B×3 + E = 4
    expectKpis(result.totals, {
      sessions: 7,
      pageviews: 7,
      bounce_rate: (4 / 7) * 100,
      avg_visit_duration: (600 + 120) / 7, // other sessions last 0 s
    });
  });
});

describe("time zones", () => {
  /*
   * Europe/Paris in January is UTC+1.
   *   P: 22:50Z (01-14 23:50 local) page, 23:10Z (01-15 00:10) page, 23:20Z (01-15 00:20) "Signed Up"
   *   Q: 01-15 23:30Z = 01-16 00:30 local
   *   R: "2026-01-15T23:30:00" without offset → read in Paris time: 01-15 23:30 local
   */
  const PARIS_EVENTS = `
    timestamp,event,visitor_id,type,url
    2026-01-14T22:50:00Z,pageview,P,page,https://site.example/a
    2026-01-14T23:10:00Z,pageview,P,page,https://site.example/b
    2026-01-14T23:20:00Z,Signed Up,P,track,https://site.example/b
    2026-01-15T23:30:00Z,pageview,Q,page,https://site.example/a
    2026-01-15T23:30:00,pageview,R,page,https://site.example/a
  `;
  // 23:30Z on 01-14 is 00:30 on 01-15 in Paris.
  const PARIS_ORDERS = `
    timestamp,order_id,customer_id,revenue
    2026-01-14T23:30:00Z,p1,cust1,10
  `;

  beforeAll(async () => {
    await kit.load(paris, "events", PARIS_EVENTS);
    await kit.load(paris, "orders", PARIS_ORDERS);
  });

  it("gives a session crossing local midnight to its first local day, pages to their own", async () => {
    const result = await kit.query(paris, {
      kpis: ["visitors", "sessions", "pageviews", "conversions", "avg_visit_duration", "orders"],
      from: "2026-01-14",
      to: "2026-01-16",
      interval: "day",
    });
    expect(column(result, "period")).toEqual(["2026-01-14", "2026-01-15", "2026-01-16"]);
    // 01-14 local: P's first page and its session (22:50Z → 23:20Z = 1800 s)
    expectKpis(
      rowWhere(result, { period: "2026-01-14" }),
      { visitors: 1, sessions: 1, pageviews: 1, conversions: 0, avg_visit_duration: 1800, orders: 0 },
      "01-14",
    );
    // 01-15 local: P's second page + Signed Up (no session start), R's one-page session, order p1
    expectKpis(
      rowWhere(result, { period: "2026-01-15" }),
      { visitors: 2, sessions: 1, pageviews: 2, conversions: 1, avg_visit_duration: 0, orders: 1 },
      "01-15",
    );
    // 01-16 local: Q
    expectKpis(
      rowWhere(result, { period: "2026-01-16" }),
      { visitors: 1, sessions: 1, pageviews: 1, conversions: 0, avg_visit_duration: 0, orders: 0 },
      "01-16",
    );
  });

  it("cuts days and Monday weeks in America/New_York", async () => {
    const ny = await kit.workspace("new-york", { timezone: "America/New_York" });
    // 03:00Z on Monday 03-02 is 22:00 on Sunday 03-01 in New York (UTC−5); 06:00Z is Monday 01:00.
    await kit.load(
      ny,
      "events",
      `
      timestamp,event,visitor_id,type
      2026-03-02T03:00:00Z,pageview,N1,page
      2026-03-02T06:00:00Z,pageview,N2,page
    `,
    );
    const week = await kit.query(ny, {
      kpis: ["pageviews", "sessions"],
      from: "2026-03-01",
      to: "2026-03-02",
      interval: "week",
    });
    expect(column(week, "period")).toEqual(["2026-02-23", "2026-03-02"]);
    expectKpis(rowWhere(week, { period: "2026-02-23" }), { pageviews: 1, sessions: 1 }, "week of 02-23"); // N1
    expectKpis(rowWhere(week, { period: "2026-03-02" }), { pageviews: 1, sessions: 1 }, "week of 03-02"); // N2
    const day = await kit.query(ny, {
      kpis: ["visitors"],
      from: "2026-03-01",
      to: "2026-03-02",
      interval: "day",
    });
    expectKpis(rowWhere(day, { period: "2026-03-01" }), { visitors: 1 }, "03-01");
    expectKpis(rowWhere(day, { period: "2026-03-02" }), { visitors: 1 }, "03-02");
  });

  it("reads explicit offsets exactly and a timestamp without offset in the workspace zone (UTC)", async () => {
    const offsets = await kit.workspace("offsets");
    await kit.load(
      offsets,
      "events",
      `
      timestamp,event,visitor_id,type
      2026-01-14T23:50:00+01:00,pageview,A,page
      2026-01-15T00:10:00+01:00,pageview,A,page
      2026-01-15 00:30:00,pageview,B,page
    `,
    );
    const result = await kit.query(offsets, {
      kpis: ["pageviews", "sessions", "avg_visit_duration"],
      from: "2026-01-14",
      to: "2026-01-15",
      interval: "day",
    });
    // A: 22:50Z and 23:10Z, both on 01-14 UTC: one session of 1200 s
    expectKpis(
      rowWhere(result, { period: "2026-01-14" }),
      { pageviews: 2, sessions: 1, avg_visit_duration: 1200 },
      "01-14",
    );
    // B: no offset → 00:30 UTC on 01-15
    expectKpis(rowWhere(result, { period: "2026-01-15" }), { pageviews: 1, sessions: 1 }, "01-15");
  });

  it("defaults the range to the first and last local dates with data", async () => {
    const result = await kit.query(paris, { kpis: ["pageviews"] });
    expect(result.from).toBe("2026-01-14");
    expect(result.to).toBe("2026-01-16");
    expectKpis(result.totals, { pageviews: 4 }); // P 2 + Q 1 + R 1
  });
});

describe("event de-duplication", () => {
  it("stores identical rows and repeated message ids once, also on re-import", async () => {
    const dedup = await kit.workspace("dedup");
    const csv = `
      timestamp,event,visitor_id,type,url,message_id
      2026-03-02T10:00:00Z,pageview,X,page,https://site.example/,
      2026-03-02T10:00:00Z,pageview,X,page,https://site.example/,
      2026-03-02T10:01:00Z,pageview,X,page,https://site.example/p,m1
      2026-03-02T10:02:00Z,pageview,X,page,https://site.example/q,m1
    `;
    await kit.load(dedup, "events", csv);
    await kit.load(dedup, "events", csv);
    const result = await kit.query(dedup, {
      kpis: ["pageviews", "sessions", "avg_visit_duration"],
      from: "2026-03-02",
      to: "2026-03-02",
    });
    // kept: the 10:00 row once and the first m1 row (10:01) → 2 pages, 1 session of 60 s
    expectKpis(result.totals, { pageviews: 2, sessions: 1, avg_visit_duration: 60 });
  });
});

describe("more session rules", () => {
  it("does not let an identify call keep a session alive", async () => {
    const ident = await kit.workspace("identify-gap");
    // H: page 10:00, identify 10:25, page 10:50 — the pages are 50 min apart → 2 sessions
    await kit.load(
      ident,
      "events",
      `
      timestamp,event,visitor_id,type,user_id
      2026-03-02T10:00:00Z,pageview,H,page,
      2026-03-02T10:25:00Z,identify,H,identify,u_h
      2026-03-02T10:50:00Z,pageview,H,page,
    `,
    );
    const result = await kit.query(ident, {
      kpis: ["visitors", "sessions", "pageviews", "bounce_rate", "avg_visit_duration"],
      from: "2026-03-02",
      to: "2026-03-02",
    });
    // two one-page sessions: both bounce, both last 0 s
    expectKpis(result.totals, {
      visitors: 1,
      sessions: 2,
      pageviews: 2,
      bounce_rate: 100,
      avg_visit_duration: 0,
    });
  });

  it("joins events of a later import to a session already computed", async () => {
    const later = await kit.workspace("incremental");
    await kit.load(
      later,
      "events",
      "timestamp,event,visitor_id,type\n2026-03-02T10:00:00Z,pageview,K,page\n",
    );
    const before = await kit.query(later, {
      kpis: ["sessions", "bounce_rate"],
      from: "2026-03-02",
      to: "2026-03-02",
    });
    expectKpis(before.totals, { sessions: 1, bounce_rate: 100 }, "before");
    // 10:20 is 20 min later: the same session, now 2 pages over 1200 s
    await kit.load(
      later,
      "events",
      "timestamp,event,visitor_id,type\n2026-03-02T10:20:00Z,pageview,K,page\n",
    );
    const after = await kit.query(later, {
      kpis: ["sessions", "pageviews", "bounce_rate", "avg_visit_duration"],
      from: "2026-03-02",
      to: "2026-03-02",
    });
    expectKpis(
      after.totals,
      { sessions: 1, pageviews: 2, bounce_rate: 0, avg_visit_duration: 1200 },
      "after",
    );
  });

  it("uses the workspace's conversion_events and lead_events", async () => {
    const own = await kit.workspace("own-events", {
      conversion_events: ["Button Clicked"],
      lead_events: ["Signed Up", "Button Clicked"],
    });
    await kit.load(own, "events", EVENTS);
    const result = await kit.query(own, {
      kpis: ["conversions", "converted_visitors", "conversion_rate", "leads"],
      from: "2026-03-02",
      to: "2026-03-03",
    });
    expectKpis(result.totals, {
      conversions: 1, // D's Button Clicked
      converted_visitors: 1,
      conversion_rate: (1 / 6) * 100, // 6 visitors
      leads: 4, // Signed Up × 3 (A, F, F) + Button Clicked × 1
    });
  });

  it("labels quarter and year buckets by their first day", async () => {
    const quarter = await kit.query(ws, {
      kpis: ["pageviews"],
      from: "2026-02-15",
      to: "2026-04-10",
      interval: "quarter",
    });
    expect(column(quarter, "period")).toEqual(["2026-01-01", "2026-04-01"]);
    // every page of the fixture is in March: 1 (E 03-01) + 8 (03-02..03-08) + 1 (G 03-09) = 10
    expectKpis(rowWhere(quarter, { period: "2026-01-01" }), { pageviews: 10 }, "Q1");
    expectKpis(rowWhere(quarter, { period: "2026-04-01" }), { pageviews: 0 }, "Q2");
    const year = await kit.query(ws, {
      kpis: ["pageviews"],
      from: "2026-03-01",
      to: "2026-03-31",
      interval: "year",
    });
    expect(column(year, "period")).toEqual(["2026-01-01"]);
    expectKpis(year.rows[0], { pageviews: 10 }, "2026");
  });
});
