import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  DESKTOP_UA,
  GOOGLEBOT_UA,
  IPHONE_UA,
  safeJson,
  startServer,
  storedEvents,
  type TestServer,
} from "./server.js";

/**
 * Property-based fuzzing of every ingestion route through `app.inject`: whatever the payload, the
 * server never answers 5xx, a 4xx is the JSON error shape, a rejected request stores nothing and an
 * accepted one stores at most the events it carries.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** Rejected requests between two counts of the stored events; accepted ones are always counted. */
const REJECTED_PER_COUNT = 3;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    workspaces: [
      { name: "fuzz", domains: ["fuzz.example"] },
      { name: "fuzz2", domains: ["www.fuzz2.example"] },
    ],
    listen: false,
  });
});

afterAll(async () => {
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// Field values: mostly plausible, sometimes wrong, sometimes hostile.

const hostileString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "\uffff",
    "🙂‍↔️",
    "'; DROP TABLE events; --",
    "%",
    "%ff",
    "\\",
    '"',
    "\n\t",
  ),
  fc.integer({ min: 200, max: 70_000 }).map((n) => "é".repeat(n)),
);
const anyString = fc.oneof(
  { arbitrary: fc.string({ maxLength: 30 }), weight: 3 },
  { arbitrary: hostileString, weight: 1 },
);
/** Objects and arrays nested past the documented depth (docs/sending-events.md). */
const deep = fc.tuple(fc.integer({ min: 30, max: 2_000 }), fc.boolean()).map(([levels, arrays]) => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = arrays ? [value] : { a: value };
  return value;
});
const junk = fc.oneof(
  anyString,
  fc.constantFrom(1e308, -1e308, 1e15, 1e29, Number.MIN_VALUE, "9".repeat(400), "-1e16"),
  deep,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

const id = fc.oneof(
  { arbitrary: fc.uuid(), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 1e9 }), weight: 1 },
  { arbitrary: junk, weight: 1 },
);
const eventName = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      "Signed Up",
      "Order Completed",
      "Experiment Viewed",
      "Product Viewed",
      "pageview",
    ),
    weight: 4,
  },
  { arbitrary: fc.string({ minLength: 1, maxLength: 30 }), weight: 2 },
  { arbitrary: junk, weight: 1 },
);
const iso = (ms: number) => new Date(ms).toISOString();
const now = Date.now();
const timestamp = fc.oneof(
  {
    arbitrary: fc.integer({ min: -30 * 86_400_000, max: 12 * 3_600_000 }).map((d) => iso(now + d)),
    weight: 4,
  },
  {
    arbitrary: fc
      .integer({ min: -40 * 365 * 86_400_000, max: 5 * 365 * 86_400_000 })
      .map((d) => iso(now + d)),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      "yesterday",
      "12",
      "March 7",
      "2026-13-45T00:00:00Z",
      "",
      "0",
      "2026-02-30",
      "1e400",
      "+275760-09-13T00:00:00Z",
    ),
    weight: 1,
  },
  { arbitrary: junk, weight: 1 },
);
const revenue = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.integer({ min: 0, max: 100_000 }),
  fc.constantFrom(
    "12.5",
    " 12 ",
    "-5",
    "1e3",
    "0x10",
    "0b11",
    "0o7",
    "1,5",
    "abc",
    "Infinity",
    "NaN",
    "1e400",
    "1e15",
    "999999999999999.9",
    "-999999999999999",
    "9".repeat(40),
    ".5",
    "5.",
    "",
    "١٢",
  ),
  junk,
);
const utmValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("cpc", "email", "Spring_Sale", "%ff", "%E0%A4%A", "a%20b", "%", "+"),
);
const url = fc.oneof(
  { arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.webUrl(), utmValue, utmValue, utmValue)
      .map(([u, s, m, c]) => `${u}?utm_source=${s}&utm_medium=${m}&utm_campaign=${c}`),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      "/pricing",
      "data:text/html,hi",
      "javascript:alert(1)",
      "https://fuzz.example/",
      `https://x.example/${"a".repeat(2100)}`,
    ),
    weight: 1,
  },
  { arbitrary: junk, weight: 1 },
);
const userAgent = fc.oneof(fc.constantFrom(DESKTOP_UA, IPHONE_UA, GOOGLEBOT_UA, "", "curl/8.0"), anyString);
const properties = fc.oneof(
  {
    arbitrary: fc.record(
      {
        revenue,
        total: revenue,
        currency: fc.oneof(fc.constantFrom("EUR", "usd", "€"), junk),
        order_id: id,
        url,
        referrer: url,
      },
      { requiredKeys: [] },
    ),
    weight: 3,
  },
  {
    arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    weight: 2,
  },
  { arbitrary: junk, weight: 1 },
);
const context = fc.oneof(
  {
    arbitrary: fc.record(
      {
        userAgent,
        campaign: fc.oneof(
          fc.record({ name: utmValue, source: utmValue, medium: utmValue }, { requiredKeys: [] }),
          junk,
        ),
        page: fc.oneof(fc.record({ url, referrer: url, path: anyString }, { requiredKeys: [] }), junk),
        location: fc.oneof(fc.record({ country: fc.oneof(fc.constantFrom("FR", "us", "XYZ"), junk) }), junk),
        library: fc.constant({ name: "fuzz", version: "1" }),
      },
      { requiredKeys: [] },
    ),
    weight: 3,
  },
  { arbitrary: junk, weight: 1 },
);

