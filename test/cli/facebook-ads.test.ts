import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  CliSandbox,
  expectClose,
  expectSummary,
  expectUserError,
  type KpiJson,
  linesNamed,
} from "./run-cli.js";

/**
 * A real ad-platform export (docs/presets/README.md): test/fixtures/facebook-ads-kag.csv, imported as
 * costs with --map and --date-format. Every expected number is computed here from the file itself.
 */
const DATASET =
  process.env.SEXTANT_FACEBOOK_ADS_CSV ??
  fileURLToPath(new URL("../fixtures/facebook-ads-kag.csv", import.meta.url));

const MAP =
  "date=Date,campaign=xyz_campaign_id,spend=Spent,impressions=Impressions,clicks=Clicks,conversions=Total_Conversion";

interface AdRow {
  date: string; // ISO
  campaign: string;
  age: string;
  gender: string;
  spend: number;
  impressions: number;
  clicks: number;
  conversions: number;
}

interface Sums {
  spend: number;
  impressions: number;
  clicks: number;
  conversions: number;
}

function readDataset(): { header: string[]; rows: AdRow[] } {
  const [headerLine, ...lines] = readFileSync(DATASET, "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  const header = (headerLine ?? "").split(",");
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${DATASET} has no column ${name}`);
    return i;
  };
  const [iDate, iCampaign, iAge, iGender, iSpent, iImpr, iClicks, iConv] = [
    "Date",
    "xyz_campaign_id",
    "age",
    "gender",
    "Spent",
    "Impressions",
    "Clicks",
    "Total_Conversion",
  ].map(col) as [number, number, number, number, number, number, number, number];
  const rows = lines.map((line) => {
    const cells = line.split(",");
    const cell = (i: number) => cells[i] ?? "";
    const [dd, mm, yyyy] = cell(iDate).split("-");
    return {
      date: `${yyyy}-${mm}-${dd}`,
      campaign: cell(iCampaign),
      age: cell(iAge),
      gender: cell(iGender),
      spend: Number(cell(iSpent)),
      impressions: Number(cell(iImpr)),
      clicks: Number(cell(iClicks)),
      conversions: Number(cell(iConv)),
    };
  });
  return { header, rows };
}

function sum(rows: readonly AdRow[]): Sums {
  const s: Sums = { spend: 0, impressions: 0, clicks: 0, conversions: 0 };
  for (const r of rows) {
    s.spend += r.spend;
    s.impressions += r.impressions;
    s.clicks += r.clicks;
    s.conversions += r.conversions;
  }
  return s;
}

function sumsBy(rows: readonly AdRow[], key: (r: AdRow) => string): Map<string, Sums> {
  const groups = new Map<string, AdRow[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return new Map([...groups].map(([k, v]) => [k, sum(v)]));
}

function expectSums(values: Record<string, unknown>, expected: Sums, where: string): void {
  expectClose(values.spend, expected.spend, 1e-9);
  expect(values.impressions, `impressions ${where}`).toBe(expected.impressions);
  expect(values.clicks, `clicks ${where}`).toBe(expected.clicks);
  expect(values.ad_conversions, `ad_conversions ${where}`).toBe(expected.conversions);
}

function expectGroups(result: KpiJson, dim: string, expected: Map<string, Sums>): void {
  expect(result.groupBy).toEqual([dim]);
  expect(result.rows.map((r) => String(r[dim])).sort()).toEqual([...expected.keys()].sort());
  for (const row of result.rows) {
    const value = String(row[dim]);
    expectSums(row, expected.get(value) as Sums, `${dim}=${value}`);
  }
}

describe("importing the Facebook ads export (facebook-ads-kag.csv) as costs", () => {
  const { rows } = readDataset();
  const totals = sum(rows);
  const KPIS = "spend,impressions,clicks,ad_conversions,ctr,cpc,cpm";
  let cli: CliSandbox;
  let withoutDateFormat: CliResult;
  let imported: CliResult;

  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "fb"]);
    withoutDateFormat = await cli.run(["import", "costs", DATASET, "--map", MAP]);
    imported = await cli.run(["import", "costs", DATASET, "--map", MAP, "--date-format", "DD-MM-YYYY"]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("the test's own reading of the file has 1143 ads in three campaigns", () => {
    expect(rows).toHaveLength(1143);
    expect([...new Set(rows.map((r) => r.campaign))].sort()).toEqual(["1178", "916", "936"]);
    expect(rows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.date) && Number.isFinite(r.spend))).toBe(true);
  });

  it("without --date-format the import fails on line 2, explaining the date and pointing to --date-format", () => {
    expectUserError(withoutDateFormat);
    expect(linesNamed(withoutDateFormat.stderr)[0], withoutDateFormat.stderr).toBe(2);
    expect(withoutDateFormat.stderr).toMatch(/\bdate\b/i);
    expect(withoutDateFormat.stderr).toContain("31-08-2023");
    expect(withoutDateFormat.stderr).toMatch(/--date-format/);
  });

  it("with --map and --date-format DD-MM-YYYY all 1143 rows are stored", () => {
    expect(imported.code, imported.stderr).toBe(0);
    expectSummary(imported.stdout, { read: 1143, stored: 1143, rejected: 0 });
  });

  it("totals equal the column sums; ctr, cpc and cpm are computed from those sums", async () => {
    const result = await cli.kpi(["--kpis", KPIS]);
    const dates = rows.map((r) => r.date).sort();
    expect(result.from).toBe(dates[0]);
    expect(result.to).toBe(dates[dates.length - 1]);
    expectSums(result.totals, totals, "in total");
    expectClose(result.totals.ctr, (totals.clicks / totals.impressions) * 100);
    expectClose(result.totals.cpc, totals.spend / totals.clicks);
    expectClose(result.totals.cpm, (totals.spend / totals.impressions) * 1000);
  });

  it("--group-by campaign gives 916, 936 and 1178 with their sums and ratios", async () => {
    const result = await cli.kpi(["--kpis", KPIS, "--group-by", "campaign"]);
    const expected = sumsBy(rows, (r) => r.campaign);
    expectGroups(result, "campaign", expected);
    for (const row of result.rows) {
      const s = expected.get(String(row.campaign)) as Sums;
      expectClose(row.ctr, (s.clicks / s.impressions) * 100);
      expectClose(row.cpc, s.spend / s.clicks);
      expectClose(row.cpm, (s.spend / s.impressions) * 1000);
    }
    expectSums(result.totals, totals, "in total");
  });

  it("--group-by age uses the breakdown column kept from the file", async () => {
    const result = await cli.kpi(["--kpis", KPIS, "--group-by", "age"]);
    expectGroups(
      result,
      "age",
      sumsBy(rows, (r) => r.age),
    );
    expectSums(result.totals, totals, "in total");
  });

  it("--group-by gender, and --where gender=F keeps only those rows", async () => {
    const byGender = sumsBy(rows, (r) => r.gender);
    expectGroups(await cli.kpi(["--kpis", KPIS, "--group-by", "gender"]), "gender", byGender);
    const women = await cli.kpi(["--kpis", KPIS, "--where", "gender=F"]);
    expectSums(women.totals, byGender.get("F") as Sums, "for gender=F");
  });
});
