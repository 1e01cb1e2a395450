import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox, expectClose, expectSummary, type KpiJson, linesNamed, rowWhere } from "./run-cli.js";

/** Platform exports as downloaded (see test/fixtures/presets/README.md for their sources). */
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/presets/${name}`, import.meta.url));

const COST_KPIS = [
  "--kpis",
  "spend,impressions,clicks,ad_conversions",
  "--from",
  "2026-03-01",
  "--to",
  "2026-03-31",
];

interface CampaignFigures {
  spend: number;
  impressions: number;
  clicks: number;
  ad_conversions: number;
}

function expectCampaign(result: KpiJson, campaign: string, expected: CampaignFigures): void {
  const row = rowWhere(result, "campaign", campaign);
  expectClose(row.spend, expected.spend);
  expect(row.impressions).toBe(expected.impressions);
  expect(row.clicks).toBe(expected.clicks);
  expectClose(row.ad_conversions, expected.ad_conversions);
}

// Sums of the fixtures' campaign rows, by hand: the "Total:" rows are not among them.
const GOOGLE_SPRING = { spend: 3315.0, impressions: 41822, clicks: 1152, ad_conversions: 32.5 };
const GOOGLE_BRAND = { spend: 95.1, impressions: 2000, clicks: 251, ad_conversions: 7.5 };

describe("sextant import costs|email FILE --preset: exports as marketers download them", () => {
  let cli: CliSandbox;
  const ws = (name: string) => ["--workspace", name];
  const costsBy = (workspace: string, groupBy = "campaign") =>
    cli.kpi([...COST_KPIS, "--group-by", groupBy, ...ws(workspace)]);

  beforeAll(async () => {
    cli = await CliSandbox.create();
    for (const name of ["shop", "excel", "overlap", "bad", "dollars"]) {
      await cli.ok(["workspace", "create", name, ...(name === "dollars" ? ["--currency", "USD"] : [])]);
    }
  });
  afterAll(async () => {
    await cli?.cleanup();
  });

  it("reads a Google Ads report to the cent, with its title lines, quoted thousands, -- and total rows", async () => {
    const out = await cli.ok([
      "import",
      "costs",
      fixture("google-ads-campaigns.csv"),
      "--preset",
      "google-ads",
      ...ws("shop"),
    ]);
    expectSummary(out, { read: 6, stored: 6, rejected: 0 });
    expect(out).toMatch(/preset google-ads/);
    expect(out).toMatch(/2 total rows left out/);
    const result = await costsBy("shop");
    expectCampaign(result, "spring sale search", GOOGLE_SPRING);
    expectCampaign(result, "brand search", GOOGLE_BRAND);
    expectClose(result.totals.spend, 3410.1);
  });

  it("recognises Google Ads' UTF-16 tab-separated Excel CSV without --preset and reads the same figures", async () => {
    const out = await cli.ok(["import", "costs", fixture("google-ads-campaigns-excel.csv"), ...ws("excel")]);
    expectSummary(out, { read: 6, stored: 6, rejected: 0 });
    expect(out).toMatch(/preset google-ads/);
    const result = await costsBy("excel");
    expectCampaign(result, "spring sale search", GOOGLE_SPRING);
    expectCampaign(result, "brand search", GOOGLE_BRAND);
  });

  it("recognises a Meta Ads Manager export and leaves its summary row out", async () => {
    const out = await cli.ok(["import", "costs", fixture("meta-ads-campaigns.csv"), ...ws("shop")]);
    expectSummary(out, { read: 4, stored: 4, rejected: 0 });
    expect(out).toMatch(/preset meta-ads/);
    expect(out).toMatch(/1 total row left out/);
    const result = await costsBy("shop");
    expectCampaign(result, "spring sale social", {
      spend: 436.0,
      impressions: 25534,
      clicks: 621,
      ad_conversions: 38,
    });
    expectCampaign(result, "retargeting", {
      spend: 160.0,
      impressions: 8000,
      clicks: 183,
      ad_conversions: 5,
    });
  });

  it("reads a Meta export re-saved in a French locale: Windows-1252, semicolons, decimal commas, day-first dates", async () => {
    const out = await cli.ok([
      "import",
      "costs",
      fixture("meta-ads-campaigns-fr.csv"),
      "--format",
      "json",
      ...ws("excel"),
    ]);
    const summary = JSON.parse(out) as { preset: string; rowsStored: number; rejected: unknown[] };
    expect(summary).toMatchObject({ preset: "meta-ads", rowsStored: 4, rejected: [] });
    const result = await costsBy("excel");
    expectCampaign(result, "soldes de printemps", {
      spend: 1436.0,
      impressions: 25534,
      clicks: 621,
      ad_conversions: 38,
    });
    expectCampaign(result, "rentrée", { spend: 160.0, impressions: 8000, clicks: 183, ad_conversions: 5 });
    const byDay = await cli.kpi([
      "--kpis",
      "spend",
      "--from",
      "2026-03-01",
      "--to",
      "2026-03-02",
      "--interval",
      "day",
      "--where",
      "campaign=rentrée",
      ...ws("excel"),
    ]);
    expect(byDay.rows.map((r) => [r.period, r.spend])).toEqual([
      ["2026-03-01", 80.25],
      ["2026-03-02", 79.75],
    ]);
  });

  it("reads LinkedIn and Microsoft Advertising reports below their preambles, without their total and footer", async () => {
    const linkedin = await cli.ok(["import", "costs", fixture("linkedin-ads-campaigns.csv"), ...ws("shop")]);
    expectSummary(linkedin, { read: 4, stored: 4, rejected: 0 });
    expect(linkedin).toMatch(/preset linkedin-ads/);
    const microsoft = await cli.ok([
      "import",
      "costs",
      fixture("microsoft-ads-campaigns.csv"),
      "--preset",
      "microsoft-ads",
      ...ws("shop"),
    ]);
    expectSummary(microsoft, { read: 4, stored: 4, rejected: 0 });
    expect(microsoft).toMatch(/2 total rows left out/);
    const result = await costsBy("shop");
    expectCampaign(result, "webinar leads", {
      spend: 611.0,
      impressions: 20050,
      clicks: 164,
      ad_conversions: 11,
    });
    expectCampaign(result, "brand awareness", {
      spend: 299.95,
      impressions: 15900,
      clicks: 38,
      ad_conversions: 1,
    });
    expectCampaign(result, "spring sale bing", {
      spend: 200.0,
      impressions: 5000,
      clicks: 131,
      ad_conversions: 7,
    });
    expectCampaign(result, "brand bing", { spend: 24.0, impressions: 1560, clicks: 38, ad_conversions: 1 });
  });

  it("writes each platform's channel on its rows", async () => {
    const result = await costsBy("shop", "channel");
    expectClose(rowWhere(result, "channel", "google_ads").spend, 3410.1);
    expectClose(rowWhere(result, "channel", "meta_ads").spend, 596.0);
    expectClose(rowWhere(result, "channel", "linkedin_ads").spend, 910.95);
    expectClose(rowWhere(result, "channel", "microsoft_ads").spend, 224.0);
    expect(result.rows.map((r) => r.channel).sort()).toEqual([
      "google_ads",
      "linkedin_ads",
      "meta_ads",
      "microsoft_ads",
    ]);
  });

  it("recognises a Mailchimp campaigns export and sums its e-mails", async () => {
    const out = await cli.ok(["import", "email", fixture("mailchimp-campaigns.csv"), ...ws("shop")]);
    expectSummary(out, { read: 2, stored: 2, rejected: 0 });
    expect(out).toMatch(/preset mailchimp/);
    const result = await cli.kpi([
      "--kpis",
      "emails_sent,emails_delivered,email_opens,email_clicks,unsubscribes",
      "--from",
      "2026-03-01",
      "--to",
      "2026-03-31",
      "--group-by",
      "campaign",
      ...ws("shop"),
    ]);
    expect(result.totals).toMatchObject({
      emails_sent: 24980,
      emails_delivered: 24610,
      email_opens: 8052,
      email_clicks: 1317,
      unsubscribes: 39,
    });
    expect(rowWhere(result, "campaign", "march newsletter").emails_sent).toBe(12500);
    const byDay = await cli.kpi([
      "--kpis",
      "emails_sent",
      "--from",
      "2026-03-01",
      "--to",
      "2026-03-31",
      "--interval",
      "day",
      ...ws("shop"),
    ]);
    expect(byDay.rows.filter((r) => r.emails_sent).map((r) => r.period)).toEqual([
      "2026-03-03",
      "2026-03-10",
    ]);
  });

  it("refuses a whole export in another currency than the workspace's, and stores nothing", async () => {
    const before = await costsBy("shop");
    const stderr = await cli.fails([
      "import",
      "costs",
      fixture("google-ads-campaigns-usd.csv"),
      ...ws("shop"),
    ]);
    expect(stderr).toMatch(/USD/);
    expect(stderr).toMatch(/EUR/);
    expect(stderr).toMatch(/nothing was imported/i);
    expect(await costsBy("shop")).toEqual(before);
    // The currency in a header ("Amount spent (EUR)") counts as much as a column.
    const meta = await cli.fails(["import", "costs", fixture("meta-ads-campaigns.csv"), ...ws("dollars")]);
    expect(meta).toMatch(/Amount spent \(EUR\)/);
    expect((await costsBy("dollars")).rows).toEqual([]);
  });

  it("doubles nothing when the same export or an overlapping one is imported again", async () => {
    const file = fixture("google-ads-campaigns.csv");
    await cli.ok(["import", "costs", file, ...ws("overlap")]);
    const again = await cli.ok(["import", "costs", file, ...ws("overlap")]);
    expectSummary(again, { read: 6, stored: 6, rejected: 0, replaced: 6 });
    let result = await costsBy("overlap");
    expectCampaign(result, "spring sale search", GOOGLE_SPRING);
    expectCampaign(result, "brand search", GOOGLE_BRAND);
    // March 2–4 replaces March 2 and 3 (March 3 revised by the platform) and adds March 4.
    await cli.ok(["import", "costs", fixture("google-ads-campaigns-march-2-4.csv"), ...ws("overlap")]);
    result = await costsBy("overlap");
    expectCampaign(result, "spring sale search", {
      spend: 4325.0,
      impressions: 54922,
      clicks: 1514,
      ad_conversions: 43,
    });
    expectCampaign(result, "brand search", {
      spend: 135.1,
      impressions: 2900,
      clicks: 351,
      ad_conversions: 9.5,
    });
  });

  it("names the export's own line of a bad row and stores nothing, or lists it with --skip-invalid", async () => {
    const original = await readFile(fixture("google-ads-campaigns.csv"), "utf8");
    const broken = await cli.file("google-broken.csv", original.replace('"1,100.04"', "lots"));
    const stderr = await cli.fails(["import", "costs", broken, ...ws("bad")]);
    expect(linesNamed(stderr)[0]).toBe(6);
    expect(stderr).toMatch(/Cost "lots" is not a number/);
    expect((await costsBy("bad")).rows).toEqual([]);
    const shifted = await cli.file("google-shifted.csv", original.replace('"1,100.04"', "1.100,04"));
    const fields = await cli.fails(["import", "costs", shifted, ...ws("bad")]);
    expect(fields).toMatch(/Line 6: the row has 12 fields where the header has 11/);
    const negative = await cli.file("google-negative.csv", original.replace(",131,", ",-131,"));
    expect(linesNamed(await cli.fails(["import", "costs", negative, ...ws("bad")]))[0]).toBe(7);
    const out = await cli.ok(["import", "costs", broken, "--skip-invalid", ...ws("bad")]);
    expectSummary(out, { read: 6, stored: 5, rejected: 1 });
    expect(out).toMatch(/line 6: Cost "lots"/);
    // One decimal separator per file: a decimal comma among decimal points is not guessed at.
    const mixed = await cli.file("google-mixed.csv", original.replace('"1,100.04"', '"1.100,04"'));
    expect(await cli.fails(["import", "costs", mixed, ...ws("bad")])).toMatch(
      /Line 6 writes numbers with a decimal comma/,
    );
  });

  it("refuses a Meta export without the Day breakdown rather than put a month's spend on its first day", async () => {
    const monthly = await cli.file(
      "meta-monthly.csv",
      "Reporting starts,Reporting ends,Campaign name,Amount spent (EUR),Impressions,Results\n" +
        "2026-03-01,2026-03-01,One Day,10.00,100,1\n" +
        "2026-03-01,2026-03-31,Whole Month,310.00,3100,9\n",
    );
    const before = await costsBy("bad");
    const stderr = await cli.fails(["import", "costs", monthly, ...ws("bad")]);
    expect(stderr).toMatch(/Line 3: the row covers Reporting starts 2026-03-01 to Reporting ends 2026-03-31/);
    expect(stderr).toMatch(/Breakdown → By time → Day/);
    expect(await costsBy("bad")).toEqual(before);
  });

  it("hints at the presets when a file lacks the kind's columns, and checks --preset against the kind", async () => {
    const other = await cli.file("other.csv", "Period,Campaign title,Amount\n2026-03-01,X,3\n");
    const stderr = await cli.fails(["import", "costs", other, ...ws("bad")]);
    expect(stderr).toMatch(/--preset/);
    expect(stderr).toMatch(/google-ads, meta-ads, linkedin-ads, microsoft-ads/);
    expect(
      await cli.fails([
        "import",
        "email",
        fixture("google-ads-campaigns.csv"),
        "--preset",
        "google-ads",
        ...ws("bad"),
      ]),
    ).toMatch(/reads costs/);
    expect(await cli.fails(["import", "costs", other, "--preset", "google-ads", ...ws("bad")])).toMatch(
      /"Cost"/,
    );
    expect(await cli.fails(["import", "costs", other, "--preset", "tiktok", ...ws("bad")])).toMatch(
      /not a preset/,
    );
  });
});
