import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox, expectClose } from "./run-cli.js";

interface KpiListEntry {
  id: string;
  definition: string;
}

describe("sextant kpi define / list / remove: custom KPIs (docs/kpis.md#custom-kpis)", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    await cli.ok([
      "import",
      "costs",
      await cli.file("costs.csv", "date,campaign,channel,currency,spend\n2026-03-02,a,paid,EUR,100\n"),
    ]);
    await cli.ok([
      "import",
      "orders",
      await cli.file(
        "orders.csv",
        "timestamp,order_id,customer_id,revenue,currency,campaign\n2026-03-02T10:00:00Z,O-1,c1,300,EUR,a\n2026-03-03T10:00:00Z,O-2,c2,200,EUR,\n",
      ),
    ]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("kpi list shows the built-in KPIs", async () => {
    const out = await cli.ok(["kpi", "list"]);
    for (const id of [
      "visitors",
      "conversion_rate",
      "roas",
      "cost_per_ad_conversion",
      "engagement_rate_reach",
    ]) {
      expect(out).toMatch(new RegExp(`\\b${id}\\b`));
    }
  });

  it("a formula with a syntax error is refused with its position, and not saved", async () => {
    const err = await cli.fails(["kpi", "define", "broken", "revenue * * 2"]);
    expect(err).toMatch(/position (10|11)\b/);
    expect(err).toContain("*");
    const open = await cli.fails(["kpi", "define", "broken", "(revenue - spend"]);
    expect(open).toMatch(/position \d+/);
    expect(open).toContain(")");
    expect(await cli.ok(["kpi", "list"])).not.toMatch(/\bbroken\b/);
  });

  it("an unknown name is refused with its position and the close KPI suggested", async () => {
    const err = await cli.fails(["kpi", "define", "margin", "revenue * 0.4 - spnd"]);
    expect(err).toContain("spnd");
    expect(err).toMatch(/position (16|17)\b/);
    expect(err).toMatch(/did you mean\W+spend\b/i);
  });

  it("a built-in id or a badly written id cannot be used", async () => {
    const builtIn = await cli.fails(["kpi", "define", "roas", "revenue / spend"]);
    expect(builtIn).toContain("roas");
    const badId = await cli.fails(["kpi", "define", "Net Profit", "revenue - spend"]);
    expect(badId).toContain("Net Profit");
  });

  it("a valid KPI is saved, listed, and computed by kpi --kpis", async () => {
    const out = await cli.ok(["kpi", "define", "profit", "revenue * 0.4 - spend"]);
    expect(out).toContain("profit");
    const listed = (await cli.ok(["kpi", "list"])).split("\n").find((l) => /\bprofit\b/.test(l));
    expect(listed).toContain("revenue * 0.4 - spend");
    const result = await cli.kpi(["--kpis", "profit,revenue,spend"]);
    expect(result.totals.revenue).toBe(500);
    expect(result.totals.spend).toBe(100);
    expectClose(result.totals.profit, 500 * 0.4 - 100);
    const byDay = await cli.kpi(["--kpis", "profit", "--interval", "day"]);
    expect(byDay.rows.map((r) => r.period)).toEqual(["2026-03-02", "2026-03-03"]);
    expectClose(byDay.rows[0]?.profit, 300 * 0.4 - 100);
    expectClose(byDay.rows[1]?.profit, 200 * 0.4);
  });

  it("custom KPIs come with the built-in ones when --kpis is not given", async () => {
    const result = await cli.kpi([]);
    expect(Object.keys(result.totals)).toContain("profit");
    expect(Object.keys(result.totals)).toContain("visitors");
  });

  it("kpi list --format json lists custom KPIs with their formula", async () => {
    const stdout = await cli.ok(["kpi", "list", "--format", "json"]);
    const entries = JSON.parse(stdout) as KpiListEntry[];
    expect(entries.find((e) => e.id === "profit")?.definition).toBe("revenue * 0.4 - spend");
    expect(entries.some((e) => e.id === "spend")).toBe(true);
  });

  it("kpi remove deletes it; removing it again, or asking for it, fails naming it", async () => {
    expect(await cli.ok(["kpi", "remove", "profit"])).toContain("profit");
    expect(await cli.ok(["kpi", "list"])).not.toMatch(/\bprofit\b/);
    expect(await cli.fails(["kpi", "remove", "profit"])).toContain("profit");
    expect(await cli.fails(["kpi", "--kpis", "profit"])).toContain("profit");
  });
});
