import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FunnelStepResult, runFunnel } from "../../src/analysis/funnels/run-funnel.js";
import type { Workspace } from "../../src/model/workspace.js";
import { type Kit, openKit } from "../kpi/fixture.js";

interface Ev {
  ts: string;
  event: string;
  visitor: string;
  url?: string;
  utm_source?: string;
  plan?: string;
}

/** A breakdown for the reference: a field of the entry's session's first event, or of the entry itself. */
type RefGroup = { session: "utm_source" } | { entry: "plan" };

interface RefFunnel {
  reached: number[];
  medians: (number | null)[];
}

/**
 * An independent reference: docs/funnels-and-experiments.md#funnels walked event by event in JavaScript (every event here is a
 * page or track event, so all make sessions; a gap over 30 minutes starts a new one). Ties in time
 * keep the order of `events`. With `group`, the same per value at each visitor's entry.
 */
function reference(
  events: readonly Ev[],
  steps: readonly ((e: Ev) => boolean)[],
  windowMs: number,
  from: string,
  to: string,
  group?: RefGroup,
): RefFunnel & { groups: Map<string | null, RefFunnel> } {
  const tally = () => ({ reached: steps.map(() => 0), gaps: steps.map((): number[] => []) });
  const overall = tally();
  const byValue = new Map<string | null, ReturnType<typeof tally>>();
  const visitors = [...new Set(events.map((e) => e.visitor))];
  for (const v of visitors) {
    const mine = events
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.visitor === v)
      .sort((a, b) => Date.parse(a.e.ts) - Date.parse(b.e.ts) || a.i - b.i)
      .map(({ e }) => e);
    const at = mine.findIndex((e) => steps[0]?.(e) && e.ts.slice(0, 10) >= from && e.ts.slice(0, 10) <= to);
    const entry = mine[at];
    if (!entry) continue;
    let value: string | null = null;
    if (group && "entry" in group) value = entry[group.entry] || null;
    if (group && "session" in group) {
      let start = at;
      while (
        start > 0 &&
        Date.parse(mine[start]?.ts ?? "") - Date.parse(mine[start - 1]?.ts ?? "") <= 1_800_000
      )
        start--;
      value = mine[start]?.[group.session] || null;
    }
    const mark = byValue.get(value) ?? tally();
    byValue.set(value, mark);
    const t1 = Date.parse(entry.ts);
    let last = t1;
    for (const t of [overall, mark]) t.reached[0] = (t.reached[0] ?? 0) + 1;
    for (let s = 1; s < steps.length; s++) {
      const next = mine.find(
        (e) => steps[s]?.(e) && Date.parse(e.ts) > last && Date.parse(e.ts) <= t1 + windowMs,
      );
      if (!next) break;
      for (const t of [overall, mark]) {
        t.gaps[s]?.push((Date.parse(next.ts) - last) / 1000);
        t.reached[s] = (t.reached[s] ?? 0) + 1;
      }
      last = Date.parse(next.ts);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0
      ? null
      : ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.floor(s.length / 2)] ?? 0)) / 2;
  };
  const finish = (t: ReturnType<typeof tally>) => ({
    reached: t.reached,
    medians: t.gaps.map((g, i) => (i === 0 ? null : median(g))),
  });
  return { ...finish(overall), groups: new Map([...byValue].map(([k, t]) => [k, finish(t)])) };
}

