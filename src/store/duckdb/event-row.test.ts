import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, plausibleEvent, segmentBatch } from "../../../test/support/payloads.js";
import { parsePlausible, plausibleRecord } from "../../ingest/plausible/normalize.js";
import { normalizeSegment } from "../../ingest/segment/normalize.js";
import { validateSettings } from "../../model/parse-setting.js";
import { type TextRecord, withStringifiedProperties } from "../../model/text-record.js";
import { appendEventRecords } from "../staging/stage.js";
import { DuckdbConnection } from "./connection.js";
import { DuckdbStore } from "./duckdb-store.js";
import { type EventRow, eventRow } from "./event-row.js";
import { DUCKDB_SCHEMA } from "./schema.js";

let db: DuckdbConnection;
let store: DuckdbStore;
beforeAll(async () => {
  db = await DuckdbConnection.open(":memory:");
  await db.run(...DUCKDB_SCHEMA);
  store = await DuckdbStore.open(":memory:");
  for (const timezone of TIME_ZONES)
    await store.createWorkspace({ name: timezone, settings: validateSettings({ timezone }) });
});
afterAll(async () => {
  await db.close();
  await store.close();
});

const TIME_ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"] as const;

/** Every stored column but the sequence number, as text, one line per row, sorted. */
const ROWS_SQL = (where: string) => `SELECT list(line ORDER BY line) AS rows FROM (
  SELECT concat_ws(chr(30), workspace, dedup_key::VARCHAR, message_id, epoch_us(ts)::VARCHAR, type, name,
    visitor_id, user_id, anonymous_id, url, host, path, referrer, referrer_domain, utm_source, utm_medium,
    utm_campaign, utm_content, utm_term, campaign_key, device, browser, os, country, revenue::VARCHAR,
    currency, order_id, properties::VARCHAR) AS line
  FROM events WHERE ${where})`;

/** Stores the records through the SQL path and reads back each record's row (null if deduplicated). */
async function viaSql(records: TextRecord[], timeZone: string): Promise<(EventRow | null)[]> {
  const settings = validateSettings({ timezone: timeZone });
  const rows = await db.session(async (tx) => {
    const base = await tx.number("SELECT coalesce(max(seq), 0) FROM events");
    await tx.atomically(() => appendEventRecords(tx, { name: "w", settings }, records));
    const stored = await tx.all(`SELECT seq - ${base} AS line, dedup_key::VARCHAR AS dedup_key,
        epoch_us(ts)::VARCHAR AS ts, properties::VARCHAR AS properties, * EXCLUDE (dedup_key, ts, properties)
      FROM events WHERE seq > ${base}`);
    await tx.run("DELETE FROM events");
    return stored;
  });
  const byLine = new Map(rows.map((r) => [Number(r.line), r]));
  return records.map((_, i) => {
    const r = byLine.get(i + 1);
    if (!r) return null;
    const s = (v: unknown) => (v === null ? null : String(v));
    return {
      dedupKey: BigInt(String(r.dedup_key)),
      messageId: s(r.message_id),
      tsMicros: BigInt(String(r.ts)),
      type: String(r.type),
      name: String(r.name),
      visitorId: String(r.visitor_id),
      userId: s(r.user_id),
      anonymousId: s(r.anonymous_id),
      url: s(r.url),
      host: s(r.host),
      path: s(r.path),
      referrer: s(r.referrer),
      referrerDomain: s(r.referrer_domain),
      utmSource: s(r.utm_source),
      utmMedium: s(r.utm_medium),
      utmCampaign: s(r.utm_campaign),
      utmContent: s(r.utm_content),
      utmTerm: s(r.utm_term),
      campaignKey: s(r.campaign_key),
      device: s(r.device),
      browser: s(r.browser),
      os: s(r.os),
      country: s(r.country),
      revenue: r.revenue === null ? null : Number(r.revenue),
      currency: s(r.currency),
      orderId: s(r.order_id),
      properties: s(r.properties),
    };
  });
}

