import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUserError } from "../../src/errors.js";
import type { Workspace } from "../../src/model/workspace.js";
import { expectKpis, type Kit, openKit, rowWhere } from "./fixture.js";

/*
 * Engagement, pages and interactivity (docs/browser-clients.md#engagement-and-interactivity, docs/concepts.md#kpis). UTC, 2026-03-02, timeout 30 min.
 *   A: 10:00 page /a, 10:01 and 10:02 engagement of /a (sd 40, 3 s; sd 70, 2 s), 10:03 page /b,
 *      10:04 engagement of /b (sd 100, 1 s)                → 1 session, 180 s (engagement extends nothing)
 *   B: 11:00 page /a, 11:05 engagement of /a (sd 10, 0 s)   → a bounce: engagement does not un-bounce
 *   C: 12:00 page /a, 12:01 "Video Played" sent interactive: false → a bounce, 60 s
 *   D: 13:00 page /a, 13:01 "Video Played"                  → not a bounce, 60 s
 *   E: 14:00 page /c, 14:01 engagement (sd 50, 1 s), 14:02 page /c again, 14:03 engagement (sd 20,
 *      3 s): each engagement goes to the latest page view of the URL before it → 2 engaged views
 *   F: 15:00 engagement of /d with no page view before it    → nothing: F is not even a visitor
 */
const EVENTS = `
  timestamp,event,visitor_id,type,url,properties
  2026-03-02T10:00:00Z,pageview,A,page,https://site.example/a?utm_source=news,
  2026-03-02T10:01:00Z,engagement,A,engagement,https://site.example/a?utm_source=news,"{""sd"":40,""e"":3000}"
  2026-03-02T10:02:00Z,engagement,A,engagement,https://site.example/a?utm_source=news,"{""sd"":70,""e"":2000}"
  2026-03-02T10:03:00Z,pageview,A,page,https://site.example/b#top,
  2026-03-02T10:04:00Z,engagement,A,engagement,https://site.example/b#top,"{""sd"":100,""e"":1000}"
  2026-03-02T11:00:00Z,pageview,B,page,https://site.example/a,
  2026-03-02T11:05:00Z,engagement,B,engagement,https://site.example/a,"{""sd"":10,""e"":0}"
  2026-03-02T12:00:00Z,pageview,C,page,https://site.example/a,
  2026-03-02T12:01:00Z,Video Played,C,track,https://site.example/a,"{""$interactive"":false}"
  2026-03-02T13:00:00Z,pageview,D,page,https://site.example/a,
  2026-03-02T13:01:00Z,Video Played,D,track,https://site.example/a,
  2026-03-02T14:00:00Z,pageview,E,page,https://site.example/c,
  2026-03-02T14:01:00Z,engagement,E,engagement,https://site.example/c,"{""sd"":50,""e"":1000}"
  2026-03-02T14:02:00Z,pageview,E,page,https://site.example/c,
  2026-03-02T14:03:00Z,engagement,E,engagement,https://site.example/c,"{""sd"":20,""e"":3000}"
  2026-03-02T15:00:00Z,engagement,F,engagement,https://site.example/d,"{""sd"":90,""e"":9000}"
`;

const DAY = { from: "2026-03-02", to: "2026-03-02" } as const;

let kit: Kit;
let ws: Workspace;

beforeAll(async () => {
  kit = await openKit();
  ws = await kit.workspace("pages", { conversion_events: ["Video Played"] });
  const summary = await kit.load(ws, "events", EVENTS);
  expect(summary.rejected).toEqual([]);
  expect(summary.rowsStored).toBe(16);
});

afterAll(async () => {
  await kit?.close();
});

