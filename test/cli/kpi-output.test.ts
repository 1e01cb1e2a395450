import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox, expectClose } from "./run-cli.js";

const COSTS = `date,campaign,channel,currency,spend,impressions,clicks
2026-03-02,Spring,paid,EUR,10,1000,20
2026-03-10,Spring,paid,EUR,20,2000,0
2026-03-17,=1+2,paid,EUR,5,500,0
2026-03-31,Spring,paid,EUR,1,100,1
`;

/** The CSV output of these tests has no quoted cells: a plain split is enough. */
function parseCsv(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((l) => l !== "")
    .map((l) => l.split(","));
}

describe("sextant kpi: output formats and query errors", () => {
  let cli: CliSandbox;
  const RANGE = ["--from", "2026-03-01", "--to", "2026-03-31"];
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    await cli.ok(["import", "costs", await cli.file("costs.csv", COSTS)]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("--format json has the documented shape: workspace, from, to, interval, groupBy, rows, totals", async () => {
    const stdout = await cli.ok([
      "kpi",
      "--kpis",
      "spend,clicks,cpc",
      "--group-by",
      "campaign",
      ...RANGE,
      "--format",
      "json",
    ]);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(["workspace", "from", "to", "interval", "groupBy", "rows", "totals"]);
    expect(result).toMatchObject({
      workspace: "shop",
      from: "2026-03-01",
      to: "2026-03-31",
      interval: null,
      groupBy: ["campaign"],
    });
    const rows = result.rows as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(Object.keys(row)).toEqual(["campaign", "spend", "clicks", "cpc"]);
    const byCampaign = new Map(rows.map((r) => [r.campaign, r]));
    expect(byCampaign.get("spring")).toMatchObject({ spend: 31, clicks: 21 });
    expectClose(byCampaign.get("spring")?.cpc, 31 / 21);
    // Division by zero is null, never 0 or Infinity (docs/concepts.md#kpis).
    expect(byCampaign.get("=1+2")).toEqual({ campaign: "=1+2", spend: 5, clicks: 0, cpc: null });
    expect(Object.keys(result.totals as object)).toEqual(["spend", "clicks", "cpc"]);
    expect(result.totals).toMatchObject({ spend: 36, clicks: 21 });
    expectClose((result.totals as Record<string, number>).cpc, 36 / 21);
  });

  it("without --from/--to the range is the first to the last day with data", async () => {
    const result = await cli.kpi(["--kpis", "spend"]);
    expect(result.from).toBe("2026-03-02");
    expect(result.to).toBe("2026-03-31");
    expect(result.totals.spend).toBe(36);
  });

  it("--format csv: a header row, one row per group, a total row; formulas are neutralised", async () => {
    const stdout = await cli.ok([
      "kpi",
      "--kpis",
      "spend,cpc",
      "--group-by",
      "campaign",
      ...RANGE,
      "--format",
      "csv",
    ]);
    const table = parseCsv(stdout);
    expect(table[0]).toEqual(["campaign", "spend", "cpc"]);
    expect(table).toHaveLength(4);
    const cells = new Map(table.slice(1).map((r) => [r[0], r.slice(1)]));
    expect(cells.get("'=1+2")).toEqual(["5", ""]);
    expect(cells.get("spring")?.[0]).toBe("31");
    expectClose(Number(cells.get("spring")?.[1]), 31 / 21);
    const last = table[table.length - 1] ?? [];
    expect(last[0]?.toLowerCase()).toBe("total");
    expect(last[1]).toBe("36");
    // No cell a spreadsheet would run as a formula.
    for (const row of table) for (const cell of row) expect(cell).not.toMatch(/^[=+@]/);
  });

  it("--format table: a title, aligned columns, — for a missing value, a total row", async () => {
    const stdout = await cli.ok(["kpi", "--kpis", "spend,cpc", "--group-by", "campaign", ...RANGE]);
    const lines = stdout.split("\n").filter((l) => l.trim() !== "");
    expect(lines[0]).toContain("shop");
    expect(lines[0]).toContain("2026-03-01");
    expect(lines[0]).toContain("2026-03-31");
    const body = lines.slice(1);
    expect(body.length).toBeGreaterThanOrEqual(4);
    expect(new Set(body.map((l) => l.length)).size, body.join("\n")).toBe(1);
    const injected = body.find((l) => l.includes("=1+2"));
    expect(injected).toContain("—");
    expect(body.find((l) => /\bspring\b/.test(l))).not.toContain("—");
    expect(body.some((l) => /\btotal\b/i.test(l))).toBe(true);
  });

  it("--format table without a group-by lists each KPI with its value", async () => {
    const stdout = await cli.ok([
      "kpi",
      "--kpis",
      "spend,clicks,cpc",
      "--from",
      "2026-03-17",
      "--to",
      "2026-03-17",
    ]);
    const body = stdout
      .split("\n")
      .slice(1)
      .filter((l) => l.trim() !== "");
    expect(new Set(body.map((l) => l.length)).size, body.join("\n")).toBe(1);
    const valueLines = body.filter((l) => /\d|—/.test(l));
    expect(valueLines).toHaveLength(3);
    expect(valueLines[0]).toMatch(/5/);
    expect(valueLines[1]).toMatch(/\b0\b/);
    expect(valueLines[2]).toContain("—");
  });

  it("--interval week: every ISO week of the range, labelled by its Monday", async () => {
    const result = await cli.kpi(["--kpis", "spend", "--interval", "week", ...RANGE]);
    expect(result.interval).toBe("week");
    const periods = result.rows.map((r) => r.period);
    expect(periods).toEqual([
      "2026-02-23",
      "2026-03-02",
      "2026-03-09",
      "2026-03-16",
      "2026-03-23",
      "2026-03-30",
    ]);
    for (const period of periods) expect(new Date(`${String(period)}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(result.rows.map((r) => r.spend)).toEqual([0, 10, 20, 5, 0, 1]);
    expect(result.totals.spend).toBe(36);
  });

  it("--interval month with --group-by: rows carry period then the dimension", async () => {
    const result = await cli.kpi([
      "--kpis",
      "spend",
      "--interval",
      "month",
      "--group-by",
      "campaign",
      ...RANGE,
    ]);
    for (const row of result.rows) expect(Object.keys(row)).toEqual(["period", "campaign", "spend"]);
    expect(result.rows.every((r) => r.period === "2026-03-01")).toBe(true);
  });

  it("an unknown KPI id fails with a did-you-mean", async () => {
    const err = await cli.fails(["kpi", "--kpis", "spend,cpcc"]);
    expect(err).toContain("cpcc");
    expect(err).toMatch(/did you mean\W+cpc\b/i);
  });

  it("an unknown dimension fails, naming it (with a suggestion when one is close)", async () => {
    const close = await cli.fails(["kpi", "--kpis", "spend", "--group-by", "campain"]);
    expect(close).toContain("campain");
    expect(close).toMatch(/did you mean\W+campaign\b/i);
    const far = await cli.fails(["kpi", "--kpis", "spend", "--group-by", "weather"]);
    expect(far).toContain("weather");
    expect(far).toMatch(/campaign/);
  });

  it("an impossible --from date fails", async () => {
    const err = await cli.fails(["kpi", "--kpis", "spend", "--from", "2026-02-30"]);
    expect(err).toContain("2026-02-30");
    expect(err).toMatch(/YYYY-MM-DD/);
    const words = await cli.fails(["kpi", "--kpis", "spend", "--to", "last week"]);
    expect(words).toContain("last week");
  });

  it("--from after --to fails, naming both dates", async () => {
    const err = await cli.fails(["kpi", "--kpis", "spend", "--from", "2026-03-20", "--to", "2026-03-10"]);
    expect(err).toContain("2026-03-20");
    expect(err).toContain("2026-03-10");
  });

  it("an unknown --format or --interval fails, listing the valid ones", async () => {
    const format = await cli.fails(["kpi", "--kpis", "spend", "--format", "xlsx"]);
    expect(format).toContain("xlsx");
    for (const f of ["table", "json", "csv"]) expect(format).toContain(f);
    const interval = await cli.fails(["kpi", "--kpis", "spend", "--interval", "fortnight"]);
    expect(interval).toContain("fortnight");
    expect(interval).toMatch(/week/);
  });
});
