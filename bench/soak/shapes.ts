/**
 * The requests of the hostile soak (bench/soak/hostile-soak.ts): valid writes and reads, and hostile
 * shapes that must each be refused with a 4xx naming the problem. Bodies that cost to build are
 * built once.
 */

export interface Shape {
  readonly name: string;
  readonly method: "GET" | "POST";
  /** The path and query; the write key goes in the Authorization header for /v1, the read key for /api/v1. */
  readonly path: string;
  readonly contentType?: string;
  /** The body, given the message id the request must carry (valid Segment writes), or none. */
  readonly body?: (id: string) => string;
  /** What a correct server answers: "2xx", or "4xx" for a hostile request. */
  readonly expect: "2xx" | "4xx";
  /** Segment writes whose ids must be stored exactly once when acknowledged. */
  readonly messages?: number;
  readonly auth: "write" | "read" | "none";
  readonly weight: number;
}

const nestedArrays = (levels: number, inner = "1") => `${"[".repeat(levels)}${inner}${"]".repeat(levels)}`;
const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

const context = (day: string) =>
  `"context":{"library":{"name":"analytics-node","version":"3.1.0"},"page":{"url":"https://shop.example/p?utm_source=news&utm_medium=email"}},"timestamp":"${day}T12:00:00.000Z"`;

