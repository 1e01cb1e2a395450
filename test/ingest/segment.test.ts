import { Analytics } from "@segment/analytics-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  DESKTOP_UA,
  day,
  GOOGLEBOT_UA,
  IPHONE_UA,
  kpis,
  metrics,
  metricValue,
  startServer,
  storedEvents,
  type TestServer,
  totals,
} from "./server.js";

/** The Segment Tracking API (docs/sending-events.md#segment) with a real client and with raw HTTP. */
let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    workspaces: [
      { name: "client" },
      { name: "raw-basic" },
      { name: "raw-body" },
      { name: "context" },
      { name: "dedup" },
      { name: "skew" },
      { name: "device" },
      { name: "bots" },
      { name: "short" },
      { name: "search" },
    ],
  });
});

afterAll(async () => {
  await server?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe("@segment/analytics-node pointed at Sextant", () => {
  it("delivers page, track, identify, screen, group and alias calls, and the KPIs show them", async () => {
    const ws = server.ws("client");
    const analytics = new Analytics({
      writeKey: ws.write,
      host: server.url,
      path: "/v1/batch",
      flushAt: 20,
      flushInterval: 50,
      maxRetries: 1,
    });
    const statuses: number[] = [];
    const errors: unknown[] = [];
    analytics.on("http_response", (response) => statuses.push(response.status));
    analytics.on("error", (error) => errors.push(error));

    const userId = "user-1";
    analytics.identify({ userId, anonymousId: "anon-1", traits: { email: "a@example.com", plan: "pro" } });
    analytics.page({ userId, name: "Home", properties: { url: "https://shop.example/", path: "/" } });
    analytics.page({
      userId,
      name: "Pricing",
      properties: { url: "https://shop.example/pricing", path: "/pricing" },
    });
    analytics.track({ userId, event: "Product Viewed", properties: { product_id: "p-1" } });
    analytics.track({ userId, event: "Signed Up", properties: { plan: "pro" } });
    analytics.track({
      userId,
      event: "Order Completed",
      properties: { order_id: "order-1", revenue: 99.5, currency: "EUR" },
    });
    analytics.screen({ userId, name: "Dashboard" });
    analytics.group({ userId, groupId: "company-1", traits: { name: "ACME" } });
    analytics.alias({ userId, previousId: "anon-1" });
    await analytics.closeAndFlush({ timeout: 10_000 });

    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await storedEvents(server, "client")).toBe(9);
    expect(await totals(server, "client")).toEqual({
      pageviews: 2,
      conversions: 2,
      orders: 1,
      revenue: 99.5,
      visitors: 1,
    });
  });
});

describe("raw HTTP to every Segment route", () => {
  const messages = (prefix: string) => ({
    track: { userId: `${prefix}-u1`, event: "Signed Up", properties: { plan: "free" } },
    page: { userId: `${prefix}-u1`, name: "Home", properties: { url: "https://site.example/" } },
    identify: { userId: `${prefix}-u1`, anonymousId: `${prefix}-a1`, traits: { email: "x@example.com" } },
    screen: { userId: `${prefix}-u1`, name: "Settings" },
    group: { userId: `${prefix}-u1`, groupId: "g-1" },
    alias: { userId: `${prefix}-u1`, previousId: `${prefix}-a1` },
  });
  const batch = (prefix: string) => ({
    batch: [
      { type: "page", anonymousId: `${prefix}-a2`, properties: { url: "https://site.example/blog" } },
      {
        type: "track",
        anonymousId: `${prefix}-a2`,
        event: "Order Completed",
        properties: { order_id: `${prefix}-o1`, revenue: "20.5", currency: "EUR" },
      },
    ],
  });
  const expected = { pageviews: 2, conversions: 2, orders: 1, revenue: 20.5, visitors: 2 };

  it("accepts the write key as the HTTP Basic user name", async () => {
    const ws = server.ws("raw-basic");
    for (const [route, body] of [...Object.entries(messages("basic")), ["batch", batch("basic")] as const]) {
      const response = await post(`/v1/${route}`, body, { authorization: basic(ws.write) });
      expect(response, route).toEqual({ status: 200, body: { success: true } });
    }
    expect(await storedEvents(server, "raw-basic")).toBe(8);
    expect(await totals(server, "raw-basic")).toEqual(expected);
  });

  it("accepts the write key as writeKey in the body", async () => {
    const ws = server.ws("raw-body");
    for (const [route, body] of [...Object.entries(messages("body")), ["batch", batch("body")] as const]) {
      const response = await post(`/v1/${route}`, { ...body, writeKey: ws.write });
      expect(response, route).toEqual({ status: 200, body: { success: true } });
    }
    expect(await storedEvents(server, "raw-body")).toBe(8);
    expect(await totals(server, "raw-body")).toEqual(expected);
  });
  it("answers the browser library's short routes /v1/t, /p, /i, /s, /g, /a and /v1/b, as text/plain with writeKey in the body", async () => {
    const ws = server.ws("short");
    const short: Record<string, string> = {
      track: "t",
      page: "p",
      identify: "i",
      screen: "s",
      group: "g",
      alias: "a",
      batch: "b",
    };
    for (const [route, body] of [...Object.entries(messages("short")), ["batch", batch("short")] as const]) {
      const response = await fetch(`${server.url}/v1/${short[route]}`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: "https://site.example" },
        body: JSON.stringify({ ...body, writeKey: ws.write }),
      });
      expect(response.status, route).toBe(200);
      expect(response.headers.get("access-control-allow-origin"), route).toBe("*");
      expect(await response.json()).toEqual({ success: true });
    }
    expect(await storedEvents(server, "short")).toBe(8);
    expect(await totals(server, "short")).toEqual(expected);
  });
});

