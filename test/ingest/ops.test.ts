import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  bearer,
  DESKTOP_UA,
  expectError,
  kpis,
  metrics,
  metricValue,
  startServer,
  storedEvents,
  type TestServer,
} from "./server.js";

/** Rate limits, health, Prometheus metrics and the OpenAPI document (docs/command-line.md#over-http). */

describe("rate limiting", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      workspaces: [{ name: "one" }, { name: "two" }],
      rateLimit: 5,
      listen: false,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const query = (key: string) =>
    server.app.inject({
      method: "GET",
      url: "/api/v1/kpis?kpis=pageviews",
      headers: { authorization: bearer(key) },
    });
  const track = (key: string, i: number) =>
    server.app.inject({
      method: "POST",
      url: "/v1/track",
      headers: { authorization: basic(key), "content-type": "application/json", "user-agent": DESKTOP_UA },
      payload: JSON.stringify({ userId: `rl-${i}`, event: "Signed Up", messageId: `rl-${i}` }),
    });

  it("answers 429 after 5 requests from one key, while another key still gets through", async () => {
    for (let i = 0; i < 5; i++) expect((await query(server.ws("one").read)).statusCode).toBe(200);
    const limited = await query(server.ws("one").read);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toBeDefined();
    expect((await query(server.ws("two").read)).statusCode).toBe(200);
  });

  it("answers the 429 with the JSON error shape {error, details: [{field, reason}]}", async () => {
    const limited = await query(server.ws("one").read);
    const error = expectError(limited, 429, "authorization");
    expect(error.error).toMatch(/5/);
  });

  it("limits write keys too, and a limited request stores nothing", async () => {
    const key = server.ws("one").write;
    for (let i = 0; i < 5; i++) expect((await track(key, i)).statusCode).toBe(200);
    expect(await storedEvents(server, "one")).toBe(5);
    expect((await track(key, 99)).statusCode).toBe(429);
    expect(await storedEvents(server, "one")).toBe(5);
    expect((await track(server.ws("two").write, 100)).statusCode).toBe(200);
    expect(await storedEvents(server, "two")).toBe(1);
  });

  it("counts a write key sent in the body (writeKey) against the sending address; one in the header has its own bucket", async () => {
    const bodyOn = (target: TestServer, key: string, i: number) =>
      target.app.inject({
        method: "POST",
        url: "/v1/page",
        headers: { "content-type": "application/json", "user-agent": DESKTOP_UA },
        payload: JSON.stringify({ anonymousId: `bk-${i}`, messageId: `bk-${i}`, writeKey: key }),
      });
    const fresh = await startServer({
      workspaces: [{ name: "three" }, { name: "four" }],
      rateLimit: 5,
      listen: false,
    });
    try {
      const three = fresh.ws("three").write;
      for (let i = 0; i < 5; i++) expect((await bodyOn(fresh, three, i)).statusCode).toBe(200);
      expect((await bodyOn(fresh, three, 5)).statusCode).toBe(429);
      // The limit is checked before the body is read: another body key from the address waits too.
      expect((await bodyOn(fresh, fresh.ws("four").write, 6)).statusCode).toBe(429);
      const header = await fresh.app.inject({
        method: "POST",
        url: "/v1/page",
        headers: {
          "content-type": "application/json",
          "user-agent": DESKTOP_UA,
          authorization: basic(fresh.ws("four").write),
        },
        payload: JSON.stringify({ anonymousId: "bk-7", messageId: "bk-7" }),
      });
      expect(header.statusCode, "a key in the header has a bucket of its own").toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it("counts made-up keys against their address, while a valid key keeps its own bucket", async () => {
    const fresh = await startServer({ workspaces: [{ name: "five" }], rateLimit: 5, listen: false });
    try {
      const madeUp = (i: number) =>
        fresh.app.inject({
          method: "GET",
          url: "/api/v1/kpis?kpis=pageviews",
          headers: { authorization: bearer(`sxr_made-up-${i}`) },
        });
      for (let i = 0; i < 5; i++) expect((await madeUp(i)).statusCode, `made-up key ${i}`).toBe(401);
      const limited = await madeUp(5);
      expect(limited.statusCode, "a sixth made-up key from the same address").toBe(429);
      expect(limited.json().error).toMatch(/per address without a valid key/);
      const anonymous = await fresh.app.inject({ method: "GET", url: "/api/v1/kpis?kpis=pageviews" });
      expect(anonymous.statusCode, "no key: the same address's bucket").toBe(429);
      const valid = await fresh.app.inject({
        method: "GET",
        url: "/api/v1/kpis?kpis=pageviews",
        headers: { authorization: bearer(fresh.ws("five").read) },
      });
      expect(valid.statusCode, "a valid key from the same address").toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it("never limits /healthz and /metrics", async () => {
    for (let i = 0; i < 8; i++) {
      expect((await server.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
      expect((await server.app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(200);
    }
  });
});

describe("health, metrics and OpenAPI", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workspaces: [{ name: "ops", domains: ["ops.example"] }] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("GET /healthz needs no key", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });

  it("GET /metrics is Prometheus text with ingestion, commit and query metrics", async () => {
    const ws = server.ws("ops");
    const segment = await fetch(`${server.url}/v1/batch`, {
      method: "POST",
      headers: { authorization: basic(ws.write), "content-type": "application/json" },
      body: JSON.stringify({
        batch: [
          { type: "page", anonymousId: "o-1" },
          { type: "track", anonymousId: "o-1", event: "Signed Up" },
        ],
      }),
    });
    expect(segment.status).toBe(200);
    const plausible = await fetch(`${server.url}/api/event`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": DESKTOP_UA },
      body: JSON.stringify({ name: "pageview", url: "https://ops.example/", domain: "ops.example" }),
    });
    expect(plausible.status).toBe(202);
    const rejected = await fetch(`${server.url}/v1/track`, {
      method: "POST",
      headers: { authorization: basic(ws.write), "content-type": "application/json" },
      body: JSON.stringify({ userId: "o-1" }),
    });
    expect(rejected.status).toBe(400);
    // The same message twice: stored once, counted as de-duplicated once.
    for (let i = 0; i < 2; i++) {
      const again = await fetch(`${server.url}/v1/track`, {
        method: "POST",
        headers: { authorization: basic(ws.write), "content-type": "application/json" },
        body: JSON.stringify({ userId: "o-2", event: "Signed Up", messageId: "ops-dup-1" }),
      });
      expect(again.status).toBe(200);
    }
    await kpis(server, "ops");

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^# HELP sextant_events_accepted_total /m);
    expect(text).toMatch(/^# TYPE sextant_events_accepted_total counter$/m);
    expect(metricValue(text, "sextant_events_accepted_total", { route: "segment" })).toBe(4);
    expect(metricValue(text, "sextant_events_deduplicated_total")).toBe(1);
    expect(metricValue(text, "sextant_events_accepted_total", { route: "plausible" })).toBe(1);
    expect(text).toMatch(/^# TYPE sextant_commit_seconds histogram$/m);
    expect(metricValue(text, "sextant_commit_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, "sextant_commit_seconds_bucket", { le: "+Inf" })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^# TYPE sextant_query_seconds histogram$/m);
    expect(metricValue(text, "sextant_query_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, "sextant_events_rejected_total", { status: "400" })).toBeGreaterThanOrEqual(1);
    // Every sample line is `name{labels} value`.
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfNa]+$/);
    }
  });

  it("the bot counter is in /metrics", async () => {
    expect(await metrics(server)).toMatch(/^# TYPE sextant_events_bot_total counter$/m);
  });

  describe("GET /api/v1/openapi.json", () => {
    type Operation = {
      responses?: Record<string, unknown>;
      parameters?: { name: string; in: string; schema?: { enum?: string[] } }[];
      security?: Record<string, unknown>[];
      requestBody?: { content?: Record<string, unknown> };
    };
    type Document = {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, Operation>>;
      components?: { securitySchemes?: Record<string, unknown> };
    };
    let doc: Document;
    beforeAll(async () => {
      const response = await fetch(`${server.url}/api/v1/openapi.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/application\/json/);
      doc = (await response.json()) as Document;
    });

    const ROUTES: [string, string][] = [
      ...["track", "page", "identify", "screen", "group", "alias", "batch"].map((t): [string, string] => [
        "post",
        `/v1/${t}`,
      ]),
      ["post", "/api/event"],
      ["get", "/api/v1/kpis"],
      ["post", "/api/v1/imports"],
      ["get", "/api/v1/workspaces"],
      ["get", "/api/v1/workspaces/{name}"],
      ["get", "/api/v1/workspaces/{name}/keys"],
      ["get", "/api/v1/session"],
      ["get", "/api/v1/catalog"],
      ["get", "/healthz"],
      ["get", "/metrics"],
      ["get", "/api/v1/openapi.json"],
    ];

    it("is OpenAPI 3.1 with a title and a version", () => {
      expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
      expect(doc.info.title).toBeTruthy();
      expect(doc.info.version).toBeTruthy();
    });

    it("describes every route, and every route it describes exists", () => {
      for (const [method, path] of ROUTES) {
        const operation = doc.paths[path]?.[method];
        expect(operation, `${method} ${path}`).toBeDefined();
        expect(Object.keys(operation?.responses ?? {}).length, `${method} ${path} responses`).toBeGreaterThan(
          0,
        );
      }
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const method of Object.keys(item)) {
          const url = path.replace(/\{(\w+)\}/g, ":$1");
          expect(
            server.app.hasRoute({ method: method.toUpperCase() as "GET", url }),
            `${method} ${path} is served`,
          ).toBe(true);
        }
      }
    });

    it("documents the KPI query parameters", () => {
      const parameters = doc.paths["/api/v1/kpis"]?.get?.parameters ?? [];
      const names = parameters.map((p) => p.name);
      for (const name of ["kpis", "from", "to", "interval", "group_by", "where"])
        expect(names, name).toContain(name);
      for (const p of parameters) expect(p.in).toBe("query");
      const interval = parameters.find((p) => p.name === "interval");
      expect(JSON.stringify(interval?.schema)).toMatch(/day.*week.*month.*quarter.*year/);
    });

    it("names security schemes that exist, and request bodies for ingestion", () => {
      const schemes = Object.keys(doc.components?.securitySchemes ?? {});
      for (const item of Object.values(doc.paths)) {
        for (const operation of Object.values(item)) {
          for (const requirement of operation.security ?? []) {
            for (const name of Object.keys(requirement)) expect(schemes).toContain(name);
          }
        }
      }
      // Ingestion takes JSON; the file import takes a file (multipart or a raw CSV body).
      for (const [method, path] of ROUTES.filter(([m, p]) => m === "post" && p !== "/api/v1/imports")) {
        expect(doc.paths[path]?.[method]?.requestBody?.content?.["application/json"], path).toBeDefined();
      }
      expect(doc.paths["/api/v1/imports"]?.post?.requestBody?.content?.["multipart/form-data"]).toBeDefined();
      expect(doc.paths["/v1/track"]?.post?.security).toEqual([{ writeKeyBasic: [] }]);
      expect(doc.paths["/api/v1/kpis"]?.get?.security).toEqual([
        { readKey: [] },
        { adminKey: [] },
        { session: [] },
      ]);
    });
  });
});