/** The shapes, for a workspace whose domain is `domain`, with events on `day` (YYYY-MM-DD). */
export function soakShapes(domain: string, day: string): Shape[] {
  const ctx = context(day);
  const track = (id: string, properties: string) =>
    `{"type":"track","userId":"u-${id.length % 50}","event":"Order Completed","messageId":"${id}","properties":${properties},${ctx}}`;
  const order = (id: string) => `{"order_id":"o-${id}","revenue":59.7,"currency":"EUR"}`;
  const deep5k = nestedArrays(5_000);
  const deep60k = nestedArrays(60_000);
  const deepObjects = nestedObjects(20_000);
  const huge = "9".repeat(400);
  const oversized = "x".repeat(200 * 1024);
  const kpis = `/api/v1/kpis?kpis=pageviews,visitors,orders,revenue,conversion_rate&from=${day}&to=${day}`;
  const plausible = (extra: string) =>
    `{"n":"Purchase","u":"https://${domain}/checkout","d":"${domain}"${extra}}`;
  return [
    // Valid traffic.
    {
      name: "valid track",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "2xx",
      messages: 1,
      weight: 30,
      body: (id) => track(id, order(id)),
    },
    {
      name: "valid batch of 20",
      method: "POST",
      path: "/v1/batch",
      auth: "write",
      expect: "2xx",
      messages: 20,
      weight: 6,
      body: (id) =>
        `{"batch":[${Array.from({ length: 20 }, (_, i) => track(`${id}-${i}`, order(`${id}-${i}`))).join(",")}]}`,
    },
    {
      name: "valid plausible pageview",
      method: "POST",
      path: "/api/event",
      auth: "none",
      expect: "2xx",
      weight: 14,
      contentType: "text/plain",
      body: () => `{"n":"pageview","u":"https://${domain}/blog?utm_source=x","d":"${domain}","r":null}`,
    },
    { name: "valid kpi read", method: "GET", path: kpis, auth: "read", expect: "2xx", weight: 4 },
    {
      name: "valid kpi read, SQL-shaped where",
      method: "GET",
      path: `${kpis}&where=${encodeURIComponent("campaign=x' OR '1'='1'; DROP TABLE events; --")}`,
      auth: "read",
      expect: "2xx",
      weight: 2,
    },
    {
      name: "valid kpi read by day and channel",
      method: "GET",
      path: `${kpis}&interval=day&group_by=channel`,
      auth: "read",
      expect: "2xx",
      weight: 2,
    },
    // Hostile amounts.
    {
      name: "revenue 1e308",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 3,
      body: (id) => track(id, '{"revenue":1e308}'),
    },
    {
      name: "revenue 1e400 literal (Infinity)",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 2,
      body: (id) => track(id, '{"revenue":1e400}'),
    },
    {
      name: "revenue 400-digit string",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 2,
      body: (id) => track(id, `{"revenue":"${huge}"}`),
    },
    {
      name: "total -1e20 in a batch",
      method: "POST",
      path: "/v1/batch",
      auth: "write",
      expect: "4xx",
      weight: 2,
      body: (id) => `{"batch":[${track(`${id}-a`, order(id))},${track(`${id}-b`, '{"total":-1e20}')}]}`,
    },
    {
      name: "plausible amount 1e308",
      method: "POST",
      path: "/api/event",
      auth: "none",
      expect: "4xx",
      weight: 2,
      body: () => plausible(',"$":{"currency":"EUR","amount":1e308}'),
    },
    {
      name: "plausible amount of 300 digits",
      method: "POST",
      path: "/api/event",
      auth: "none",
      expect: "4xx",
      weight: 2,
      body: () => plausible(`,"$":{"currency":"EUR","amount":"${huge.slice(0, 300)}"}`),
    },
    {
      name: "engagement of 1e308 ms",
      method: "POST",
      path: "/api/event",
      auth: "none",
      expect: "4xx",
      weight: 1,
      body: () => `{"n":"engagement","u":"https://${domain}/","d":"${domain}","e":1e308,"sd":50}`,
    },
    // Hostile nesting and sizes.
    {
      name: "page with 5,000 levels in properties",
      method: "POST",
      path: "/v1/page",
      auth: "write",
      expect: "4xx",
      weight: 3,
      body: (id) => `{"userId":"u","messageId":"${id}","properties":{"x":${deep5k}}}`,
    },
    {
      name: "page with 60,000 levels in context",
      method: "POST",
      path: "/v1/page",
      auth: "write",
      expect: "4xx",
      weight: 2,
      body: (id) => `{"userId":"u","messageId":"${id}","context":${deep60k}}`,
    },
    {
      name: "batch with 20,000 levels of objects",
      method: "POST",
      path: "/v1/batch",
      auth: "write",
      expect: "4xx",
      weight: 2,
      body: (id) =>
        `{"batch":[{"type":"track","userId":"u","event":"x","messageId":"${id}","properties":${deepObjects}}]}`,
    },
    {
      name: "plausible props 5,000 levels",
      method: "POST",
      path: "/api/event",
      auth: "none",
      expect: "4xx",
      weight: 2,
      contentType: "text/plain",
      body: () => plausible(`,"p":${deep5k}`),
    },
    {
      name: "message over 32 KB",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 1,
      body: (id) => track(id, `{"text":"${oversized.slice(0, 40 * 1024)}"}`),
    },
    {
      name: "body over the route limit",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 1,
      body: (id) => track(id, `{"text":"${oversized}"}`),
    },
    // Hostile syntax, types and keys.
    {
      name: "invalid JSON",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 1,
      body: (id) => `{"userId":"u","messageId":"${id}","event":`,
    },
    {
      name: "NaN literal",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 1,
      body: (id) => track(id, '{"revenue":NaN}'),
    },
    {
      name: "__proto__ in properties",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 1,
      body: (id) => track(id, '{"__proto__":{"admin":true},"revenue":"0x10"}'),
    },
    {
      name: "timestamp in year 275760",
      method: "POST",
      path: "/v1/track",
      auth: "write",
      expect: "4xx",
      weight: 1,
      body: (id) => `{"userId":"u","event":"x","messageId":"${id}","timestamp":"+275760-09-13T00:00:00Z"}`,
    },
    {
      name: "no write key",
      method: "POST",
      path: "/v1/track",
      auth: "none",
      expect: "4xx",
      weight: 1,
      body: (id) => track(id, order(id)),
    },
    {
      name: "kpi with an unknown KPI",
      method: "GET",
      path: `/api/v1/kpis?kpis=revenue;DROP&from=${day}&to=${day}`,
      auth: "read",
      expect: "4xx",
      weight: 1,
    },
    {
      name: "kpi with from after to",
      method: "GET",
      path: `/api/v1/kpis?kpis=revenue&from=${day}&to=2000-01-01`,
      auth: "read",
      expect: "4xx",
      weight: 1,
    },
    {
      name: "kpi with an unknown dimension in where",
      method: "GET",
      path: `/api/v1/kpis?kpis=revenue&where=${encodeURIComponent("1=1) OR (1=1")}`,
      auth: "read",
      expect: "4xx",
      weight: 1,
    },
    {
      name: "kpi 0001 to 9999 by day",
      method: "GET",
      path: "/api/v1/kpis?kpis=revenue&from=0001-01-01&to=9999-12-31&interval=day",
      auth: "read",
      expect: "4xx",
      weight: 1,
    },
    {
      name: "kpi 1900 to 2999 by day",
      method: "GET",
      path: "/api/v1/kpis?kpis=revenue&from=1900-01-01&to=2999-12-31&interval=day",
      auth: "read",
      expect: "4xx",
      weight: 1,
    },
    {
      name: "a URL that does not decode",
      method: "POST",
      path: "/v1/%ff",
      auth: "write",
      expect: "4xx",
      weight: 1,
      body: () => "{}",
    },
  ];
}