describe("campaign from context.page.search", () => {
  it("reads utm_* from context.page.search when context.campaign is absent", async () => {
    const ws = server.ws("search");
    const response = await post("/v1/p", {
      anonymousId: "a-1",
      writeKey: ws.write,
      context: {
        page: {
          url: "https://site.example/",
          search: "?utm_source=Mail&utm_medium=email&utm_campaign=Fall%20Sale",
        },
      },
    });
    expect(response.status).toBe(200);
    const result = await kpis(server, "search", {
      kpis: "pageviews",
      group_by: "campaign,channel,utm_source",
    });
    expect(result.rows).toEqual([
      { campaign: "fall sale", channel: "email", utm_source: "Mail", pageviews: 1 },
    ]);
  });
});

describe("CORS on the ingestion routes", () => {
  const preflight = (path: string) =>
    fetch(`${server.url}${path}`, {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, authorization, x-retry-count",
      },
    });

  it("answers a preflight from any origin on every ingestion route", async () => {
    for (const path of ["/v1/t", "/v1/b", "/v1/track", "/v1/batch", "/v1/identify", "/api/event"]) {
      const response = await preflight(path);
      expect(response.status, path).toBe(204);
      expect(response.headers.get("access-control-allow-origin"), path).toBe("*");
      expect(response.headers.get("access-control-allow-methods"), path).toContain("POST");
      expect(String(response.headers.get("access-control-allow-headers")).toLowerCase(), path).toContain(
        "authorization",
      );
    }
  });

  it("sends CORS headers with errors too, so the browser can read them", async () => {
    const response = await fetch(`${server.url}/v1/t`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "https://shop.example" },
      body: JSON.stringify({ event: "x", userId: "u", writeKey: "not-a-key" }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("keeps the read API same-origin: no CORS on /api/v1/kpis, nor on its preflight", async () => {
    const response = await preflight("/api/v1/kpis");
    expect(response.status).toBe(404);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const get = await fetch(`${server.url}/api/v1/kpis`, {
      headers: { origin: "https://shop.example", authorization: `Bearer ${server.ws("short").read}` },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("Segment conventions", () => {
  it("lets every message of a batch inherit the batch context (campaign)", async () => {
    const ws = server.ws("context");
    const response = await post(
      "/v1/batch",
      {
        context: { campaign: { name: "Spring_Sale", source: "google", medium: "cpc" } },
        batch: [
          { type: "page", anonymousId: "c1", properties: { url: "https://site.example/a" } },
          { type: "page", anonymousId: "c2", properties: { url: "https://site.example/b" } },
          // Its own context adds the User-Agent and keeps the batch's campaign.
          {
            type: "page",
            anonymousId: "c3",
            properties: { url: "https://site.example/c" },
            context: { userAgent: DESKTOP_UA },
          },
          // Its own campaign wins over the batch's.
          {
            type: "page",
            anonymousId: "c4",
            properties: { url: "https://site.example/d" },
            context: { campaign: { name: "Newsletter", medium: "email" } },
          },
        ],
      },
      { authorization: basic(ws.write) },
    );
    expect(response.status).toBe(200);
    const byCampaign = await kpis(server, "context", { group_by: "campaign", kpis: "pageviews" });
    const pageviews = Object.fromEntries(byCampaign.rows.map((r) => [r.campaign, r.pageviews]));
    expect(pageviews).toEqual({ spring_sale: 3, newsletter: 1 });
    const byChannel = await kpis(server, "context", { group_by: "channel", kpis: "pageviews" });
    expect(Object.fromEntries(byChannel.rows.map((r) => [r.channel, r.pageviews]))).toEqual({
      paid: 3,
      email: 1,
    });
  });

  it("stores a messageId sent twice only once (in one request and across requests)", async () => {
    const ws = server.ws("dedup");
    const auth = { authorization: basic(ws.write) };
    const page = {
      type: "page",
      anonymousId: "d1",
      messageId: "msg-dup-1",
      properties: { url: "https://site.example/" },
    };
    expect((await post("/v1/batch", { batch: [page, page] }, auth)).status).toBe(200);
    expect((await post("/v1/page", page, auth)).status).toBe(200);
    expect((await post("/v1/batch", { batch: [page] }, auth)).status).toBe(200);
    const order = {
      anonymousId: "d1",
      messageId: "msg-dup-2",
      event: "Order Completed",
      properties: { order_id: "dup-order", revenue: 10 },
    };
    expect((await post("/v1/track", order, auth)).status).toBe(200);
    expect((await post("/v1/track", order, auth)).status).toBe(200);
    expect(await storedEvents(server, "dedup")).toBe(2);
    expect(await totals(server, "dedup")).toEqual({
      pageviews: 1,
      conversions: 1,
      orders: 1,
      revenue: 10,
      visitors: 1,
    });
  });

  it("corrects originalTimestamp with sentAt (client clock skew), in single messages and batches", async () => {
    const ws = server.ws("skew");
    const auth = { authorization: basic(ws.write) };
    const skewMs = 5 * 86_400_000; // the device's clock is five days late
    const ageMs = 60_000; // the event happened a minute before it was sent
    const before = Date.now();
    const deviceNow = new Date(before - skewMs);
    const message = {
      anonymousId: "s1",
      properties: { url: "https://site.example/skew" },
      originalTimestamp: new Date(deviceNow.getTime() - ageMs).toISOString(),
      sentAt: deviceNow.toISOString(),
    };
    expect((await post("/v1/page", message, auth)).status).toBe(200);
    const { sentAt, ...inBatch } = message;
    expect(
      (await post("/v1/batch", { sentAt, batch: [{ ...inBatch, type: "page", anonymousId: "s2" }] }, auth))
        .status,
    ).toBe(200);
    const after = Date.now();

    const result = await kpis(server, "skew", {
      kpis: "pageviews",
      interval: "day",
      from: day(before - skewMs - 86_400_000),
      to: day(after),
    });
    const byDay = Object.fromEntries(result.rows.map((r) => [r.period, r.pageviews]));
    expect(byDay[day(before - skewMs - ageMs)], "nothing on the device's (wrong) day").toBe(0);
    const corrected = new Set([day(before - ageMs), day(after - ageMs)]);
    const landed = result.rows.filter((r) => Number(r.pageviews) > 0);
    expect(landed.map((r) => r.pageviews).reduce((a, b) => Number(a) + Number(b), 0)).toBe(2);
    for (const row of landed) expect(corrected.has(String(row.period)), JSON.stringify(row)).toBe(true);
  });

  it("reads the device from context.userAgent", async () => {
    const ws = server.ws("device");
    const auth = { authorization: basic(ws.write) };
    expect(
      (await post("/v1/page", { anonymousId: "m1", context: { userAgent: IPHONE_UA } }, auth)).status,
    ).toBe(200);
    expect(
      (await post("/v1/page", { anonymousId: "m2", context: { userAgent: DESKTOP_UA } }, auth)).status,
    ).toBe(200);
    const result = await kpis(server, "device", { group_by: "device", kpis: "pageviews,visitors" });
    const byDevice = Object.fromEntries(result.rows.map((r) => [r.device, r.pageviews]));
    expect(byDevice).toEqual({ mobile: 1, desktop: 1 });
  });

  it("drops a bot User-Agent in context.userAgent and counts it in /metrics", async () => {
    const ws = server.ws("bots");
    const auth = { authorization: basic(ws.write) };
    const botsBefore = metricValue(await metrics(server), "sextant_events_bot_total", { route: "segment" });
    const single = await post("/v1/page", { anonymousId: "b1", context: { userAgent: GOOGLEBOT_UA } }, auth);
    expect(single.status).toBe(200);
    const batch = await post(
      "/v1/batch",
      {
        batch: [
          { type: "page", anonymousId: "b2", context: { userAgent: GOOGLEBOT_UA } },
          { type: "page", anonymousId: "h1", context: { userAgent: DESKTOP_UA } },
        ],
      },
      auth,
    );
    expect(batch.status).toBe(200);
    const botsAfter = metricValue(await metrics(server), "sextant_events_bot_total", { route: "segment" });
    expect(botsAfter - botsBefore).toBe(2);
    expect(await storedEvents(server, "bots")).toBe(1);
    expect((await totals(server, "bots")).pageviews).toBe(1);
  });
});
