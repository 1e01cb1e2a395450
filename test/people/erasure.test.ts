import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KpiRequest } from "../../src/kpi/run-query.js";
import type { Workspace } from "../../src/model/workspace.js";
import { erasePerson, personHash, showPerson } from "../../src/people/person.js";
import { type Kit, kitStoreName, openKit } from "../kpi/fixture.js";

/*
 * After an erasure (or a retention run) a store must answer every KPI exactly as a store that
 * never had the person's (or the old) rows: two stores get the same random data, the second
 * without those rows, and every answer is compared whole — ungrouped (rollups), grouped and
 * filtered (sessions), orders — after the removal, and again after more events arrive.
 */

const KPIS = [
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
  "orders",
  "revenue",
  "customers",
  "new_customers",
  "aov",
  "purchase_frequency",
  "retention_rate",
  "clv",
];

const eventArb = fc.record({
  day: fc.integer({ min: 0, max: 33 }),
  hour: fc.constantFrom(0, 4, 12, 22, 23),
  minute: fc.integer({ min: 0, max: 59 }),
  visitor: fc.constantFrom("v1", "v2", "v3", "v4", "v5", "v6"),
  kind: fc.constantFrom("page", "page", "page", "signup", "order", "click", "identify"),
  order: fc.constantFrom("o1", "o2", "o3", "o4", "o5", "o6"),
  user: fc.constantFrom("", "", "u1", "u2"),
  campaign: fc.constantFrom("", "", "spring", "brand"),
  cents: fc.integer({ min: 1, max: 99_999 }),
});
type RandomEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

const orderArb = fc.record({
  day: fc.integer({ min: 0, max: 33 }),
  hour: fc.constantFrom(0, 12, 23),
  order: fc.constantFrom("o1", "o2", "o7", "o8", "o9"),
  customer: fc.constantFrom("u1", "u2", "c3", "v3"),
  cents: fc.integer({ min: 1, max: 99_999 }),
});
type RandomOrder = typeof orderArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * The ids of `person`'s person among the events given, by a plain walk of the links (a visitor and
 * a user id on one event), written apart from the store's resolution it checks.
 */
function linkedIds(events: readonly RandomEvent[], person: string): Set<string> {
  const ids = new Set([person]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of events) {
      if (e.user === "") continue;
      if (ids.has(e.visitor) !== ids.has(e.user)) {
        ids.add(e.visitor);
        ids.add(e.user);
        grew = true;
      }
    }
  }
  return ids;
}

function timestamp(day: number, hour: number, minute: number): string {
  return new Date(Date.UTC(2026, 1, 20 + day, hour, minute)).toISOString().replace(".000Z", "Z");
}

function eventsCsv(events: readonly RandomEvent[]): string {
  const rows = events.map((e) => {
    const [event, type] = {
      page: ["pageview", "page"],
      signup: ["Signed Up", "track"],
      order: ["Order Completed", "track"],
      click: ["Button Clicked", "track"],
      identify: ["identify", "identify"],
    }[e.kind] as [string, string];
    const url = e.kind === "identify" ? "" : `https://shop.example/p${e.minute % 3}`;
    return [
      timestamp(e.day, e.hour, e.minute),
      event,
      e.visitor,
      type,
      e.user,
      url,
      e.campaign,
      e.kind === "order" ? e.order : "",
      e.kind === "order" ? (e.cents / 100).toFixed(2) : "",
    ].join(",");
  });
  return ["timestamp,event,visitor_id,type,user_id,url,utm_campaign,order_id,revenue", ...rows].join("\n");
}

function ordersCsv(orders: readonly RandomOrder[]): string {
  const rows = orders.map((o) =>
    [timestamp(o.day, o.hour, 30), o.order, o.customer, (o.cents / 100).toFixed(2)].join(","),
  );
  return ["timestamp,order_id,customer_id,revenue", ...rows].join("\n");
}

function requests(): KpiRequest[] {
  const out: KpiRequest[] = [{ kpis: KPIS }];
  for (const [from, to] of [
    ["2026-02-01", "2026-04-30"],
    ["2026-02-25", "2026-03-10"],
    ["2026-03-04", "2026-03-04"],
  ] as const) {
    for (const interval of [null, "day", "week", "month"] as const)
      out.push({ kpis: KPIS, from, to, interval });
    out.push({ kpis: KPIS, from, to, interval: "week", groupBy: ["campaign"] });
    out.push({ kpis: KPIS, from, to, groupBy: ["channel", "landing_page"], where: ["campaign=spring"] });
  }
  return out;
}

const onClickhouse = kitStoreName() === "clickhouse";
let erased: Kit;
let never: Kit;

beforeAll(async () => {
  erased = await openKit();
  // The reference reads the raw tables: rollups are known to match them (rollups.test.ts).
  never = await openKit({ rollups: false });
});

afterAll(async () => {
  await erased?.close();
  await never?.close();
});

async function expectSameAnswers(a: Workspace, b: Workspace, step: string): Promise<void> {
  for (const request of requests()) {
    const got = await erased.query(a, request);
    const want = await never.query(b, request);
    expect(got, `${step}: ${JSON.stringify(request)}`).toEqual(want);
  }
}