const MESSAGE_TYPES = ["track", "page", "identify", "screen", "group", "alias"] as const;
type MessageType = (typeof MESSAGE_TYPES)[number];
type Route = MessageType | "batch" | "event";

/** Field values that are right, for the valid base of a message. */
const goodUrl = fc.oneof(
  fc.webUrl(),
  fc
    .tuple(
      fc.webUrl(),
      fc.constantFrom("cpc", "email", "social"),
      fc.constantFrom("Spring_Sale", "newsletter"),
    )
    .map(([u, m, c]) => `${u}?utm_source=s&utm_medium=${m}&utm_campaign=${c}`),
);
const goodContext = fc.record(
  {
    userAgent: fc.constantFrom(DESKTOP_UA, IPHONE_UA, GOOGLEBOT_UA),
    campaign: fc.record({
      name: fc.constantFrom("Spring_Sale", "Retargeting"),
      source: fc.constant("google"),
      medium: fc.constantFrom("cpc", "email"),
    }),
    page: fc.record({ url: goodUrl }),
  },
  { requiredKeys: [] },
);
const goodTime = fc.oneof(
  fc.constant({}),
  fc.integer({ min: -30 * 86_400_000, max: 0 }).map((d) => ({ timestamp: iso(now + d) })),
  fc
    .tuple(
      fc.integer({ min: -86_400_000, max: 0 }),
      fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }),
    )
    .map(([age, skew]) => ({ originalTimestamp: iso(now + skew + age), sentAt: iso(now + skew) })),
);
const identity = fc.oneof(
  fc.record({ userId: fc.uuid() }),
  fc.record({ anonymousId: fc.uuid() }),
  fc.record({ userId: fc.uuid(), anonymousId: fc.uuid() }),
);
const goodProperties = fc.record(
  {
    order_id: fc.uuid(),
    revenue: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom("19.99", "5")),
    currency: fc.constantFrom("EUR", "USD"),
    url: goodUrl,
    plan: fc.constantFrom("free", "pro"),
  },
  { requiredKeys: [] },
);
const goodFields: Record<MessageType, fc.Arbitrary<Record<string, unknown>>> = {
  track: fc.record({
    event: fc.constantFrom("Signed Up", "Order Completed", "Product Viewed", "Experiment Viewed"),
    properties: goodProperties,
  }),
  page: fc.record(
    { name: fc.constantFrom("Home", "Pricing"), properties: goodProperties },
    { requiredKeys: [] },
  ),
  screen: fc.record({ name: fc.constantFrom("Home", "Settings") }, { requiredKeys: [] }),
  identify: fc.record({
    traits: fc.record(
      { email: fc.emailAddress(), plan: fc.constantFrom("free", "pro") },
      { requiredKeys: [] },
    ),
  }),
  group: fc.record({
    groupId: fc.uuid(),
    traits: fc.record({ name: fc.string({ maxLength: 10 }) }, { requiredKeys: [] }),
  }),
  alias: fc.record({ userId: fc.uuid(), previousId: fc.uuid() }),
};

/** Any value for any field a message may have: right, wrong or hostile. */
const FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  type: fc.oneof(fc.constantFrom(...MESSAGE_TYPES), junk),
  userId: id,
  anonymousId: id,
  event: eventName,
  name: anyString,
  groupId: id,
  previousId: id,
  properties,
  traits: fc.oneof(properties, fc.record({ email: fc.emailAddress(), revenue }, { requiredKeys: [] })),
  context,
  integrations: fc.oneof(fc.constant({ All: true }), junk),
  messageId: fc.oneof(fc.uuid(), fc.constantFrom("dup-1", "dup-2"), junk),
  timestamp,
  originalTimestamp: timestamp,
  sentAt: timestamp,
  writeKey: junk,
};
const valuesOf = (table: Record<string, fc.Arbitrary<unknown>>, name: string) =>
  Object.hasOwn(table, name) ? (table[name] ?? junk) : junk;