/** Values in code-point order, none last (the order of run-funnel.ts for groups with as many entrants). */
function order(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function csvOf(events: readonly Ev[]): string {
  return [
    "timestamp,event,visitor_id,url,utm_source,plan",
    ...events.map(
      (e) => `${e.ts},${e.event},${e.visitor},${e.url ?? ""},${e.utm_source ?? ""},${e.plan ?? ""}`,
    ),
  ].join("\n");
}

/** A small deterministic generator (mulberry32), so a failing case can be replayed by its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENTS: Ev[] = [
  // a: the whole funnel in order; its session began on /home from google (the pricing view's own
  // utm_source, bing, is not the session's).
  {
    ts: "2026-03-02T09:55:00Z",
    event: "pageview",
    visitor: "a",
    url: "https://shop.example/home",
    utm_source: "google",
  },
  {
    ts: "2026-03-02T10:00:00Z",
    event: "pageview",
    visitor: "a",
    url: "https://shop.example/pricing",
    utm_source: "bing",
    plan: "pro",
  },
  { ts: "2026-03-02T10:10:00Z", event: "Signed Up", visitor: "a" },
  { ts: "2026-03-03T10:00:00Z", event: "Order Completed", visitor: "a" },
  // b: out of order (signs up before pricing): reaches step 1 only; an hour later, a new session.
  { ts: "2026-03-02T09:00:00Z", event: "Signed Up", visitor: "b" },
  {
    ts: "2026-03-02T10:00:00Z",
    event: "pageview",
    visitor: "b",
    url: "https://shop.example/pricing?x=1",
    utm_source: "newsletter",
    plan: "pro",
  },
  // c: repeated steps; the order lands exactly at the 7-day limit (inclusive).
  {
    ts: "2026-03-04T08:00:00Z",
    event: "pageview",
    visitor: "c",
    url: "https://shop.example/pricing",
    utm_source: "google",
    plan: "free",
  },
  {
    ts: "2026-03-04T09:00:00Z",
    event: "pageview",
    visitor: "c",
    url: "https://shop.example/pricing",
    plan: "pro",
  },
  { ts: "2026-03-05T08:00:00Z", event: "Signed Up", visitor: "c" },
  { ts: "2026-03-05T09:00:00Z", event: "Signed Up", visitor: "c" },
  { ts: "2026-03-11T08:00:00Z", event: "Order Completed", visitor: "c" },
  // d: enters twice; the window runs from the first entry, the order falls 1 s after it closes.
  {
    ts: "2026-03-03T00:00:00Z",
    event: "pageview",
    visitor: "d",
    url: "https://shop.example/pricing",
    plan: "pro",
  },
  {
    ts: "2026-03-09T00:00:00Z",
    event: "pageview",
    visitor: "d",
    url: "https://shop.example/pricing",
    utm_source: "bing",
  },
  { ts: "2026-03-09T12:00:00Z", event: "Signed Up", visitor: "d" },
  { ts: "2026-03-10T00:00:01Z", event: "Order Completed", visitor: "d" },
  // e: step 1 before the range; f: step 1 in the range, later steps after --to (they count).
  { ts: "2026-02-27T10:00:00Z", event: "pageview", visitor: "e", url: "https://shop.example/pricing" },
  { ts: "2026-02-27T11:00:00Z", event: "Signed Up", visitor: "e" },
  {
    ts: "2026-03-07T23:00:00Z",
    event: "pageview",
    visitor: "f",
    url: "https://shop.example/pricing",
    utm_source: "bing",
  },
  { ts: "2026-03-08T01:00:00Z", event: "Signed Up", visitor: "f" },
];

const STEPS = ["pageview /pricing", "Signed Up", "Order Completed"];
const MATCHERS = [
  (e: Ev) => e.event === "pageview" && new URL(e.url ?? "https://x/").pathname === "/pricing",
  (e: Ev) => e.event === "Signed Up",
  (e: Ev) => e.event === "Order Completed",
];

describe("funnels compiled to SQL (docs/funnels-and-experiments.md#funnels)", () => {
  let kit: Kit;
  let ws: Workspace;
  beforeEach(async () => {
    kit = await openKit();
    ws = await kit.workspace("shop");
    await kit.load(ws, "events", csvOf(EVENTS));
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

  it("breaks down by the session's source at entry and by a property of the entry event", async () => {
    const range = { from: "2026-03-01", to: "2026-03-07" };
    const bySource = await runFunnel(kit.store, ws, { steps: STEPS }, { ...range, groupBy: "utm_source" });
    // Entry sessions: a began on /home from google, c from google, f from bing, b (a new session an
    // hour after its sign-up) from newsletter, d from nowhere (its later bing visit is not its entry).
    const figures = (groups: typeof bySource.groups, dim: string) =>
      (groups ?? []).map((g) => [
        g[dim],
        (g.steps as FunnelStepResult[]).map((s) => s.visitors),
        (g.steps as FunnelStepResult[]).map((s) => s.median_seconds_from_previous),
      ]);
    expect(figures(bySource.groups, "utm_source")).toEqual([
      // a: 600 s then 85,800 s; c: 86,400 s then 518,400 s.
      ["google", [2, 2, 2], [null, 43_500, 302_100]],
      ["bing", [1, 1, 0], [null, 7_200, null]],
      ["newsletter", [1, 0, 0], [null, null, null]],
      ["(none)", [1, 1, 0], [null, 561_600, null]],
    ]);
    // The overall steps are unchanged by a breakdown.
    expect(bySource.steps.map((s) => s.visitors)).toEqual([5, 4, 2]);
    expect(bySource.groups?.[2]?.steps).toEqual([
      expect.objectContaining({ visitors: 1, conversion_from_start: 100, drop_off: 0 }),
      expect.objectContaining({
        visitors: 0,
        conversion_from_start: 0,
        conversion_from_previous: 0,
        drop_off: 1,
      }),
      expect.objectContaining({
        visitors: 0,
        conversion_from_start: 0,
        conversion_from_previous: null,
        drop_off: 0,
      }),
    ]);

    // c's entry is its 08:00 view (free), not the 09:00 one (pro).
    const byPlan = await runFunnel(kit.store, ws, { steps: STEPS }, { ...range, groupBy: "props.plan" });
    expect(figures(byPlan.groups, "props.plan")).toEqual([
      ["pro", [3, 2, 1], [null, 561_600 / 2 + 300, 85_800]],
      ["free", [1, 1, 1], [null, 86_400, 518_400]],
      ["(none)", [1, 1, 0], [null, 7_200, null]],
    ]);
    for (const [group, result] of [
      [{ session: "utm_source" } as const, bySource],
      [{ entry: "plan" } as const, byPlan],
    ] as const) {
      const ref = reference(EVENTS, MATCHERS, 7 * 86_400_000, range.from, range.to, group);
      expect(
        (result.groups ?? []).map((g) => {
          const value = Object.values(g).find((v) => typeof v === "string") as string;
          const steps = g.steps as FunnelStepResult[];
          return [value, steps.map((s) => s.visitors), steps.map((s) => s.median_seconds_from_previous)];
        }),
      ).toEqual(
        [...ref.groups]
          .sort(([va, a], [vb, b]) => (b.reached[0] ?? 0) - (a.reached[0] ?? 0) || order(va, vb))
          .map(([value, g]) => [value ?? "(none)", g.reached, g.medians]),
      );
    }
  });

  it("refuses dimensions it cannot break down by, and answers empty or valueless breakdowns", async () => {
    const range = { from: "2026-03-01", to: "2026-03-07" };
    for (const dim of ["network", "page", "age", "props.", "", "utm source"]) {
      await expect(
        runFunnel(kit.store, ws, { steps: STEPS }, { ...range, groupBy: dim }),
        dim,
      ).rejects.toThrow(/cannot be broken down by .*; use one of campaign, channel, .*props\.NAME\./);
    }
    // No entrants: no groups, rates null.
    const empty = await runFunnel(
      kit.store,
      ws,
      { steps: STEPS },
      { from: "2025-01-01", to: "2025-01-31", groupBy: "device" },
    );
    expect(empty.groups).toEqual([]);
    expect(empty.steps.map((s) => [s.visitors, s.conversion_from_start])).toEqual([
      [0, null],
      [0, null],
      [0, null],
    ]);
    // A dimension no entry has a value for: one "(none)" group, equal to the whole.
    const valueless = await runFunnel(kit.store, ws, { steps: STEPS }, { ...range, groupBy: "props.color" });
    expect(valueless.groups).toEqual([{ "props.color": "(none)", steps: valueless.steps }]);
    const unknown = await runFunnel(
      kit.store,
      ws,
      { steps: "Nope,Signed Up" },
      { ...range, groupBy: "channel" },
    );
    expect(unknown.groups).toEqual([]);
    expect(JSON.stringify([empty, valueless, unknown])).not.toMatch(/NaN|Infinity/);
  });

  it("agrees with the JavaScript reference over random small event sets, with and without breakdown", async () => {
    const POOL = ["pageview /a", "pageview /*", "Signed Up", "Order Completed", "Signed Up[plan=pro]"];
    const POOL_MATCH: Record<string, (e: Ev) => boolean> = {
      "pageview /a": (e) => e.event === "pageview" && new URL(e.url ?? "https://x/").pathname === "/a",
      "pageview /*": (e) => e.event === "pageview",
      "Signed Up": (e) => e.event === "Signed Up",
      "Order Completed": (e) => e.event === "Order Completed",
      "Signed Up[plan=pro]": (e) => e.event === "Signed Up" && e.plan === "pro",
    };
    const WINDOWS: [string, number][] = [
      ["45m", 2_700_000],
      ["1d", 86_400_000],
      ["3d", 3 * 86_400_000],
    ];
    const base = Date.parse("2026-05-01T00:00:00Z");
    for (let seed = 1; seed <= 16; seed++) {
      const rnd = random(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      const used = new Set<number>();
      const events: Ev[] = [];
      for (let v = 0; v < 3 + Math.floor(rnd() * 6); v++) {
        // One to three visits over three days, events 1 to 40 minutes apart within a visit, so that
        // gaps fall either side of the 30-minute session timeout; every minute used once.
        for (let visit = 0; visit < 1 + Math.floor(rnd() * 3); visit++) {
          let minute = Math.floor(rnd() * 3 * 1440);
          for (let n = 0; n < 1 + Math.floor(rnd() * 6); n++) {
            minute += 1 + Math.floor(rnd() * 40);
            while (used.has(minute)) minute += 1;
            used.add(minute);
            const kind = pick(["pageview /a", "pageview /b", "Signed Up", "Order Completed"]);
            const page = kind.startsWith("pageview");
            events.push({
              ts: new Date(base + minute * 60_000).toISOString().replace(".000", ""),
              event: page ? "pageview" : kind,
              visitor: `s${seed}v${v}`,
              ...(page ? { url: `https://site.example${kind.slice(9)}` } : {}),
              utm_source: pick(["google", "bing", ""]),
              plan: pick(["pro", "free", ""]),
            });
          }
        }
      }
      const steps = Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => pick(POOL));
      const [window, windowMs] = pick(WINDOWS);
      const to = pick(["2026-05-01", "2026-05-02", "2026-05-03"]);
      const groupBy = pick(["utm_source", "props.plan"] as const);
      const space = await kit.workspace(`random${seed}`);
      await kit.load(space, "events", csvOf(events));
      const label = `seed ${seed}: ${steps.join(" → ")}, ${window}, to ${to}, by ${groupBy}`;
      const result = await runFunnel(
        kit.store,
        space,
        { steps, window },
        { from: "2026-05-01", to, groupBy },
      );
      const plain = await runFunnel(kit.store, space, { steps, window }, { from: "2026-05-01", to });
      const matchers = steps.map((s) => POOL_MATCH[s] as (e: Ev) => boolean);
      const ref = reference(
        events,
        matchers,
        windowMs,
        "2026-05-01",
        to,
        groupBy === "utm_source" ? { session: "utm_source" } : { entry: "plan" },
      );
      expect(
        plain.steps.map((s) => s.visitors),
        label,
      ).toEqual(ref.reached);
      expect(
        plain.steps.map((s) => s.median_seconds_from_previous),
        label,
      ).toEqual(ref.medians);
      expect(result.steps, label).toEqual(plain.steps);
      const got = new Map(
        (result.groups ?? []).map((g) => {
          const value = g[groupBy] as string;
          const groupSteps = g.steps as FunnelStepResult[];
          return [
            value === "(none)" ? null : value,
            {
              reached: groupSteps.map((s) => s.visitors),
              medians: groupSteps.map((s) => s.median_seconds_from_previous),
            },
          ];
        }),
      );
      expect(got, label).toEqual(ref.groups);
      // The groups add up to the whole.
      for (let i = 0; i < steps.length; i++) {
        const sum = [...got.values()].reduce((acc, g) => acc + (g.reached[i] ?? 0), 0);
        expect(sum, label).toBe(result.steps[i]?.visitors);
      }
    }
  });
});
