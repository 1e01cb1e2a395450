import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox, type KpiJson } from "./run-cli.js";

const DEMO = ["demo", "--days", "14", "--seed", "3", "--end", "2026-03-31"];

describe("sextant demo", () => {
  let first: CliSandbox;
  let second: CliSandbox;
  let loaded: string[];

  beforeAll(async () => {
    [first, second] = await Promise.all([CliSandbox.create(), CliSandbox.create()]);
    // Two stores, two processes: they may run side by side.
    loaded = await Promise.all([first.ok(DEMO), second.ok(DEMO)]);
  });
  afterAll(async () => {
    await Promise.all([first.cleanup(), second.cleanup()]);
  });

  it("says what it loaded", () => {
    for (const out of loaded) {
      expect(out).toContain("demo");
      expect(out).toMatch(/\d+ events/);
      expect(out).toMatch(/\d+ orders/);
    }
  });

  it("the same seed into two stores gives byte-identical kpi --format json output", async () => {
    const queries = [
      ["kpi", "--format", "json"],
      ["kpi", "--format", "json", "--interval", "week", "--group-by", "channel"],
    ];
    for (const query of queries) {
      const [a, b] = await Promise.all([first.ok(query), second.ok(query)]);
      expect(a.length).toBeGreaterThan(100);
      expect(a, query.join(" ")).toBe(b);
    }
  });

  it("kpi --format json run twice on one store is byte-identical", async () => {
    const query = ["kpi", "--format", "json"];
    const a = await first.ok(query);
    const b = await first.ok(query);
    expect(a).toBe(b);
  });

  it("covers the days asked for: 14 days ending on --end", async () => {
    const result = JSON.parse(
      await first.ok(["kpi", "--format", "json", "--kpis", "visitors,spend"]),
    ) as KpiJson;
    expect(result.workspace).toBe("demo");
    expect(result.from).toBe("2026-03-18");
    expect(result.to).toBe("2026-03-31");
    expect(result.totals.visitors).toBeGreaterThan(0);
    expect(result.totals.spend).toBeGreaterThan(0);
  });

  it("a second demo into the same store fails clearly and doubles nothing", async () => {
    const counts = ["--kpis", "orders,pageviews,emails_sent,posts"];
    const before = await first.kpi(counts);
    const err = await first.fails(DEMO);
    expect(err).toContain("demo");
    expect(err).toMatch(/already exists/i);
    expect(await first.kpi(counts)).toEqual(before);
  });

  it("--workspace NAME loads the demo under another name, as the error above suggests", async () => {
    await second.ok(["demo", "--days", "3", "--seed", "1", "--end", "2026-03-31", "--workspace", "demo2"]);
    const names = (
      JSON.parse(await second.ok(["workspace", "list", "--format", "json"])) as { name: string }[]
    )
      .map((w) => w.name)
      .sort();
    expect(names).toEqual(["demo", "demo2"]);
  });
});