const fieldName = fc.oneof(
  { arbitrary: fc.constantFrom(...Object.keys(FIELD_VALUES)), weight: 5 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
);
/** Up to three fields replaced (or removed) with values of any kind, in one message out of `1 + intact`. */
const mutations = (intact: number) =>
  fc.oneof(
    { arbitrary: fc.constant([] as [string, unknown][]), weight: intact },
    {
      arbitrary: fc.array(
        fieldName.chain((name) =>
          fc.tuple(fc.constant(name), fc.oneof(valuesOf(FIELD_VALUES, name), fc.constant(undefined))),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      weight: 1,
    },
  );

/** A Segment message: a valid one of its type, then mutated. */
const message = (type: MessageType, withType: boolean, intact = 1) =>
  fc
    .tuple(
      identity,
      goodFields[type],
      fc.option(goodContext, { nil: undefined }),
      goodTime,
      fc.option(fc.uuid(), { nil: undefined }),
      mutations(intact),
    )
    .map(([who, fields, ctx, time, messageId, changes]) => {
      const base: Record<string, unknown> = { ...(withType ? { type } : {}), ...who, ...fields, ...time };
      if (ctx) base.context = ctx;
      if (messageId) base.messageId = messageId;
      for (const [name, value] of changes) base[name] = value;
      return base;
    });

const anyMessage = fc.constantFrom(...MESSAGE_TYPES).chain((type) => message(type, true, 12));

const batchBody = fc
  .tuple(
    fc.record(
      {
        batch: fc.array(anyMessage, { minLength: 1, maxLength: 8 }),
        context: goodContext,
        sentAt: fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }).map((skew) => iso(now + skew)),
      },
      { requiredKeys: ["batch"] },
    ),
    fc.oneof(
      { arbitrary: fc.constant([] as [string, unknown][]), weight: 3 },
      {
        arbitrary: fc.array(
          fc.tuple(
            fc.constantFrom("batch", "context", "sentAt", "integrations", "writeKey"),
            fc.oneof(
              junk,
              fc.array(fc.anything(), { maxLength: 3 }),
              timestamp,
              context,
              fc.constant(undefined),
            ),
          ),
          { minLength: 1, maxLength: 2 },
        ),
        weight: 1,
      },
    ),
  )
  .map(([base, changes]) => {
    const body: Record<string, unknown> = { ...base };
    for (const [name, value] of changes) body[name] = value;
    return body;
  });

const segmentBody = (route: Route) =>
  route === "batch"
    ? fc.oneof({ arbitrary: batchBody, weight: 6 }, { arbitrary: fc.anything(), weight: 1 })
    : fc.oneof(
        { arbitrary: message(route as MessageType, false), weight: 6 },
        { arbitrary: fc.anything(), weight: 1 },
      );

const domain = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      "fuzz.example",
      "FUZZ.example",
      "www.fuzz.example",
      "fuzz2.example",
      "fuzz.example,fuzz2.example",
      "fuzz.example, fuzz.example",
    ),
    weight: 5,
  },
  { arbitrary: fc.domain(), weight: 1 },
  { arbitrary: junk, weight: 1 },
);
const PLAUSIBLE_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  name: fc.oneof(fc.constantFrom("pageview", "Signed Up", "Order Completed", "n".repeat(121), " "), junk),
  url,
  domain,
  referrer: fc.oneof(url, fc.constant(null)),
  props: fc.oneof(
    fc.dictionary(
      fc.string({ maxLength: 10 }),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), junk),
      { maxKeys: 35 },
    ),
    fc.json(),
    junk,
  ),
  revenue: fc.oneof(
    fc.record(
      { currency: fc.oneof(fc.constantFrom("EUR", "usd"), junk), amount: revenue },
      { requiredKeys: [] },
    ),
    junk,
  ),
  interactive: fc.oneof(fc.boolean(), junk),
};
const SHORT_NAMES: Record<string, string> = {
  name: "n",
  url: "u",
  domain: "d",
  referrer: "r",
  props: "p",
  revenue: "$",
  interactive: "i",
};
const plausibleEvent = fc
  .tuple(
    fc.record(
      {
        name: fc.constantFrom("pageview", "Signed Up", "Order Completed"),
        url: goodUrl,
        domain: fc.constantFrom("fuzz.example", "www.fuzz2.example", "fuzz.example,fuzz2.example"),
        referrer: fc.oneof(goodUrl, fc.constant(null)),
        props: fc.record({ order_id: fc.uuid(), plan: fc.constantFrom("free", "pro") }, { requiredKeys: [] }),
        revenue: fc.record({
          currency: fc.constantFrom("EUR", "usd"),
          amount: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant("12.50")),
        }),
      },
      { requiredKeys: ["name", "url", "domain"] },
    ),
    fc.oneof(
      { arbitrary: fc.constant([] as [string, unknown][]), weight: 2 },
      {
        arbitrary: fc.array(
          fc
            .constantFrom(...Object.keys(PLAUSIBLE_VALUES))
            .chain((name) =>
              fc.tuple(fc.constant(name), fc.oneof(valuesOf(PLAUSIBLE_VALUES, name), fc.constant(undefined))),
            ),
          { minLength: 1, maxLength: 3 },
        ),
        weight: 3,
      },
    ),
    fc.boolean(),
  )
  .map(([base, changes, short]) => {
    const body: Record<string, unknown> = { ...base };
    for (const [name, value] of changes) body[name] = value;
    return short ? Object.fromEntries(Object.entries(body).map(([k, v]) => [SHORT_NAMES[k] ?? k, v])) : body;
  });