// Characters where SQL and JavaScript text functions could part ways: spaces of every kind,
// case mappings that differ (İ, ß, K), URL syntax and escapes.
const tricky = fc.constantFrom(
  "a",
  "Z",
  "0",
  " ",
  "\t",
  "\u00a0",
  "\u3000",
  "\u2028",
  "é",
  "İ",
  "ß",
  "\u212a",
  "😀",
  "%",
  "%20",
  "%2",
  "%C3%A9",
  "%41",
  "%zz",
  "+",
  "&",
  "#",
  "?",
  "=",
  "/",
  ":",
  "@",
  "www.",
  "WWW.",
);
const trickyText = fc.array(tricky, { maxLength: 8 }).map((parts) => parts.join(""));
/** Mostly ordinary values, sometimes odd ones, so that both paths are compared on many rows. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: usual }, { weight: 1, arbitrary: odd });
const plain = fc.stringMatching(/^[A-Za-z0-9 _.-]{0,10}$/);
const optionalText = fc.option(mostly(plain, trickyText), { nil: null });
const required = fc
  .tuple(mostly(fc.constant(""), trickyText), fc.stringMatching(/^[A-Za-z0-9]{1,6}$/))
  .map(([noise, core]) => `${noise.replace(/[\s\u00a0\u3000\u2028]/g, "")}${core}`);

const utmValue = mostly(
  plain,
  fc.oneof(trickyText, fc.constantFrom("Spring+Sale", "news", "a%20b", "%E2%82%AC", "x%00y")),
);
const url = fc
  .record({
    scheme: fc.constantFrom("https://", "http://", "HTTP://", "android-app://", ""),
    user: fc.constantFrom("", "ann@", "a:b@"),
    host: mostly(
      fc.constantFrom("www.Shop.example", "shop.example", "WWW.x.io", "", "localhost:8080"),
      fc.constant("bücher.de"),
    ),
    path: fc.constantFrom("", "/", "/p/1", "/a b", "/é", "p"),
    params: fc.array(
      fc.tuple(
        fc.constantFrom("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "x"),
        utmValue,
      ),
      { maxLength: 4 },
    ),
    hash: fc.constantFrom("", "#top", "#?utm_source=h"),
    padding: mostly(fc.constant(""), fc.constantFrom(" ", "\u00a0", "\t")),
  })
  .map(
    (u) =>
      `${u.padding}${u.scheme}${u.user}${u.host}${u.path}${u.params.length ? "?" : ""}${u.params.map(([k, v]) => `${k}=${v}`).join("&")}${u.hash}${u.padding}`,
  );

const timestamp = fc
  .record({
    time: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }),
    separator: fc.constantFrom("T", " "),
    fraction: mostly(fc.constantFrom("", ".1", ".123", ".123456"), fc.constant(".1234567")),
    zone: mostly(
      fc.constantFrom("Z", "+00:00", "+05:30", "-08:00", "+14:00", "-03:45"),
      fc.constantFrom("", "+0200"),
    ),
  })
  .map(({ time, separator, fraction, zone }) => {
    const iso = new Date(time).toISOString();
    return `${iso.slice(0, 10)}${separator}${iso.slice(11, 19)}${fraction}${zone}`;
  });

const properties = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  {
    weight: 6,
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }))
      .map((o) => JSON.stringify(o)),
  },
  fc.constantFrom('{"a": 1}', '{"a":1e21}', '{"a":"\\u001f"}', '{"a":1,"a":2}', "{}", ' {"b":[1,2]} '),
);

const revenue = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  {
    weight: 3,
    arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map(String),
  },
  fc.constantFrom("59.7", "-5", "0", "1e3", "+3", " 12.50 ", ".5", "999999999999999", "-999999999999999.9"),
);

const record = fc.record({
  timestamp,
  event: fc.oneof(required, fc.constantFrom("pageview", "PageView", "Order Completed")),
  visitor_id: required,
  type: fc.option(
    fc.constantFrom("page", "PAGE", "track", "identify", "screen", "group", "alias", " track "),
    {
      nil: null,
    },
  ),
  user_id: optionalText,
  anonymous_id: optionalText,
  url: fc.option(url, { nil: null }),
  referrer: fc.option(url, { nil: null }),
  utm_source: optionalText,
  utm_medium: fc.option(utmValue, { nil: null }),
  utm_campaign: optionalText,
  utm_content: fc.constant(null),
  utm_term: optionalText,
  revenue,
  currency: fc.option(mostly(fc.constantFrom("eur", "USD", " gbp"), fc.constant("ß€")), { nil: null }),
  order_id: optionalText,
  properties,
  message_id: fc.option(mostly(plain, trickyText), { nil: null }),
  device: fc.option(mostly(fc.constantFrom("Mobile", "desktop", "TABLET"), fc.constant("İpad")), {
    nil: null,
  }),
  browser: optionalText,
  os: optionalText,
  country: fc.option(mostly(fc.constantFrom("fr", "US", "de "), fc.constant("ß")), { nil: null }),
});

describe("events typed in JavaScript", () => {
  it("give exactly the rows the SQL path stores, whenever they are typed in JavaScript", async () => {
    let mirrored = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(...TIME_ZONES),
        async (records, timeZone) => {
          const sql = await viaSql(records, timeZone);
          records.forEach((r, i) => {
            const js = eventRow(r, timeZone);
            total++;
            if (js === null) return;
            mirrored++;
            const stored = sql[i];
            // A row the SQL path dropped as a duplicate of an earlier one: its key must be a repeat.
            if (stored === null || stored === undefined) {
              const earlier = records.slice(0, i).map((e) => eventRow(e, timeZone)?.dedupKey);
              if (earlier.every((k) => k !== undefined)) expect(earlier).toContain(js.dedupKey);
              return;
            }
            expect(js).toEqual(stored);
            // Properties JSON.stringify wrote are taken without parsing: the same row.
            if (r.properties !== null && JSON.stringify(JSON.parse(r.properties)) === r.properties)
              expect(eventRow(withStringifiedProperties({ ...r }), timeZone)).toEqual(stored);
          });
        },
      ),
      { numRuns: 100 },
    );
    // Odd values are frequent here, yet a good share of records still takes the JavaScript path.
    expect(mirrored / total).toBeGreaterThan(0.1);
  });

  it("store the same rows through the store's ingestion path as through the SQL path", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(...TIME_ZONES),
        async (generated, timeZone) => {
          // Distinct message ids, so that which of two duplicates is kept cannot differ.
          const records = generated.map((r, i) =>
            r.message_id === null ? r : { ...r, message_id: `${r.message_id}${i}` },
          );
          const settings = validateSettings({ timezone: timeZone });
          const viaSqlPath = await db.session(async (tx) => {
            await tx.atomically(() => appendEventRecords(tx, { name: timeZone, settings }, records));
            const rows = await tx.all(ROWS_SQL(`workspace = '${timeZone}'`));
            await tx.run("DELETE FROM events");
            return rows;
          });
          await store.appendEvents(records.map((record) => ({ workspace: timeZone, record })));
          // The store's own connection, reached on purpose: the Store interface reads no raw rows.
          const inner = (store as unknown as { db: DuckdbConnection }).db;
          const viaStore = await inner.all(ROWS_SQL(`workspace = '${timeZone}'`));
          await inner.run("DELETE FROM events");
          expect(viaStore).toEqual(viaSqlPath);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("cover every record the Segment and Plausible routes make", () => {
    const now = new Date();
    const segment = normalizeSegment("batch", JSON.parse(segmentBatch("m", 50, now).body), now, BROWSER_UA);
    const plausible = [0, 1, 10].map((n) =>
      plausibleRecord(parsePlausible(JSON.parse(plausibleEvent("shop.example", n))), "h_v", now),
    );
    for (const r of [...segment.records, ...plausible]) {
      expect(eventRow(r, "UTC")).not.toBeNull();
      expect(eventRow(r, "Europe/Paris")).not.toBeNull();
    }
  });

  it("leave records the SQL path would reject to it", () => {
    const good = { timestamp: "2026-01-01T00:00:00Z", event: "x", visitor_id: "v" };
    for (const bad of [
      { ...good, timestamp: "2026-02-30T00:00:00Z" },
      { ...good, timestamp: "yesterday" },
      { ...good, event: " " },
      { ...good, visitor_id: null },
      { ...good, type: "pageview" },
      { ...good, revenue: "abc" },
      // Outside the amount range (ingest/limits.ts): the SQL path names it.
      { ...good, revenue: "1000000000000000" },
      { ...good, revenue: "12345678901234567890" },
      { ...good, properties: "[1]" },
      { ...good, properties: "{nope" },
    ]) {
      expect(eventRow(bad, "UTC")).toBeNull();
    }
  });
});
