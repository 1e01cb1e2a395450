import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runFunnel } from "../../src/analysis/funnels/run-funnel.js";
import type { Workspace } from "../../src/workspace/settings.js";
import { type Kit, openKit } from "../kpi/fixture.js";

interface Ev {
  ts: string;
  event: string;
  visitor: string;
  url?: string;
}

/** An independent reference: SPEC §7.1 walked event by event in JavaScript. */
function reference(
  events: readonly Ev[],
  steps: readonly ((e: Ev) => boolean)[],
  windowMs: number,
  from: string,
  to: string,
) {
  const reached = steps.map(() => 0);
  const gaps: number[][] = steps.map(() => []);
  const visitors = [...new Set(events.map((e) => e.visitor))];
  for (const v of visitors) {
    const mine = events.filter((e) => e.visitor === v).sort((a, b) => a.ts.localeCompare(b.ts));
    const entry = mine.find((e) => steps[0]?.(e) && e.ts.slice(0, 10) >= from && e.ts.slice(0, 10) <= to);
    if (!entry) continue;
    const t1 = Date.parse(entry.ts);
    let last = t1;
    reached[0] = (reached[0] ?? 0) + 1;
    for (let s = 1; s < steps.length; s++) {
      const next = mine.find(
        (e) => steps[s]?.(e) && Date.parse(e.ts) > last && Date.parse(e.ts) <= t1 + windowMs,
      );
      if (!next) break;
      gaps[s]?.push((Date.parse(next.ts) - last) / 1000);
      last = Date.parse(next.ts);
      reached[s] = (reached[s] ?? 0) + 1;
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0
      ? null
      : ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.floor(s.length / 2)] ?? 0)) / 2;
  };
  return { reached, medians: gaps.map((g, i) => (i === 0 ? null : median(g))) };
}

const EVENTS: Ev[] = [
  // a: the whole funnel in order.
  { ts: "2026-03-02T10:00:00Z", event: "pageview", visitor: "a", url: "https://shop.example/pricing" },
  { ts: "2026-03-02T10:10:00Z", event: "Signed Up", visitor: "a" },
  { ts: "2026-03-03T10:00:00Z", event: "Order Completed", visitor: "a" },
  // b: out of order (signs up before pricing): reaches step 1 only.
  { ts: "2026-03-02T09:00:00Z", event: "Signed Up", visitor: "b" },
  { ts: "2026-03-02T10:00:00Z", event: "pageview", visitor: "b", url: "https://shop.example/pricing?x=1" },
  // c: repeated steps; the order lands exactly at the 7-day limit (inclusive).
  { ts: "2026-03-04T08:00:00Z", event: "pageview", visitor: "c", url: "https://shop.example/pricing" },
  { ts: "2026-03-04T09:00:00Z", event: "pageview", visitor: "c", url: "https://shop.example/pricing" },
  { ts: "2026-03-05T08:00:00Z", event: "Signed Up", visitor: "c" },
  { ts: "2026-03-05T09:00:00Z", event: "Signed Up", visitor: "c" },
  { ts: "2026-03-11T08:00:00Z", event: "Order Completed", visitor: "c" },
  // d: enters twice; the window runs from the first entry, the order falls 1 s after it closes.
  { ts: "2026-03-03T00:00:00Z", event: "pageview", visitor: "d", url: "https://shop.example/pricing" },
  { ts: "2026-03-09T00:00:00Z", event: "pageview", visitor: "d", url: "https://shop.example/pricing" },
  { ts: "2026-03-09T12:00:00Z", event: "Signed Up", visitor: "d" },
  { ts: "2026-03-10T00:00:01Z", event: "Order Completed", visitor: "d" },
  // e: step 1 before the range; f: step 1 in the range, later steps after --to (they count).
  { ts: "2026-02-27T10:00:00Z", event: "pageview", visitor: "e", url: "https://shop.example/pricing" },
  { ts: "2026-02-27T11:00:00Z", event: "Signed Up", visitor: "e" },
  { ts: "2026-03-07T23:00:00Z", event: "pageview", visitor: "f", url: "https://shop.example/pricing" },
  { ts: "2026-03-08T01:00:00Z", event: "Signed Up", visitor: "f" },
];

const STEPS = ["pageview /pricing", "Signed Up", "Order Completed"];
const MATCHERS = [
  (e: Ev) => e.event === "pageview" && new URL(e.url ?? "https://x/").pathname === "/pricing",
  (e: Ev) => e.event === "Signed Up",
  (e: Ev) => e.event === "Order Completed",
];

describe("funnels compiled to SQL (SPEC §7.1)", () => {
  let kit: Kit;
  let ws: Workspace;
  beforeEach(async () => {
    kit = await openKit();
    ws = await kit.workspace("shop");
    await kit.load(
      ws,
      "events",
      [
        "timestamp,event,visitor_id,url",
        ...EVENTS.map((e) => `${e.ts},${e.event},${e.visitor},${e.url ?? ""}`),
      ].join("\n"),
    );
  });
  afterEach(async () => {
    await kit.close();
  });

  it("agrees with the hand-computed cases and the JavaScript reference", async () => {
    const result = await runFunnel(
      kit.store,
      ws,
      { id: "signup", steps: STEPS },
      { from: "2026-03-01", to: "2026-03-07" },
    );
    const ref = reference(EVENTS, MATCHERS, 7 * 86_400_000, "2026-03-01", "2026-03-07");
    // Entrants a, b, c, d, f; signed up after entry: a, c, d, f; ordered within 7 days: a, c.
    expect(result.steps.map((s) => s.visitors)).toEqual([5, 4, 2]);
    expect(result.steps.map((s) => s.visitors)).toEqual(ref.reached);
    expect(result.steps.map((s) => s.median_seconds_from_previous)).toEqual(ref.medians);
    expect(result.steps[1]).toMatchObject({
      conversion_from_start: 80,
      conversion_from_previous: 80,
      drop_off: 1,
      drop_off_rate: 20,
    });
    expect(result.steps[2]).toMatchObject({
      conversion_from_start: 40,
      conversion_from_previous: 50,
      drop_off: 2,
    });
    expect(result.steps[0]?.median_seconds_from_previous).toBeNull();
  });

  it("matches * wildcards and answers zeros, not NaN, for unknown events", async () => {
    const wild = await runFunnel(
      kit.store,
      ws,
      { steps: "pageview /pri*,Nothing Here" },
      { from: "2026-03-01", to: "2026-03-31" },
    );
    expect(wild.steps.map((s) => s.visitors)).toEqual([5, 0]);
    const none = await runFunnel(
      kit.store,
      ws,
      { steps: "Nope,Signed Up" },
      { from: "2026-03-01", to: "2026-03-31" },
    );
    expect(none.steps.map((s) => [s.visitors, s.conversion_from_start])).toEqual([
      [0, null],
      [0, null],
    ]);
    expect(JSON.stringify(none)).not.toMatch(/NaN|Infinity/);
    await expect(
      runFunnel(kit.store, ws, { steps: "Signed Up" }, { from: "2026-03-01", to: "2026-03-31" }),
    ).rejects.toThrow(/at least two steps/);
  });
});
