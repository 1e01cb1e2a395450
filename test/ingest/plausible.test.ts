import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DESKTOP_UA,
  expectError,
  GOOGLEBOT_UA,
  kpis,
  MAC_UA,
  metrics,
  metricValue,
  startServer,
  storedEvents,
  type TestServer,
  totals,
} from "./server.js";

/** The Plausible Events API (docs/sending-events.md#plausible-events-api) over a real socket with plain fetch. */
let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    workspaces: [
      { name: "shop", domains: ["shop.example"] },
      { name: "blog", domains: ["blog.example", "www.news.example"] },
      { name: "visits", domains: ["visits.example"] },
      { name: "money", domains: ["money.example"] },
      { name: "utm", domains: ["utm.example"] },
      { name: "robots", domains: ["robots.example"] },
      { name: "engaged", domains: ["engaged.example"] },
    ],
  });
});

afterAll(async () => {
  await server?.close();
});

async function send(body: unknown, options: { userAgent?: string; contentType?: string } = {}) {
  const response = await fetch(`${server.url}/api/event`, {
    method: "POST",
    headers: {
      "content-type": options.contentType ?? "application/json",
      "user-agent": options.userAgent ?? DESKTOP_UA,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe("engagement events", () => {
  it("keeps engagement off the event KPIs and gives the page view its time and scroll depth", async () => {
    const u = "https://engaged.example/post";
    expect((await send({ n: "pageview", u, d: "engaged.example" })).status).toBe(202);
    for (const [sd, e] of [
      [30, 1500],
      [80, 2500],
    ]) {
      expect((await send({ n: "engagement", u, d: "engaged.example", sd, e })).status).toBe(202);
    }
    const result = await kpis(server, "engaged", {
      kpis: "pageviews,visitors,sessions,bounce_rate,conversions,time_on_page,scroll_depth",
    });
    expect(result.totals).toEqual({
      pageviews: 1,
      visitors: 1,
      sessions: 1,
      bounce_rate: 100,
      conversions: 0,
      time_on_page: 4,
      scroll_depth: 80,
    });
  });

  it("refuses a negative scroll depth or engaged time, naming the field, and stores nothing", async () => {
    const before = await storedEvents(server, "engaged");
    for (const [field, body] of [
      ["sd", { sd: -1, e: 10 }],
      ["e", { sd: 10, e: -5 }],
    ] as const) {
      const response = await send({
        n: "engagement",
        u: "https://engaged.example/",
        d: "engaged.example",
        ...body,
      });
      expectError({ status: response.status, body: JSON.parse(response.text) }, 400, field);
    }
    expect(await storedEvents(server, "engaged")).toBe(before);
  });
});

describe("POST /api/event", () => {
  it("answers 202 to long and short field names, as JSON and as text/plain", async () => {
    const long = {
      name: "pageview",
      url: "https://shop.example/",
      domain: "shop.example",
      referrer: null,
      props: { plan: "a" },
    };
    const short = {
      n: "pageview",
      u: "https://shop.example/pricing",
      d: "shop.example",
      r: "https://www.google.com/",
      p: { plan: "b" },
    };
    const shortRevenue = {
      n: "Order Completed",
      u: "https://shop.example/thanks",
      d: "shop.example",
      p: { order_id: "short-1" },
      $: { currency: "EUR", amount: "12.5" },
    };
    expect((await send(long)).status).toBe(202);
    expect((await send(short)).status).toBe(202);
    expect((await send(long, { contentType: "text/plain" })).status).toBe(202);
    expect((await send(JSON.stringify(short), { contentType: "text/plain;charset=UTF-8" })).status).toBe(202);
    expect((await send(shortRevenue, { contentType: "text/plain" })).status).toBe(202);
    expect(await storedEvents(server, "shop")).toBe(5);
    const shop = await totals(server, "shop");
    expect(shop).toMatchObject({ pageviews: 4, orders: 1, revenue: 12.5, conversions: 1 });
    // Property values are kept for grouping by props.NAME.
    const byPlan = await kpis(server, "shop", { kpis: "pageviews", group_by: "props.plan" });
    expect(Object.fromEntries(byPlan.rows.map((r) => [r["props.plan"], r.pageviews]))).toEqual({
      a: 2,
      b: 2,
      "(none)": 0,
    });
  });

  it("picks the workspace by domain", async () => {
    const blogBefore = await storedEvents(server, "blog");
    const shopBefore = await storedEvents(server, "shop");
    expect(
      (await send({ name: "pageview", url: "https://blog.example/post", domain: "blog.example" })).status,
    ).toBe(202);
    // A workspace's `www.` domain matches the bare host, and domains are case-insensitive.
    expect(
      (await send({ name: "pageview", url: "https://news.example/", domain: "News.Example" })).status,
    ).toBe(202);
    expect(await storedEvents(server, "blog")).toBe(blogBefore + 2);
    expect(await storedEvents(server, "shop")).toBe(shopBefore);
    expect((await totals(server, "blog")).pageviews).toBe(2);
  });

  it("counts one visitor per IP and User-Agent a day", async () => {
    const page = (path: string) => ({
      name: "pageview",
      url: `https://visits.example${path}`,
      domain: "visits.example",
    });
    expect((await send(page("/a"), { userAgent: DESKTOP_UA })).status).toBe(202);
    expect((await send(page("/b"), { userAgent: DESKTOP_UA })).status).toBe(202);
    expect((await send(page("/c"), { userAgent: DESKTOP_UA })).status).toBe(202);
    expect(await totals(server, "visits")).toMatchObject({ visitors: 1, pageviews: 3 });
    expect((await send(page("/a"), { userAgent: MAC_UA })).status).toBe(202);
    expect(await totals(server, "visits")).toMatchObject({ visitors: 2, pageviews: 4 });
  });

  it("turns revenue into an order on Order Completed with props.order_id", async () => {
    const order = (id: string, amount: number | string) => ({
      name: "Order Completed",
      url: "https://money.example/checkout/done",
      domain: "money.example",
      props: { order_id: id },
      revenue: { currency: "EUR", amount },
    });
    expect((await send(order("m-1", 42.5))).status).toBe(202);
    expect((await send(order("m-2", "7.25"))).status).toBe(202);
    // The same order sent again is one order.
    expect((await send(order("m-1", 42.5))).status).toBe(202);
    expect(await totals(server, "money")).toMatchObject({ orders: 2, revenue: 49.75 });
  });

  it("reads utm_* from the URL: campaign and channel", async () => {
    const url =
      "https://utm.example/landing?utm_source=google&utm_medium=cpc&utm_campaign=Summer_Sale&utm_content=ad1";
    expect((await send({ name: "pageview", url, domain: "utm.example" })).status).toBe(202);
    expect(
      (
        await send(
          { name: "pageview", url: "https://utm.example/", domain: "utm.example" },
          { userAgent: MAC_UA },
        )
      ).status,
    ).toBe(202);
    const byCampaign = await kpis(server, "utm", { kpis: "pageviews", group_by: "campaign" });
    expect(Object.fromEntries(byCampaign.rows.map((r) => [r.campaign, r.pageviews]))).toEqual({
      summer_sale: 1,
      "(none)": 1,
    });
    const byChannel = await kpis(server, "utm", { kpis: "pageviews", group_by: "channel" });
    expect(Object.fromEntries(byChannel.rows.map((r) => [r.channel, r.pageviews]))).toEqual({
      paid: 1,
      direct: 1,
    });
    const bySource = await kpis(server, "utm", {
      kpis: "pageviews",
      group_by: "utm_source",
      where: "utm_medium=cpc",
    });
    expect(bySource.rows).toEqual([{ utm_source: "google", pageviews: 1 }]);
  });

  it("answers 202 to a bot and stores nothing", async () => {
    const before = metricValue(await metrics(server), "sextant_events_bot_total", { route: "plausible" });
    const response = await send(
      { name: "pageview", url: "https://robots.example/", domain: "robots.example" },
      { userAgent: GOOGLEBOT_UA },
    );
    expect(response.status).toBe(202);
    expect(await storedEvents(server, "robots")).toBe(0);
    expect(await totals(server, "robots")).toMatchObject({ pageviews: 0, visitors: 0 });
    expect(
      metricValue(await metrics(server), "sextant_events_bot_total", { route: "plausible" }) - before,
    ).toBe(1);
  });

  it("answers the CORS preflight of browsers", async () => {
    const response = await fetch(`${server.url}/api/event`, {
      method: "OPTIONS",
      headers: { origin: "https://shop.example", "access-control-request-method": "POST" },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });
});