const plausibleBody = fc.oneof(
  { arbitrary: plausibleEvent, weight: 6 },
  { arbitrary: fc.anything(), weight: 1 },
);

/** The request: a body (an object, or raw text), a content type, a User-Agent and a key. */
const request = (route: Route) =>
  fc.record({
    body: fc.oneof(
      { arbitrary: route === "event" ? plausibleBody : segmentBody(route), weight: 8 },
      { arbitrary: fc.json().map((text) => ({ raw: text })), weight: 1 },
      { arbitrary: fc.oneof(hostileString, fc.string()).map((text) => ({ raw: text })), weight: 1 },
    ),
    contentType: fc.oneof(
      { arbitrary: fc.constant("application/json"), weight: 6 },
      {
        arbitrary: fc.constantFrom(
          "text/plain",
          "text/plain;charset=UTF-8",
          "application/json; charset=utf-8",
          "application/x-www-form-urlencoded",
          "application/octet-stream",
          "multipart/form-data; boundary=x",
          "application/json; charset=utf-16",
          "",
        ),
        weight: 2,
      },
    ),
    userAgent: fc.option(userAgent, { nil: undefined }),
    auth: fc.constantFrom(
      "basic",
      "basic",
      "basic",
      "basic",
      "basic",
      "body",
      "body",
      "read",
      "unknown",
      "none",
    ),
  });

function isRaw(body: unknown): body is { raw: string } {
  return (
    typeof body === "object" &&
    body !== null &&
    Object.keys(body).length === 1 &&
    typeof (body as { raw?: unknown }).raw === "string"
  );
}

/** How many events an accepted request may store at most. */
function eventsIn(route: Route, payload: string): number {
  const body = safeJson(payload) as Record<string, unknown> | null;
  if (typeof body !== "object" || body === null) return 0;
  if (route === "batch") return Array.isArray(body.batch) ? body.batch.length : 0;
  if (route !== "event") return 1;
  const raw = body.domain ?? body.d;
  if (typeof raw !== "string") return 0;
  const known = new Set(["fuzz.example", "fuzz2.example"]);
  const named = new Set(
    raw.split(",").map((d) =>
      d
        .trim()
        .toLowerCase()
        .replace(/^www\./, ""),
    ),
  );
  return [...named].filter((d) => known.has(d)).length;
}

/** docs/sending-events.md#what-happens-to-an-event: the details say which field is wrong and why. */
function namesAField(details: unknown[]): boolean {
  return (
    details.length > 0 &&
    details.every(
      (d) =>
        typeof d === "object" &&
        d !== null &&
        typeof (d as { field?: unknown }).field === "string" &&
        typeof (d as { reason?: unknown }).reason === "string",
    )
  );
}

interface Outcome {
  accepted: number;
  rejected: number;
  acceptedEvents: number;
  /** Problems by kind (status and message), each with how often it happened and a first example. */
  failures: Map<string, { count: number; example: string }>;
}

function record(outcome: Outcome, kind: string, example: string): void {
  const known = outcome.failures.get(kind);
  if (known) known.count++;
  else outcome.failures.set(kind, { count: 1, example });
}

function describeFailures(outcome: Outcome): string {
  return [...outcome.failures.entries()]
    .map(([kind, { count, example }]) => `- ${kind} (×${count})\n    e.g. ${example}`)
    .join("\n");
}

