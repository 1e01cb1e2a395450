import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { Workspace } from "../../src/model/workspace.js";
import type { Row } from "../../src/store/duckdb/connection.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";

/*
 * Visitors sign in (identify, a user id on several devices, aliases): a late link joins two
 * histories into one person, whose rows and rollups are counted again (identities.ts).
 *
 * A refresh after new events derives each changed visitor's sessions again only from a cut on
 * (its last session, or the new events when they start a new one; session-sql.ts). Whatever order
 * and gaps the events come in, the derived tables must be exactly those of one derivation of all
 * the events: one store refreshes after every chunk, the other once at the end, and their
 * `session_events` and rollups are compared row by row. A third store derives in parts of at
 * most three events' visitors (what a large derivation does to bound its memory), refreshed after
 * every chunk too, whole or from the cuts as the share of new events decides.
 */

const eventArb = fc.record({
  // Minutes after the chunk's base time: mostly forward, sometimes before earlier chunks' events.
  minute: fc.integer({ min: -120, max: 900 }),
  visitor: fc.constantFrom("v1", "v2", "v3", "v4"),
  kind: fc.constantFrom(
    "page",
    "page",
    "page",
    "signup",
    "click",
    "identify",
    "engagement",
    "engagement",
    "order",
    "alias",
  ),
  // Signed in (Segment's userId with the device's anonymousId), mostly not; sometimes a server-side
  // call with the user id alone.
  user: fc.constantFrom(null, null, null, "u1", "u2", "u3"),
  serverSide: fc.boolean(),
  page: fc.constantFrom("/a", "/b", "/c"),
  engagedMs: fc.option(fc.integer({ min: 0, max: 90_000 }), { nil: null, freq: 5 }),
  depth: fc.integer({ min: 0, max: 100 }),
  interactive: fc.boolean(),
});
type RandomEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

const chunkArb = fc.record({
  // Gap in minutes between this chunk's base time and the previous one's.
  gap: fc.constantFrom(0, 10, 45, 600, 2_000, 6_000),
  events: fc.array(eventArb, { minLength: 1, maxLength: 12 }),
});

// FUZZ_RUNS=500 for a longer search; a failure prints its seed (FUZZ_SEED replays it).
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const START = Date.UTC(2026, 2, 1, 18, 0);
let dir: string;
let incremental: DuckdbStore;
let once: DuckdbStore;
let parts: DuckdbStore;
let run = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-incremental-"));
  // Never the whole derivation for many new events: every refresh after the first takes the cuts.
  incremental = await DuckdbStore.open(join(dir, "incremental.duckdb"), { wholeRefreshShare: 1 });
  once = await DuckdbStore.open(join(dir, "once.duckdb"));
  parts = await DuckdbStore.open(join(dir, "parts.duckdb"), { derivationChunkEvents: 3 });
});

afterAll(async () => {
  await incremental?.close();
  await once?.close();
  await parts?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function record(event: RandomEvent, at: number, id: string): Record<string, string | null> {
  const url = `https://shop.example${event.page}`;
  // As ingest/segment/to-record.ts stores Segment's ids: the user id, else the anonymous id, is the visitor.
  const ids =
    event.user === null
      ? { visitor_id: event.visitor, anonymous_id: event.visitor, user_id: null }
      : event.serverSide
        ? { visitor_id: event.user, anonymous_id: null, user_id: event.user }
        : { visitor_id: event.user, anonymous_id: event.visitor, user_id: event.user };
  const base = { timestamp: new Date(at).toISOString(), ...ids, message_id: id, url };
  switch (event.kind) {
    case "page":
      return { ...base, event: "pageview", type: "page" };
    case "signup":
      return { ...base, event: "Signed Up", type: "track" };
    case "click":
      return {
        ...base,
        event: "Button Clicked",
        type: "track",
        properties: event.interactive ? null : JSON.stringify({ $interactive: false }),
      };
    case "identify":
      return { ...base, event: "identify", type: "identify", url: null };
    case "order":
      return { ...base, event: "Order Completed", type: "track", revenue: "10", order_id: `o-${id}` };
    case "alias":
      // alias(previousId = the device, or an earlier user id → userId u9)
      return {
        ...base,
        event: "alias",
        type: "alias",
        url: null,
        visitor_id: "u9",
        user_id: "u9",
        anonymous_id: event.user ?? event.visitor,
      };
    case "engagement":
      return {
        ...base,
        event: "engagement",
        type: "engagement",
        properties: JSON.stringify(event.engagedMs === null ? {} : { e: event.engagedMs, sd: event.depth }),
      };
  }
}

/** The derived tables' rows of one workspace, in a fixed order (a peek inside the store). */
async function derived(store: DuckdbStore, workspace: string): Promise<Record<string, Row[]>> {
  const db = (store as unknown as { db: { all(sql: string): Promise<Row[]> } }).db;
  const ws = `'${workspace}'`;
  return {
    session_events: await db.all(`SELECT * FROM session_events WHERE workspace = ${ws} ORDER BY seq`),
    rollup_visitor_days: await db.all(
      `SELECT * FROM rollup_visitor_days WHERE workspace = ${ws} ORDER BY visitor_id, local_date`,
    ),
    rollup_day_gaps: await db.all(`SELECT * FROM rollup_day_gaps WHERE workspace = ${ws} ORDER BY ALL`),
    rollup_orders: await db.all(`SELECT * FROM rollup_orders WHERE workspace = ${ws} ORDER BY order_id`),
    identity_persons: await db.all(`SELECT * FROM identity_persons WHERE workspace = ${ws} ORDER BY id`),
  };
}

describe("incremental session derivation (DuckDB)", () => {
  it("gives the rows of one derivation of all the events, whatever their order and gaps", {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(chunkArb, { minLength: 2, maxLength: 5 }),
        fc.constantFrom(1, 5, 30),
        fc.constantFrom("UTC", "Asia/Kolkata", "America/New_York"),
        async (chunks, timeout, timezone) => {
          run += 1;
          const workspace: Workspace = {
            name: `w${run}`,
            settings: validateSettings({
              timezone,
              session_timeout_minutes: timeout,
              conversion_events: ["Signed Up"],
            }),
          };
          const stores = [incremental, once, parts];
          for (const store of stores) await store.createWorkspace(workspace);
          let base = START;
          let n = 0;
          for (const chunk of chunks) {
            base += chunk.gap * 60_000;
            const events = chunk.events.map((event) => {
              n += 1;
              return {
                workspace: workspace.name,
                record: record(event, base + event.minute * 60_000, `m${n}`),
              };
            });
            for (const store of stores) await store.appendEvents(events);
            await incremental.refreshDerived(workspace);
            await parts.refreshDerived(workspace);
          }
          await once.refreshDerived(workspace);
          const whole = await derived(once, workspace.name);
          expect(await derived(incremental, workspace.name)).toEqual(whole);
          expect(await derived(parts, workspace.name)).toEqual(whole);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