describe("engagement and interactivity", () => {
  it("counts engagement in no event KPI and lets neither engagement nor interactive: false un-bounce", async () => {
    const result = await kit.query(ws, {
      ...DAY,
      kpis: ["visitors", "sessions", "pageviews", "bounce_rate", "avg_visit_duration", "conversions"],
    });
    expectKpis(result.totals, {
      visitors: 5,
      sessions: 5,
      pageviews: 7,
      bounce_rate: 40,
      avg_visit_duration: 420 / 5,
      // A non-interactive event is stored as usual: it still converts.
      conversions: 2,
    });
  });

  it("computes time on page and scroll depth over the page views that received engagement", async () => {
    const result = await kit.query(ws, { ...DAY, kpis: ["time_on_page", "scroll_depth"] });
    // Views: A /a 5 s 70 %, A /b 1 s 100 %, B /a 0 s 10 %, E /c 1 s 50 %, E /c 3 s 20 %.
    expectKpis(result.totals, { time_on_page: 10 / 5, scroll_depth: 250 / 5 });
    const byDay = await kit.query(ws, { ...DAY, interval: "day", kpis: ["time_on_page", "scroll_depth"] });
    expectKpis(byDay.rows[0], { time_on_page: 2, scroll_depth: 50 }, "2026-03-02");
  });

  it("gives time on page and scroll depth as null when no page view received engagement", async () => {
    const empty = await kit.workspace("no-engagement");
    await kit.load(
      empty,
      "events",
      "timestamp,event,visitor_id,type,url\n2026-03-02T10:00:00Z,pageview,Z,page,https://site.example/\n",
    );
    const result = await kit.query(empty, { ...DAY, kpis: ["pageviews", "time_on_page", "scroll_depth"] });
    expectKpis(result.totals, { pageviews: 1, time_on_page: null, scroll_depth: null });
  });
});

describe("the page dimension", () => {
  it("groups page views, visitors, time on page and scroll depth by the path of the URL", async () => {
    const result = await kit.query(ws, { ...DAY, groupBy: ["page"] });
    expect(result.kpis).toEqual(["pageviews", "visitors", "time_on_page", "scroll_depth"]);
    expectKpis(
      rowWhere(result, { page: "/a" }),
      { pageviews: 4, visitors: 4, time_on_page: 2.5, scroll_depth: 40 },
      "/a",
    );
    expectKpis(
      rowWhere(result, { page: "/b" }),
      { pageviews: 1, visitors: 1, time_on_page: 1, scroll_depth: 100 },
      "/b",
    );
    expectKpis(
      rowWhere(result, { page: "/c" }),
      { pageviews: 2, visitors: 1, time_on_page: 2, scroll_depth: 35 },
      "/c",
    );
    expect(
      rowWhere(result, { page: "/d" }),
      "an engagement without a page view makes no page",
    ).toBeUndefined();
    expectKpis(result.totals, { pageviews: 7, visitors: 5, time_on_page: 2, scroll_depth: 50 }, "totals");
  });

  it("filters by page", async () => {
    const result = await kit.query(ws, {
      ...DAY,
      kpis: ["pageviews", "visitors", "time_on_page"],
      where: ["page=/a", "page=/b"],
    });
    expectKpis(result.totals, { pageviews: 5, visitors: 4, time_on_page: 6 / 3 });
  });

  it("combines with session dimensions", async () => {
    const result = await kit.query(ws, { ...DAY, kpis: ["pageviews"], groupBy: ["page", "utm_source"] });
    expectKpis(rowWhere(result, { page: "/b", utm_source: "news" }), { pageviews: 1 }, "/b from news");
    expectKpis(rowWhere(result, { page: "/a", utm_source: "(none)" }), { pageviews: 3 }, "/a direct");
  });

  it("refuses any other KPI by page with a sentence naming the KPIs it applies to", async () => {
    for (const request of [
      { kpis: ["bounce_rate"], groupBy: ["page"] },
      { kpis: ["pageviews", "sessions"], where: ["page=/a"] },
    ]) {
      const error = await kit.query(ws, { ...DAY, ...request }).catch((e: unknown) => e);
      expect(isUserError(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /cannot be grouped or filtered by page: page applies to pageviews, visitors, time_on_page, scroll_depth only/,
      );
    }
  });
});