describe("fuzzing the ingestion routes", () => {
  const outcomes = new Map<Route, Outcome>();
  let storedAtStart = 0;
  beforeAll(async () => {
    storedAtStart = await storedEvents(server);
  });

  for (const route of [...MESSAGE_TYPES, "batch", "event"] as const) {
    const path = route === "event" ? "/api/event" : `/v1/${route}`;
    it(`${path}: never 5xx, 4xx is the JSON error shape, rejected requests store nothing (${RUNS} runs)`, async () => {
      const outcome: Outcome = { accepted: 0, rejected: 0, acceptedEvents: 0, failures: new Map() };
      outcomes.set(route, outcome);
      let stored = await storedEvents(server);
      let unchecked: string[] = [];
      const ws = server.ws("fuzz");
      await fc.assert(
        fc.asyncProperty(request(route), async (req) => {
          let payload: string;
          if (isRaw(req.body)) payload = req.body.raw;
          else {
            let body = req.body;
            if (req.auth === "body" && typeof body === "object" && body !== null && !Array.isArray(body))
              body = { ...body, writeKey: ws.write };
            payload = JSON.stringify(body) ?? "";
          }
          const headers: Record<string, string> = {};
          if (req.contentType) headers["content-type"] = req.contentType;
          if (req.userAgent !== undefined) headers["user-agent"] = req.userAgent;
          if (req.auth === "basic") headers.authorization = basic(ws.write);
          if (req.auth === "read") headers.authorization = basic(ws.read);
          if (req.auth === "unknown") headers.authorization = basic("sxw_unknown");
          const response = await server.app.inject({ method: "POST", url: path, headers, payload });
          const shown = `${JSON.stringify({ ...headers, authorization: headers.authorization ? "…" : undefined })} ${payload.slice(0, 300)}`;
          const status = response.statusCode;
          if (status >= 400) {
            if (status < 500) outcome.rejected++;
            const body = safeJson(response.body) as { error?: unknown; details?: unknown } | string;
            if (status >= 500) record(outcome, `answered ${status} ${response.body.slice(0, 100)}`, shown);
            else if (
              typeof body !== "object" ||
              body === null ||
              typeof body.error !== "string" ||
              !Array.isArray(body.details)
            ) {
              record(
                outcome,
                `answered ${status} without {error, details}: ${response.body.slice(0, 100)}`,
                shown,
              );
            } else if (!namesAField(body.details)) {
              record(
                outcome,
                `answered ${status} without naming the wrong field: ${response.body.slice(0, 100)}`,
                shown,
              );
            }
            // Rejected requests are counted in windows of a few (a count costs as much as a request).
            unchecked.push(payload.slice(0, 200));
            if (unchecked.length >= REJECTED_PER_COUNT) {
              const after = await storedEvents(server);
              if (after !== stored) record(outcome, "rejected requests stored events", unchecked.join(" | "));
              stored = after;
              unchecked = [];
            }
          } else {
            outcome.accepted++;
            const carried = eventsIn(route, payload);
            outcome.acceptedEvents += carried;
            const after = await storedEvents(server);
            if (after - stored > carried) {
              const earlier = unchecked.length
                ? ` (or the ${unchecked.length} rejected request(s) before it)`
                : "";
              record(outcome, `an accepted request stored more events than it carried${earlier}`, shown);
            }
            if (after < stored) record(outcome, "stored events went down", shown);
            stored = after;
            unchecked = [];
          }
          return true;
        }),
        { numRuns: RUNS, seed: SEED },
      );
      if (unchecked.length > 0 && (await storedEvents(server)) !== stored) {
        record(outcome, "rejected requests stored events", unchecked.join(" | "));
      }
      expect(
        [...outcome.failures.keys()],
        `${path}, seed ${SEED} (rerun with FUZZ_SEED=${SEED}):\n${describeFailures(outcome)}`,
      ).toEqual([]);
      // The generators must reach both sides, or the property says little.
      expect(outcome.accepted, "some requests were accepted").toBeGreaterThan(RUNS / 20);
      expect(outcome.rejected, "some requests were rejected").toBeGreaterThan(RUNS / 20);
    });
  }

  it("stored no more events than the accepted requests carried", async () => {
    const carried = [...outcomes.values()].reduce((sum, o) => sum + o.acceptedEvents, 0);
    const stored = (await storedEvents(server)) - storedAtStart;
    expect(stored).toBeLessThanOrEqual(carried);
    expect(outcomes.size).toBe(8);
  });
});
