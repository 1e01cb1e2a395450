import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { generateKey } from "../../src/model/keys.js";
import {
  basic,
  bearer,
  DESKTOP_UA,
  expectError,
  startServer,
  storedEvents,
  type TestServer,
  totals,
} from "./server.js";

/**
 * docs/sending-events.md#what-happens-to-an-event: "A rejected message changes nothing and gets a 4xx JSON body
 * {"error": "...", "details": [...]} that says which field is wrong and why."
 */
let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    workspaces: [
      { name: "bad", domains: ["bad.example"] },
      { name: "other", domains: ["other.example"] },
      { name: "robust", domains: ["robust.example"] },
    ],
    listen: false,
  });
});

afterAll(async () => {
  await server?.close();
});

type Payload = string | object | null;

async function segment(route: string, body: Payload, headers: Record<string, string> = {}) {
  return server.app.inject({
    method: "POST",
    url: `/v1/${route}`,
    headers: {
      authorization: basic(server.ws("bad").write),
      "content-type": "application/json",
      "user-agent": DESKTOP_UA,
      ...headers,
    },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function plausible(body: Payload, headers: Record<string, string> = {}) {
  return server.app.inject({
    method: "POST",
    url: "/api/event",
    headers: { "content-type": "application/json", "user-agent": DESKTOP_UA, ...headers },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const ok = { userId: "u-1", event: "Signed Up" };
const pageview = { name: "pageview", url: "https://bad.example/", domain: "bad.example" };

describe("rejected requests store nothing", () => {
  // Compared with the state before each test, so that one accepted request fails its own test only.
  let before: { events: number; kpis: Record<string, number | null> };
  beforeEach(async () => {
    before = { events: await storedEvents(server, "bad"), kpis: await totals(server, "bad") };
  });
  afterEach(async () => {
    expect(await storedEvents(server, "bad"), "a rejected request changes nothing").toBe(before.events);
    expect(await totals(server, "bad"), "the KPIs are unchanged").toEqual(before.kpis);
  });

  describe("Segment bodies", () => {
    it("malformed JSON (application/json) names the body", async () => {
      expectError(await segment("track", '{"userId": "u-1", "event": '), 400, "body");
    });

    it("malformed JSON (text/plain) names the body", async () => {
      expectError(await segment("track", "{not json", { "content-type": "text/plain" }), 400, "body");
    });

    it("an empty JSON body names the body", async () => {
      expectError(await segment("track", ""), 400, "body");
    });

    it("a content type that is not JSON names the content type", async () => {
      expectError(
        await segment("track", JSON.stringify(ok), { "content-type": "application/xml" }),
        415,
        /content-type/i,
      );
      expectError(
        await plausible(JSON.stringify(pageview), { "content-type": "application/x-www-form-urlencoded" }),
        415,
        /content-type/i,
      );
    });

    it("a JSON body with __proto__ names the body", async () => {
      expectError(
        await segment("track", '{"userId": "u-1", "event": "e", "__proto__": {"admin": true}}'),
        400,
        "body",
      );
    });

    it("a wrong method or path answers the JSON error shape", async () => {
      const get = await server.app.inject({
        method: "GET",
        url: "/v1/track",
        headers: { authorization: basic(server.ws("bad").write) },
      });
      expectError(get, 404);
      const typo = await segment("trak", ok);
      expectError(typo, 404);
    });

    it("a body that is not an object names the body", async () => {
      for (const body of ["[1,2]", '"text"', "42", "null", "true"]) {
        expectError(await segment("track", body), 400, "body");
      }
      expectError(await segment("batch", "[]"), 400, "body");
    });

    it("track without event", async () => {
      expectError(await segment("track", { userId: "u-1", properties: {} }), 400, "event");
      expectError(await segment("track", { userId: "u-1", event: "   " }), 400, "event");
    });

    it("a message with neither userId nor anonymousId", async () => {
      for (const route of ["track", "page", "identify", "screen"]) {
        expectError(await segment(route, { event: "Signed Up" }), 400, /^(userId|anonymousId)$/);
      }
      expectError(await segment("group", { groupId: "g" }), 400, /^(userId|anonymousId)$/);
      expectError(await segment("alias", { previousId: "a" }), 400, "userId");
      expectError(await segment("alias", { userId: "u" }), 400, "previousId");
      expectError(await segment("group", { userId: "u" }), 400, "groupId");
    });

    it("wrong types", async () => {
      expectError(await segment("track", { userId: "u-1", event: 5 }), 400, "event");
      expectError(await segment("track", { ...ok, properties: "x" }), 400, "properties");
      expectError(await segment("track", { ...ok, properties: [1, 2] }), 400, "properties");
      expectError(await segment("track", { ...ok, userId: { id: 1 } }), 400, "userId");
      expectError(await segment("track", { ...ok, context: "mobile" }), 400, "context");
      expectError(await segment("track", { ...ok, messageId: 12 }), 400, "messageId");
      expectError(await segment("identify", { userId: "u-1", traits: "vip" }), 400, "traits");
    });

    it('revenue "abc"', async () => {
      const order = (properties: object) => ({
        userId: "u-1",
        event: "Order Completed",
        properties: { order_id: "o-1", ...properties },
      });
      expectError(await segment("track", order({ revenue: "abc" })), 400, "properties.revenue");
      expectError(await segment("track", order({ total: "abc" })), 400, "properties.total");
      expectError(await segment("track", order({ revenue: { amount: 5 } })), 400, "properties.revenue");
      expectError(
        await segment("batch", { batch: [{ type: "track", ...order({ revenue: "abc" }) }] }),
        400,
        "batch.0.properties.revenue",
      );
    });

    it('revenue that JavaScript reads as a number but is not a decimal ("0x10", "0b11")', async () => {
      // Found by this suite: these passed validation and failed in SQL typing with a 500.
      const order = (revenue: string) => ({
        userId: "u-1",
        event: "Order Completed",
        properties: { order_id: "o-1", revenue },
      });
      expectError(await segment("track", order("0x10")), 400, "properties.revenue");
      expectError(await segment("track", order("0b11")), 400, "properties.revenue");
    });

    it('timestamp "yesterday" and other non-ISO 8601 strings', async () => {
      expectError(await segment("track", { ...ok, timestamp: "yesterday" }), 400, "timestamp");
      expectError(await segment("track", { ...ok, timestamp: 1_700_000_000 }), 400, "timestamp");
      expectError(
        await segment("track", { ...ok, originalTimestamp: "soon", sentAt: new Date().toISOString() }),
        400,
        "originalTimestamp",
      );
      expectError(await segment("track", { ...ok, sentAt: "later" }), 400, "sentAt");
    });

    it('timestamp "12" or "March 7" is not ISO 8601 (Date.parse would read them as 2001)', async () => {
      expectError(await segment("track", { ...ok, timestamp: "12" }), 400, "timestamp");
      expectError(await segment("track", { ...ok, timestamp: "March 7" }), 400, "timestamp");
    });

    it("a timestamp in 1970 or three days ahead", async () => {
      expectError(await segment("track", { ...ok, timestamp: "1970-01-02T00:00:00Z" }), 400, "timestamp");
      const ahead = new Date(Date.now() + 3 * 86_400_000).toISOString();
      expectError(await segment("track", { ...ok, timestamp: ahead }), 400, "timestamp");
      expectError(
        await segment("batch", { batch: [{ type: "track", ...ok, timestamp: ahead }] }),
        400,
        /^batch\.0\.timestamp$/,
      );
      // originalTimestamp corrected by sentAt still has to land on a plausible time.
      const now = Date.now();
      const skewed = {
        ...ok,
        originalTimestamp: new Date(now - 60 * 365 * 86_400_000).toISOString(),
        sentAt: new Date(now).toISOString(),
      };
      expectError(await segment("track", skewed), 400, /timestamp/i);
    });

    it("a 40 KB message: 413 naming the 32 KB limit", async () => {
      const big = { ...ok, properties: { blob: "x".repeat(40 * 1024) } };
      const error = expectError(await segment("track", big), 413, /^(body|properties)?/);
      expect(error.error).toMatch(/32 KB/);
    });

    it("a message just over 32 KB (under the transport limit): 413 naming the 32 KB limit", async () => {
      const over = { ...ok, properties: { blob: "x".repeat(32 * 1024 + 10) } };
      expect(expectError(await segment("track", over), 413).error).toMatch(/32 KB/);
    });

    it("a message over 32 KB inside a batch: 413 naming the message", async () => {
      const big = { type: "track", ...ok, properties: { blob: "x".repeat(33 * 1024) } };
      const error = expectError(
        await segment("batch", { batch: [{ type: "track", ...ok }, big] }),
        413,
        /^batch\.1/,
      );
      expect(error.error).toMatch(/32 KB/);
    });

    it("a 600 KB batch: 413 naming the 500 KB limit", async () => {
      const message = (i: number) => ({
        type: "track",
        userId: `u-${i}`,
        event: "Signed Up",
        properties: { blob: "y".repeat(20 * 1024) },
      });
      const body = { batch: Array.from({ length: 30 }, (_, i) => message(i)) };
      expect(JSON.stringify(body).length).toBeGreaterThan(600 * 1024);
      const error = expectError(await segment("batch", body), 413, "body");
      expect(error.error).toMatch(/500 KB/);
    });

    it("a batch with one bad message among good ones: 400 and none of the batch stored", async () => {
      const batch = [
        { type: "page", anonymousId: "a-1", properties: { url: "https://bad.example/" } },
        {
          type: "track",
          userId: "u-1",
          event: "Order Completed",
          properties: { order_id: "o-9", revenue: 10 },
        },
        { type: "track", userId: "u-2", properties: {} },
        { type: "page", anonymousId: "a-3" },
      ];
      expectError(await segment("batch", { batch }), 400, "batch.2.event");
      const late = [
        ...batch.slice(0, 2),
        { type: "track", userId: "u-3", event: "Signed Up", timestamp: "1969-07-20T20:17:00Z" },
      ];
      expectError(await segment("batch", { batch: late }), 400, "batch.2.timestamp");
    });

    it("an unknown or missing message type in a batch", async () => {
      const good = { type: "page", anonymousId: "a-1" };
      expectError(
        await segment("batch", { batch: [good, { type: "purchase", userId: "u-1" }] }),
        400,
        "batch.1.type",
      );
      expectError(
        await segment("batch", { batch: [good, { userId: "u-1", event: "Signed Up" }] }),
        400,
        "batch.1.type",
      );
      expectError(await segment("batch", { batch: [good, "track"] }), 400, /^batch\.1/);
    });

    it("a batch that is empty or not a list", async () => {
      expectError(await segment("batch", { batch: [] }), 400, "batch");
      expectError(await segment("batch", { batch: { type: "page" } }), 400, "batch");
      expectError(await segment("batch", {}), 400, "batch");
    });
  });

  describe("Plausible bodies", () => {
    it("a name over 120 characters", async () => {
      expectError(await plausible({ ...pageview, name: "n".repeat(121) }), 400, "name");
    });

    it("a url or referrer over 2000 bytes (counted in bytes, not characters)", async () => {
      expectError(
        await plausible({ ...pageview, url: `https://bad.example/${"a".repeat(2000)}` }),
        400,
        "url",
      );
      // 700 characters, 2100 bytes.
      expectError(
        await plausible({ ...pageview, url: `https://bad.example/${"€".repeat(700)}` }),
        400,
        "url",
      );
      expectError(
        await plausible({ ...pageview, referrer: `https://ref.example/${"b".repeat(2000)}` }),
        400,
        "referrer",
      );
    });

    it("a data: url", async () => {
      expectError(
        await plausible({ ...pageview, url: "data:text/html,<script>alert(1)</script>" }),
        400,
        "url",
      );
      expectError(await plausible({ ...pageview, u: " DATA:text/plain,hi", url: undefined }), 400, "url");
    });

    it("31 props", async () => {
      const props = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`p${i}`, "v"]));
      expectError(await plausible({ ...pageview, props }), 400, "props");
      expectError(await plausible({ ...pageview, props: JSON.stringify(props) }), 400, "props");
      expectError(await plausible({ ...pageview, props: { nested: { a: 1 } } }), 400, /^props/);
    });

    it("an unknown domain", async () => {
      expectError(await plausible({ ...pageview, domain: "nobody.example" }), 400, "domain");
    });

    it("a missing url, name or domain", async () => {
      expectError(await plausible({ name: "pageview", domain: "bad.example" }), 400, "url");
      expectError(await plausible({ url: "https://bad.example/", domain: "bad.example" }), 400, "name");
      expectError(await plausible({ name: "pageview", url: "https://bad.example/" }), 400, "domain");
    });

    it("bad revenue", async () => {
      const order = { ...pageview, name: "Order Completed", props: { order_id: "o-1" } };
      expectError(
        await plausible({ ...order, revenue: { currency: "EUR", amount: "abc" } }),
        400,
        "revenue.amount",
      );
      expectError(
        await plausible({ ...order, revenue: { currency: "euros", amount: 5 } }),
        400,
        "revenue.currency",
      );
      expectError(await plausible({ ...order, revenue: 5 }), 400, "revenue");
    });

    it("malformed JSON and non-object bodies", async () => {
      expectError(await plausible("{oops", { "content-type": "text/plain" }), 400, "body");
      expectError(await plausible("{oops"), 400, "body");
      expectError(await plausible("[]"), 400, "body");
    });
  });

  describe("keys", () => {
    const track = (headers: Record<string, string>, body: object = ok) =>
      server.app.inject({
        method: "POST",
        url: "/v1/track",
        headers: { "content-type": "application/json", ...headers },
        payload: JSON.stringify(body),
      });
    const query = (headers: Record<string, string>) =>
      server.app.inject({ method: "GET", url: "/api/v1/kpis", headers });

    it("no key: 401", async () => {
      expectError(await track({}), 401, "authorization");
      expectError(await track({ authorization: basic("") }), 401, "authorization");
      expectError(await query({}), 401, "authorization");
    });

    it("an unknown key: 401", async () => {
      expectError(await track({ authorization: basic("sxw_not-a-key") }), 401, "authorization");
      expectError(await track({}, { ...ok, writeKey: "sxw_not-a-key" }), 401, "authorization");
      expectError(await query({ authorization: bearer("sxr_not-a-key") }), 401, "authorization");
    });

    it("a revoked key: 401", async () => {
      const write = generateKey("write");
      const read = generateKey("read");
      await server.store.saveKey({ id: write.id, workspace: "bad", kind: "write", hash: write.hash });
      await server.store.saveKey({ id: read.id, workspace: "bad", kind: "read", hash: read.hash });
      expect(await server.store.revokeKey(write.id)).toBe(true);
      expect(await server.store.revokeKey(read.id)).toBe(true);
      expectError(await track({ authorization: basic(write.secret) }), 401, "authorization");
      expectError(await query({ authorization: bearer(read.secret) }), 401, "authorization");
    });

    it("a key revoked while in use stops working within the 5 s cache", async () => {
      const write = generateKey("write");
      await server.store.saveKey({ id: write.id, workspace: "other", kind: "write", hash: write.hash });
      const page = { anonymousId: "rv-1" };
      const first = await server.app.inject({
        method: "POST",
        url: "/v1/page",
        headers: {
          authorization: basic(write.secret),
          "content-type": "application/json",
          "user-agent": DESKTOP_UA,
        },
        payload: JSON.stringify(page),
      });
      expect(first.statusCode).toBe(200);
      await server.store.revokeKey(write.id);
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 6_000 });
      try {
        expectError(await track({ authorization: basic(write.secret) }), 401, "authorization");
      } finally {
        vi.useRealTimers();
      }
    });

    it("a read key on a write route and a write key on a read route: 403", async () => {
      const ws = server.ws("bad");
      expectError(await track({ authorization: basic(ws.read) }), 403, "authorization");
      expectError(await track({}, { ...ok, writeKey: ws.read }), 403, "authorization");
      expectError(await query({ authorization: bearer(ws.write) }), 403, "authorization");
      expectError(await query({ authorization: basic(ws.write) }), 403, "authorization");
    });
  });
});

describe("inputs that must not crash the server", () => {
  const robust = () => server.ws("robust");
  const post = (url: string, body: object, headers: Record<string, string> = {}) =>
    server.app.inject({
      method: "POST",
      url,
      headers: {
        authorization: basic(robust().write),
        "content-type": "application/json",
        "user-agent": DESKTOP_UA,
        ...headers,
      },
      payload: JSON.stringify(body),
    });

  it("identify with a non-numeric traits.revenue (traits are not an order)", async () => {
    const before = await storedEvents(server, "robust");
    const response = await post("/v1/identify", { userId: "r-1", traits: { revenue: "abc", plan: "pro" } });
    expect(response.statusCode, response.body).toBeLessThan(500);
    if (response.statusCode === 200) {
      expect(await storedEvents(server, "robust")).toBe(before + 1);
      expect((await totals(server, "robust")).revenue).toBe(0);
    } else {
      expectError(response, 400, "traits.revenue");
      expect(await storedEvents(server, "robust")).toBe(before);
    }
  });

  it("a Plausible URL with a broken percent-encoding in utm_campaign", async () => {
    for (const url of [
      "https://robust.example/?utm_campaign=%ff",
      "https://robust.example/?utm_source=%E0%A4%A&utm_medium=cpc",
    ]) {
      const before = await storedEvents(server, "robust");
      const response = await post("/api/event", { name: "pageview", url, domain: "robust.example" });
      expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(500);
      if (response.statusCode === 202) expect(await storedEvents(server, "robust")).toBe(before + 1);
      else expectError(response, 400, "url");
    }
  });

  it("a Segment page whose context.page.url has a broken percent-encoding", async () => {
    const response = await post("/v1/page", {
      anonymousId: "r-2",
      context: { page: { url: "https://robust.example/?utm_campaign=%ff" } },
    });
    expect(response.statusCode, response.body).toBeLessThan(500);
    if (response.statusCode !== 200) expectError(response, 400, /^context\.page\.url$/);
  });

  it("lone surrogates in property names and values (JSON's \\ud800) are stored as U+FFFD", async () => {
    // JSON.stringify writes them back as escapes that stores reject as JSON: this was a 500.
    const before = await storedEvents(server, "robust");
    const segment = await post("/v1/track", {
      userId: "r-3",
      event: "Surrogates",
      properties: { k: "a\ud800b", "\udc00key": 1, nested: { v: "\\ud800 stays text" } },
    });
    expect(segment.statusCode, segment.body).toBe(200);
    const event = await post("/api/event", {
      name: "pageview",
      url: "https://robust.example/s",
      domain: "robust.example",
      props: { k: "x\udbffy" },
    });
    expect(event.statusCode, event.body).toBe(202);
    expect(await storedEvents(server, "robust")).toBe(before + 2);
  });

  it("one bad request does not make concurrent good requests fail (group commit)", async () => {
    const before = await storedEvents(server, "robust");
    const good = (i: number) => post("/v1/track", { userId: `g-${i}`, event: "Signed Up" });
    const responses = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => good(i)),
      post("/v1/track", {
        userId: "r-3",
        event: "Order Completed",
        properties: { order_id: "x", revenue: "0x10" },
      }),
      post("/api/event", {
        name: "pageview",
        url: "https://robust.example/?utm_campaign=%ff",
        domain: "robust.example",
      }),
      ...Array.from({ length: 5 }, (_, i) => good(i + 5)),
    ]);
    const goodStatuses = [...responses.slice(0, 5), ...responses.slice(7)].map((r) => r.statusCode);
    expect(goodStatuses).toEqual(Array(10).fill(200));
    for (const response of responses) expect(response.statusCode, response.body).toBeLessThan(500);
    expect(await storedEvents(server, "robust")).toBeGreaterThanOrEqual(before + 10);
  });
});
