import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SegmentsResult } from "../../src/analysis/segments/run-segments.js";
import { CliSandbox } from "./run-cli.js";

type SegmentsJson = SegmentsResult;

describe("sextant segments", () => {
  let cli: CliSandbox;
  const json = async (...args: string[]) =>
    JSON.parse(await cli.ok(["segments", "--format", "json", ...args])) as SegmentsJson;

  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    // Opens of two campaigns are R's prop.test(c(15, 25), c(50, 50)) example; "quiet" sent nothing.
    await cli.ok([
      "import",
      "email",
      await cli.file(
        "email.csv",
        "date,campaign,sent,opens,clicks\n2026-03-02,spring,50,15,4\n2026-03-03,summer,50,25,5\n2026-03-04,quiet,0,0,0\n",
      ),
    ]);
    // Clicks by an ad cost breakdown column: statsmodels' proportions_ztest example (5/83 vs 12/99).
    await cli.ok([
      "import",
      "costs",
      await cli.file(
        "costs.csv",
        "date,campaign,spend,impressions,clicks,age\n2026-03-02,spring,10,83,5,18-24\n2026-03-02,spring,20,99,12,25-34\n",
      ),
    ]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("tests each campaign's open rate against the rest, Holm-adjusted (R prop.test, correct = FALSE)", async () => {
    const result = await json(
      "--kpi",
      "open_rate",
      "--by",
      "campaign",
      "--from",
      "2026-03-01",
      "--to",
      "2026-03-31",
    );
    expect(result).toMatchObject({
      workspace: "shop",
      kpi: "open_rate",
      by: "campaign",
      from: "2026-03-01",
      to: "2026-03-31",
      total: 40,
      share_of: "emails_sent",
    });
    expect(result.segments.map((s) => s.campaign)).toEqual(["summer", "spring", "quiet"]);
    const [summer, spring, quiet] = result.segments;
    expect(summer).toMatchObject({ value: 50, share: 50, diff_abs: 10, diff_rel: 25, significant: false });
    expect(spring).toMatchObject({ value: 30, share: 50, diff_abs: -10, diff_rel: -25, significant: false });
    for (const row of [summer, spring]) {
      // p-value 0.04123 in R; Holm over the two tested campaigns doubles it.
      expect(row?.p_value as number).toBeCloseTo(0.04123, 5);
      expect(row?.p_value_holm as number).toBeCloseTo(0.08245, 4);
    }
    // Nothing sent: no rate, no test, a share of zero, never NaN.
    expect(quiet).toEqual({
      campaign: "quiet",
      value: null,
      share: 0,
      diff_abs: null,
      diff_rel: null,
      p_value: null,
      p_value_holm: null,
      significant: null,
    });
  });

  it("compares a cost breakdown column: CTR by age is statsmodels' documented z-test", async () => {
    const result = await json("--kpi", "ctr", "--by", "age");
    expect(result.share_of).toBe("impressions");
    expect(result.segments.map((s) => [s.age, s.share])).toEqual([
      ["25-34", (99 / 182) * 100],
      ["18-24", (83 / 182) * 100],
    ]);
    for (const row of result.segments) expect(row.p_value as number).toBeCloseTo(0.159, 3);
  });

  it("prints a table and a CSV with the same segments", async () => {
    const table = await cli.ok(["segments", "--kpi", "open_rate", "--by", "campaign"]);
    expect(table).toMatch(/shop · open_rate by campaign · 2026-03-02 → 2026-03-04 · total 40 %/);
    expect(table).toMatch(/summer .*50 %/);
    expect(table).toMatch(/share: percent of emails_sent; test: two-proportion z-test/);
    const csv = await cli.ok(["segments", "--kpi", "emails_sent", "--by", "campaign", "--format", "csv"]);
    expect(csv.trim().split("\n")).toEqual([
      "campaign,value,share,diff_abs,diff_rel,p_value,p_value_holm,significant",
      "spring,50,50,-50,-50,,,",
      "summer,50,50,-50,-50,,,",
      "quiet,0,0,-100,-100,,,",
    ]);
    const limited = await json("--kpi", "emails_sent", "--by", "campaign", "--limit", "1");
    expect(limited.segments.map((s) => s.campaign)).toEqual(["spring"]);
  });

  it("refuses bad input with one sentence, and says when a range has no data", async () => {
    const cases: [string[], RegExp][] = [
      [["--kpi", "open_rat", "--by", "campaign"], /Unknown KPI "open_rat"\. Did you mean "open_rate"\?/],
      [["--kpi", "open_rate", "--by", "campain"], /Unknown dimension "campain"\. Did you mean "campaign"\?/],
      [["--kpi", "open_rate,ctr", "--by", "campaign"], /--kpi takes one KPI, not a list/],
      [["--kpi", "open_rate", "--by", "campaign", "--limit", "0"], /--limit 0 must be a whole number/],
      [
        ["--kpi", "open_rate", "--by", "campaign", "--from", "2026-03-09", "--to", "2026-03-01"],
        /The range starts \(2026-03-09\) after it ends \(2026-03-01\)\./,
      ],
      [["--kpi", "open_rate", "--by", "campaign", "--format", "xml"], /--format "xml" is not one of/],
    ];
    for (const [args, message] of cases) {
      expect(await cli.fails(["segments", ...args])).toMatch(message);
    }
    const noData = ["--kpi", "open_rate", "--by", "campaign", "--from", "2025-01-01", "--to", "2025-01-31"];
    expect(await json(...noData)).toMatchObject({ total: null, segments: [] });
    const table = await cli.ok(["segments", ...noData]);
    expect(table).toMatch(/No segments: there is no data for open_rate by campaign in this range\./);
  });

  it("is listed in sextant --help", async () => {
    expect(await cli.ok(["--help"])).toMatch(/segments \[options\]\s+compare a KPI across the segments/);
  });
});