let counter = 0;
async function both(): Promise<[Workspace, Workspace]> {
  counter += 1;
  const settings = { timezone: "America/New_York", session_timeout_minutes: 30 };
  return [await erased.workspace(`p${counter}`, settings), await never.workspace(`p${counter}`, settings)];
}

describe("erasure", () => {
  it("leaves the KPIs of a store that never had the person, before and after more events", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 60 }),
        fc.array(eventArb, { minLength: 1, maxLength: 20 }),
        fc.uniqueArray(orderArb, { maxLength: 5, selector: (o) => o.order }),
        fc.constantFrom("v3", "u1", "c3"),
        fc.boolean(),
        async (first, later, orders, person, queriedBefore) => {
          const [a, b] = await both();
          // The person is every id linked to it through events carrying both (docs/concepts.md#persons).
          const ids = linkedIds(first, person);
          const mine = (e: RandomEvent) => ids.has(e.visitor) || ids.has(e.user);
          await erased.load(a, "events", eventsCsv(first));
          if (orders.length > 0) await erased.load(a, "orders", ordersCsv(orders));
          const kept = first.filter((e) => !mine(e));
          if (kept.length > 0) await never.load(b, "events", eventsCsv(kept));
          const keptOrders = orders.filter((o) => !ids.has(o.customer));
          if (keptOrders.length > 0) await never.load(b, "orders", ordersCsv(keptOrders));
          // Erasing derived tables kept up to date, or not yet derived at all.
          if (queriedBefore) await erased.query(a, { kpis: KPIS });

          const shown = await showPerson(erased.store, a, person);
          expect(shown.events.length).toBe(first.filter(mine).length);
          expect(shown.orders.length).toBe(orders.filter((o) => ids.has(o.customer)).length);
          const record = await erasePerson(erased.store, a, person);
          expect(record.rows.events).toBe(first.filter(mine).length);
          expect(record.rows.orders).toBe(orders.filter((o) => ids.has(o.customer)).length);
          expect(record.idHash).toBe(personHash(a.name, person));
          await expectSameAnswers(a, b, "after the erasure");
          const after = await showPerson(erased.store, a, person);
          expect([after.events, after.orders]).toEqual([[], []]);

          const laterKept = later.filter((e) => !mine(e));
          if (laterKept.length > 0) {
            await erased.load(a, "events", eventsCsv(laterKept));
            await never.load(b, "events", eventsCsv(laterKept));
            await expectSameAnswers(a, b, "after more events");
          }
        },
      ),
      { numRuns: onClickhouse ? 2 : 6, seed: 20261208, endOnFailure: true },
    );
  }, 900_000);

  it("is recorded with a hash of the id, never the id", async () => {
    const [a] = await both();
    await erased.load(a, "events", eventsCsv([{ ...sample, user: "u2", visitor: "v1" }]));
    await erasePerson(erased.store, a, "u2");
    const records = await erased.store.listErasures(a.name);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: "erasure", idHash: personHash(a.name, "u2"), before: null });
    expect(records[0]?.rows).toMatchObject({ events: 1, orders: 0 });
    expect(JSON.stringify(records)).not.toContain('"u2"');
  });
});

const sample: RandomEvent = {
  day: 3,
  hour: 12,
  minute: 1,
  visitor: "v1",
  kind: "page",
  order: "o1",
  user: "",
  campaign: "",
  cents: 1,
};

describe("retention", () => {
  it("leaves the KPIs of a store that never had the older events and orders", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 60 }),
        fc.uniqueArray(orderArb, { maxLength: 5, selector: (o) => o.order }),
        fc.integer({ min: 1, max: 33 }),
        fc.boolean(),
        async (events, orders, cutDay, queriedBefore) => {
          const [a, b] = await both();
          const cut = new Date(Date.UTC(2026, 1, 20 + cutDay, 12, 0));
          await erased.load(a, "events", eventsCsv(events));
          if (orders.length > 0) await erased.load(a, "orders", ordersCsv(orders));
          const time = (day: number, hour: number, minute: number) =>
            Date.UTC(2026, 1, 20 + day, hour, minute);
          const kept = events.filter((e) => time(e.day, e.hour, e.minute) >= cut.getTime());
          if (kept.length > 0) await never.load(b, "events", eventsCsv(kept));
          const keptOrders = orders.filter((o) => time(o.day, o.hour, 30) >= cut.getTime());
          if (keptOrders.length > 0) await never.load(b, "orders", ordersCsv(keptOrders));
          if (queriedBefore) await erased.query(a, { kpis: KPIS });
          const record = await erased.store.removeBefore(a, cut);
          expect(record).toMatchObject({ kind: "retention", before: cut.toISOString(), idHash: null });
          expect(record.rows.events).toBe(events.length - kept.length);
          expect(record.rows.orders).toBe(orders.length - keptOrders.length);
          await expectSameAnswers(a, b, "after retention");
        },
      ),
      { numRuns: onClickhouse ? 2 : 6, seed: 20261209, endOnFailure: true },
    );
  }, 900_000);
});
