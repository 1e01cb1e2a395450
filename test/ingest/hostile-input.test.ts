import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KPI_CATALOG } from "../../src/kpi/catalog.js";
import { AMOUNT_LIMIT, MAX_NESTING_DEPTH } from "../../src/model/limits.js";
import {
  basic,
  bearer,
  DESKTOP_UA,
  expectError,
  startServer,
  storedEvents,
  type TestServer,
} from "./server.js";

/**
 * What a hostile client sends with the public write key: amounts the store cannot add up, JSON
 * nested thousands of levels deep, bodies over the limits. Each is refused with a 4xx naming its
 * problem, and nothing an accepted request stores can make a KPI query fail (docs/sending-events.md).
 */
let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    workspaces: [
      { name: "hostile", domains: ["hostile.example"] },
      { name: "extreme", domains: ["extreme.example"] },
    ],
    listen: false,
  });
});

afterAll(async () => {
  await server?.close();
});

function segment(route: string, body: unknown, workspace = "hostile", contentType = "application/json") {
  return server.app.inject({
    method: "POST",
    url: `/v1/${route}`,
    headers: {
      authorization: basic(server.ws(workspace).write),
      "content-type": contentType,
      "user-agent": DESKTOP_UA,
    },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function plausible(body: unknown, contentType = "application/json") {
  return server.app.inject({
    method: "POST",
    url: "/api/event",
    headers: { "content-type": contentType, "user-agent": DESKTOP_UA },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function importCsv(kind: string, csv: string, workspace = "hostile", filename = "upload.csv") {
  return server.app.inject({
    method: "POST",
    url: `/api/v1/imports?kind=${kind}&filename=${filename}`,
    headers: { authorization: bearer(server.ws(workspace).admin), "content-type": "text/csv" },
    payload: csv,
  });
}

/** `levels` arrays inside one another as JSON text, around `inner`. */
function nestedArrays(levels: number, inner = "1"): string {
  return `${"[".repeat(levels)}${inner}${"]".repeat(levels)}`;
}

/** `levels` objects inside one another as JSON text: {"a":{"a":…}}. */
function nestedObjects(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
}

const order = (revenue: unknown) => ({
  userId: "u-1",
  event: "Order Completed",
  properties: { order_id: "o-1", revenue },
});

describe("amounts outside what the store adds up are refused, naming the field and the range", () => {
  it.each([
    ["1e308", 1e308],
    ["-1e308", -1e308],
    ["the limit itself", AMOUNT_LIMIT],
    ["1e29 (what DECIMAL(38, 9) just cannot hold)", 1e29],
    ["a string of 400 digits", "9".repeat(400)],
    ['"1e400" (Infinity once read)', "1e400"],
    ['"-1e16"', "-1e16"],
  ])("Segment properties.revenue %s", async (_name, revenue) => {
    const before = await storedEvents(server, "hostile");
    const error = expectError(await segment("track", order(revenue)), 400, "properties.revenue");
    expect(error.error).toMatch(/between -1e15 and 1e15/);
    expect(await storedEvents(server, "hostile")).toBe(before);
  });

  it("Segment properties.total and batch messages", async () => {
    const total = { userId: "u-1", event: "Order Completed", properties: { total: 1e300 } };
    expectError(await segment("track", total), 400, "properties.total");
    const batch = {
      batch: [
        { type: "track", ...order(5) },
        { type: "track", ...order(1e30) },
      ],
    };
    expectError(await segment("batch", batch), 400, "batch.1.properties.revenue");
  });

  it.each([
    ["1e308", 1e308],
    ["a string of 300 digits", "1".repeat(300)],
    ["a string of 16 digits", "1000000000000000"],
  ])("Plausible revenue.amount %s", async (_name, amount) => {
    const body = {
      n: "Purchase",
      u: "https://hostile.example/",
      d: "hostile.example",
      $: { currency: "EUR", amount },
    };
    const error = expectError(await plausible(body), 400, "revenue.amount");
    expect(error.error).toMatch(/between -1e15 and 1e15/);
  });

  it.each([
    ["orders", "timestamp,order_id,customer_id,revenue\n2026-01-01T10:00:00Z,o-1,c-1,1e308\n", "revenue"],
    [
      "orders",
      `timestamp,order_id,customer_id,revenue\n2026-01-01T10:00:00Z,o-1,c-1,${"9".repeat(40)}\n`,
      "revenue",
    ],
    ["costs", "date,campaign,spend\n2026-01-01,spring,1e16\n", "spend"],
    ["costs", "date,campaign,spend,impressions\n2026-01-01,spring,5,1e300\n", "impressions"],
    ["email", "date,campaign,sent\n2026-01-01,news,1e20\n", "sent"],
    ["social", "date,network,reach\n2026-01-01,mastodon,1e20\n", "reach"],
    [
      "events",
      "timestamp,event,visitor_id,revenue\n2026-01-01T10:00:00Z,Order Completed,v-1,-1e15\n",
      "revenue",
    ],
  ])("an import of %s with %s", async (kind, csv, column) => {
    const response = await importCsv(kind, csv);
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().error).toMatch(
      new RegExp(`${column} .* is outside the range between -1e15 and 1e15`),
    );
    expect(response.json().details[0]).toMatchObject({ line: 2 });
  });
});

describe("the extreme amounts allowed keep every KPI query answering", () => {
  it("stores the largest and smallest amounts on every path, then runs every KPI of the catalog", async () => {
    const big = 999_999_999_999_999; // the largest whole amount below the limit
    const date = "2026-03-02";
    const at = `${date}T10:00:00.000Z`;
    const messages = [big, -big, big, big].map((revenue, i) => ({
      type: "track",
      userId: `u-${i}`,
      event: "Order Completed",
      timestamp: at,
      properties: { order_id: `x-${i}`, revenue },
    }));
    expect((await segment("batch", { batch: messages }, "extreme")).statusCode).toBe(200);
    const plausibleOrder = {
      n: "Purchase",
      u: "https://extreme.example/checkout",
      d: "extreme.example",
      $: { currency: "EUR", amount: String(big) },
    };
    expect((await plausible(plausibleOrder)).statusCode).toBe(202);
    const imports: [string, string][] = [
      [
        "orders",
        `timestamp,order_id,customer_id,revenue\n${at},i-1,c-1,${big}\n${at},i-2,c-2,-${big}\n${at},i-3,c-3,${big}\n`,
      ],
      [
        "costs",
        `date,campaign,spend,impressions,clicks,conversions\n${date},spring,${big},${big},${big},${big}\n${date},summer,${big},${big},${big},${big}\n`,
      ],
      [
        "email",
        `date,campaign,sent,delivered,opens,clicks,unsubscribes,bounces\n${date},news,${big},${big},${big},${big},${big},${big}\n`,
      ],
      [
        "social",
        `date,network,posts,reach,impressions,interactions,mentions,followers\n${date},mastodon,${big},${big},${big},${big},${big},${big}\n`,
      ],
      // Engagement figures far beyond what a tracker sends, as an events import may hold them.
      [
        "events",
        `timestamp,event,visitor_id,type,url,properties\n${at},pageview,v-1,page,https://extreme.example/,\n2026-03-02T10:00:01Z,engagement,v-1,engagement,https://extreme.example/,"{""e"":1e308,""sd"":1e308}"\n`,
      ],
    ];
    for (const [kind, csv] of imports) {
      const response = await importCsv(kind, csv, "extreme");
      expect(response.statusCode, `${kind}: ${response.body}`).toBeLessThan(300);
    }
    const ids = KPI_CATALOG.map((k) => k.id);
    for (const interval of ["day", "month"]) {
      const response = await server.app.inject({
        method: "GET",
        url: `/api/v1/kpis?kpis=${ids.join(",")}&from=${date}&to=${date}&interval=${interval}`,
        headers: { authorization: bearer(server.ws("extreme").read) },
      });
      expect(response.statusCode, response.body).toBe(200);
      const totals = response.json().totals as Record<string, number | null>;
      expect(totals.revenue).toBeGreaterThan(big);
      expect(totals.spend).toBeCloseTo(2 * big, -3);
    }
  });
});

describe(`JSON nested deeper than ${MAX_NESTING_DEPTH} levels is refused before anything recurses`, () => {
  const page = (inner: string) =>
    `{"userId":"u-1","name":"Home","properties":{"deep":${inner}},"context":{"page":{"url":"https://hostile.example/"}}}`;

  it.each([5_000, 60_000])("Segment /v1/page with %i levels inside properties", async (levels) => {
    const error = expectError(await segment("page", page(nestedArrays(levels))), 400, /^properties\.deep/);
    expect(error.error).toMatch(new RegExp(`more than ${MAX_NESTING_DEPTH} levels`));
  });

  it("Segment /v1/page with 10,000 levels of objects in context", async () => {
    const body = `{"userId":"u-1","context":${nestedObjects(10_000)}}`;
    expectError(await segment("page", body), 400, /^context/);
  });

  it("Segment /v1/batch with deep messages and a deep batch context", async () => {
    const message = `{"type":"track","userId":"u-1","event":"x","properties":${nestedArrays(40_000)}}`;
    expectError(await segment("batch", `{"batch":[${message}]}`), 400, /^batch\.0\.properties/);
    expectError(
      await segment(
        "batch",
        `{"batch":[{"type":"track","userId":"u","event":"x"}],"context":${nestedObjects(5_000)}}`,
      ),
      400,
      /^context/,
    );
    expectError(await segment("batch", `{"batch":${nestedArrays(50_000)}}`), 400, /^batch/);
  });

  it("a message exactly at the limit is taken; one level more is refused", async () => {
    // The message is level 1 and properties level 2: MAX - 2 more levels inside properties.deep's array.
    const atLimit = page(nestedArrays(MAX_NESTING_DEPTH - 2));
    expect((await segment("page", atLimit)).statusCode).toBe(200);
    expectError(await segment("page", page(nestedArrays(MAX_NESTING_DEPTH - 1))), 400, /^properties/);
  });

  it("Plausible and the tracker's text/plain posts", async () => {
    const body = `{"n":"pageview","u":"https://hostile.example/","d":"hostile.example","p":${nestedArrays(20_000)}}`;
    expectError(await plausible(body), 400, /^p/);
    expectError(await plausible(body, "text/plain"), 400, /^p/);
  });

  it("an import of JSON Lines names the line of a deep event; deep JSON in a CSV column is no server error", async () => {
    const event = (properties: string) =>
      `{"type":"track","event":"x","userId":"u-1","timestamp":"2026-01-01T10:00:00Z","properties":${properties}}`;
    const jsonl = `${event("{}")}\n${event(nestedArrays(50_000))}\n`;
    const response = await importCsv("events", jsonl, "hostile", "events.jsonl");
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().error).toMatch(new RegExp(`more than ${MAX_NESTING_DEPTH} levels deep`));
    expect(response.json().details[0]).toMatchObject({ line: 2 });
    const csv = `timestamp,event,visitor_id,properties\n2026-01-01T10:00:00Z,x,v-1,"{""a"":${nestedArrays(20_000)}}"\n`;
    expect((await importCsv("events", csv)).statusCode).toBeLessThan(500);
  });

  it("bodies over a route's limit answer 413 in the error shape, however they nest", async () => {
    expectError(await segment("page", page(nestedObjects(60_000))), 413, "body");
    expectError(await plausible(nestedArrays(40_000)), 413, "body");
    const big = { userId: "u-1", event: "x", properties: { text: "x".repeat(40 * 1024) } };
    expectError(await segment("track", big), 413, "body");
  });
});

describe("KPI reads with hostile parameters answer 4xx or 200, never 5xx", () => {
  const read = (query: string) =>
    server.app.inject({
      method: "GET",
      url: `/api/v1/kpis?${query}`,
      headers: { authorization: bearer(server.ws("hostile").read) },
    });

  it.each([
    [
      "0001-01-01 to 9999-12-31 by day (3.6 million buckets)",
      "from=0001-01-01&to=9999-12-31&interval=day",
      "from",
    ],
    ["1900-01-01 to 2999-12-31 by day", "from=1900-01-01&to=2999-12-31&interval=day", "interval"],
    ["1900 to 2200 by week", "from=1900-01-01&to=2200-12-31&interval=week", "interval"],
    ["a range ending in 9999", "from=2026-01-01&to=9999-12-31", "to"],
    ["year 0", "from=0000-01-01", "from"],
  ])("%s", async (_name, query, field) => {
    expectError(await read(query), 400, field);
  });

  it.each([
    ["2,000 where filters", Array.from({ length: 2000 }, (_, i) => `where=channel=c${i}`).join("&")],
    [
      "a SQL-shaped where value",
      `where=${encodeURIComponent("campaign=x' OR '1'='1'; DROP TABLE events; --")}`,
    ],
    ["quotes in a property name", `where=${encodeURIComponent("props.a'b\"c=x'y")}&group_by=props.x`],
    ["a NUL in a where value", "where=channel=%00"],
    ["20,000 commas as the KPI list", `kpis=${",".repeat(20000)}`],
    ["the widest range allowed, whole", "from=1900-01-01&to=2999-12-31"],
    ["every dimension at once", "group_by=campaign,channel,utm_source,utm_medium,device,browser,os,country"],
  ])("%s answers 200", async (_name, query) => {
    const response = await read(query);
    expect(response.statusCode, response.body).toBe(200);
  });
});

describe("transport shapes are refused in the error shape", () => {
  const post = (url: string, headers: Record<string, string>, payload: string) =>
    server.app.inject({
      method: "POST",
      url,
      headers: { authorization: basic(server.ws("hostile").write), "user-agent": DESKTOP_UA, ...headers },
      payload,
    });

  it.each([
    ["a URL that does not decode", "/v1/%ff", { "content-type": "application/json" }, "{}", 400, "request"],
    [
      "gzip that is not",
      "/v1/track",
      { "content-type": "application/json", "content-encoding": "gzip" },
      "x",
      400,
      "body",
    ],
    [
      "a form",
      "/v1/track",
      { "content-type": "application/x-www-form-urlencoded" },
      "a=1",
      415,
      "content-type",
    ],
    ["an empty JSON body", "/v1/track", { "content-type": "application/json" }, "", 400, "body"],
    [
      "__proto__ at the top",
      "/v1/track",
      { "content-type": "application/json" },
      '{"userId":"u","event":"x","__proto__":{"a":1}}',
      400,
      "body",
    ],
    [
      "a batch of 6,000",
      "/v1/batch",
      { "content-type": "application/json" },
      JSON.stringify({
        batch: Array.from({ length: 6000 }, () => ({ type: "track", userId: "u", event: "x" })),
      }),
      400,
      "batch",
    ],
  ])("%s", async (_name, url, headers, payload, status, field) => {
    expectError(await post(url, headers, payload), status, field);
  });
});
