import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox } from "./run-cli.js";

/**
 * `sextant migrate --engagement`: a store filled before Sextant knew Plausible's engagement event
 * holds it as a custom event (type track, name engagement), which un-bounced every session.
 */
const EVENTS = `timestamp,event,visitor_id,type,url,properties
2026-03-02T10:00:00Z,pageview,A,page,https://site.example/,
2026-03-02T10:01:00Z,engagement,A,track,https://site.example/,"{""plan"":""pro""}"
2026-03-02T11:00:00Z,pageview,B,page,https://site.example/pricing,
2026-03-02T11:02:00Z,engagement,B,track,https://site.example/pricing,"{""sd"":80,""e"":4000}"
2026-03-02T12:00:00Z,pageview,C,page,https://site.example/,
2026-03-02T12:01:00Z,Signed Up,C,track,https://site.example/,
`;
const RANGE = ["--from", "2026-03-02", "--to", "2026-03-02"];
const KPIS = ["--kpis", "visitors,sessions,bounce_rate,avg_visit_duration,time_on_page,scroll_depth"];

describe("sextant migrate --engagement", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "site"]);
    await cli.ok(["import", "events", await cli.file("old.csv", EVENTS)]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("turns engagement stored as custom events into engagement, so sessions bounce again", async () => {
    const before = await cli.kpi([...RANGE, ...KPIS]);
    expect(before.totals).toMatchObject({ visitors: 3, sessions: 3, bounce_rate: 0, time_on_page: null });

    const out = await cli.ok(["migrate", "--engagement"]);
    expect(out).toMatch(/Converted 2 engagement events/);
    expect(out).toMatch(/site\s+2/);

    const after = await cli.kpi([...RANGE, ...KPIS]);
    // A and B read one page each (their engagement no longer an event); C signed up.
    expect(after.totals).toMatchObject({ visitors: 3, sessions: 3, avg_visit_duration: 20 });
    expect(after.totals.bounce_rate).toBeCloseTo(200 / 3, 9);
    // Only B's engagement kept its figures: one engaged page view, 4 s, 80 %.
    expect(after.totals).toMatchObject({ time_on_page: 4, scroll_depth: 80 });
  });

  it("changes nothing when run again", async () => {
    const out = await cli.ok(["migrate", "--engagement"]);
    expect(out).toMatch(/Converted 0 engagement events/);
    const again = await cli.kpi([...RANGE, ...KPIS]);
    expect(again.totals.bounce_rate).toBeCloseTo(200 / 3, 9);
  });

  it("refuses to convert a ClickHouse store, and asks what to do without a mode", async () => {
    expect(await cli.fails(["migrate", "--engagement", "--to", "http://127.0.0.1:1/x"])).toMatch(
      /embedded store \(--db\) in place/,
    );
    expect(await cli.fails(["migrate"])).toMatch(/--to CLICKHOUSE_URL to copy the store, or --engagement/);
  });
});
