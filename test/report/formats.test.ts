import { parse as parseCsv } from "csv-parse/sync";
import { parse as parseHtml } from "node-html-parser";
import { extractText } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCohorts } from "../../src/analysis/cohorts/run-cohorts.js";
import { KPI_BY_ID } from "../../src/kpi/catalog.js";
import type { KpiResult } from "../../src/kpi/run-query.js";
import type { Lang } from "../../src/model/lang.js";
import type { Workspace } from "../../src/model/workspace.js";
import { formatNumber } from "../../src/report/format-number.js";
import { AUDIT_KPIS, gatherAudit } from "../../src/report/gather-audit.js";
import { gatherPeriodic, PERIODIC_KPIS } from "../../src/report/gather-periodic.js";
import { CAMPAIGN_KPIS } from "../../src/report/kpi-meta.js";
import type { ReportModel } from "../../src/report/model.js";
import { reportProviders } from "../../src/report/providers.js";
import { renderReport } from "../../src/report/render.js";
import { type Kit, openKit } from "../kpi/fixture.js";
import { FORMULA, FORMULA_KEY, loadShop, TAG } from "./fixture.js";

let kit: Kit;
let ws: Workspace;

beforeAll(async () => {
  kit = await openKit();
  ws = await loadShop(kit);
});
afterAll(async () => kit.close());

const unitOf = (id: string) => KPI_BY_ID.get(id)?.unit ?? "count";
/** Spaces of every kind as one plain space: PDF extraction and Intl differ only there. */
const spaces = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, " ").trim();

async function render(model: ReportModel) {
  const [html, pdf, md, csv] = await Promise.all(
    (["html", "pdf", "md", "csv"] as const).map((f) => renderReport(model, f)),
  );
  const pdfText = (await extractText(new Uint8Array(pdf?.body as Buffer), { mergePages: true })).text;
  return {
    html: parseHtml(html?.body.toString("utf8") ?? ""),
    rawHtml: html?.body.toString("utf8") ?? "",
    pdfText: spaces(pdfText),
    md: md?.body.toString("utf8") ?? "",
    csv: parseCsv(csv?.body.toString("utf8") ?? "", { bom: true, columns: true }) as Record<string, string>[],
  };
}

/** The rows of the Markdown table that follows the heading `## title`, as cells (unescaped). */
function markdownTable(md: string, title: string): string[][] {
  const lines = md.split("\n");
  const start = lines.indexOf(`## ${title}`);
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  let i = start + 1;
  while (i < lines.length && !lines[i]?.startsWith("|")) i++;
  for (; i < lines.length && lines[i]?.startsWith("|"); i++) {
    rows.push(
      (lines[i] as string)
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((c) =>
          c.replace(/\\(.)/g, "$1").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"),
        ),
    );
  }
  return rows.slice(2); // header and alignment rows
}

/** Checks every campaign figure of every format against the KPI API's grouped result. */
function expectCampaignTable(
  out: Awaited<ReturnType<typeof render>>,
  grouped: KpiResult,
  lang: Lang,
  title: string,
) {
  const fmt = (id: string, v: unknown) =>
    formatNumber(typeof v === "number" ? v : null, unitOf(id), lang, "EUR");
  expect(grouped.rows.length).toBeGreaterThan(1);
  // CSV: one row per campaign and figure, the raw value and the written one; a number is a
  // number there, negative ones included (no leading apostrophe).
  const campaignRows = out.csv.filter((r) => r.campaign !== "(total)");
  expect(campaignRows).toHaveLength(grouped.rows.length * CAMPAIGN_KPIS.length);
  for (const row of grouped.rows) {
    for (const id of CAMPAIGN_KPIS) {
      const name = String(row.campaign);
      const line = campaignRows.find(
        (r) => r.kpi === id && (r.campaign ?? "").replace(/^'(?=[=+\-@\t\r])/, "") === name,
      );
      expect(line, `${name} ${id} in CSV`).toBeDefined();
      const value = row[id];
      expect(line?.value).toBe(value === null || value === undefined ? "" : String(value));
      expect(line?.formatted?.replace(/^'/, "")).toBe(fmt(id, value));
    }
  }
  // HTML: each cell carries the raw value and shows the written one.
  const section = out.html.querySelector("section#campaigns");
  const trs = section?.querySelectorAll("tbody tr") ?? [];
  expect(trs).toHaveLength(grouped.rows.length);
  grouped.rows.forEach((row, i) => {
    const tds = trs[i]?.querySelectorAll("td") ?? [];
    expect(tds[0]?.text).toBe(String(row.campaign));
    CAMPAIGN_KPIS.forEach((id, j) => {
      const td = tds[j + 1];
      expect(td?.getAttribute("data-kpi")).toBe(id);
      expect(td?.getAttribute("data-value")).toBe(row[id] === null ? "" : String(row[id]));
      expect(td?.text).toBe(fmt(id, row[id]));
    });
  });
  // Markdown: the same table.
  const md = markdownTable(out.md, title);
  expect(md).toHaveLength(grouped.rows.length);
  grouped.rows.forEach((row, i) => {
    expect(md[i]?.[0]).toBe(String(row.campaign));
    CAMPAIGN_KPIS.forEach((id, j) => {
      expect(md[i]?.[j + 1]).toBe(fmt(id, row[id]));
    });
  });
  // PDF: every written figure is in the extracted text.
  for (const row of grouped.rows)
    for (const id of CAMPAIGN_KPIS) expect(out.pdfText).toContain(spaces(fmt(id, row[id])));
}

describe("periodic report", () => {
  for (const lang of ["en", "fr"] as const) {
    it(`writes the KPI API's figures in every format (${lang})`, async () => {
      const model = await gatherPeriodic(kit.store, ws, { period: "month", asOf: "2026-04-30", lang }, {});
      expect([model.from, model.to]).toEqual(["2026-04-01", "2026-04-30"]);
      const out = await render(model);
      const kpis = [...PERIODIC_KPIS];
      const now = await kit.query(ws, { kpis, from: "2026-04-01", to: "2026-04-30" });
      // April 1–30 against the whole of March, 1–31.
      const before = await kit.query(ws, { kpis, from: "2026-03-01", to: "2026-03-31" });
      const lastYear = await kit.query(ws, { kpis, from: "2025-04-01", to: "2025-04-30" });
      expect(now.totals.spend).toBeCloseTo(3061.99, 6);
      const fmt = (id: string, v: number | null | undefined) =>
        formatNumber(v ?? null, unitOf(id), lang, "EUR");
      // HTML: the KPI table's value, previous and year-before columns.
      const rows = out.html.querySelectorAll("section#kpis tbody tr");
      expect(rows).toHaveLength(kpis.length);
      kpis.forEach((id, i) => {
        const tds = rows[i]?.querySelectorAll("td") ?? [];
        expect(tds[1]?.getAttribute("data-kpi")).toBe(id);
        expect(tds[1]?.getAttribute("data-value")).toBe(
          now.totals[id] === null ? "" : String(now.totals[id]),
        );
        expect(tds[1]?.text).toBe(fmt(id, now.totals[id]));
        expect(tds[2]?.text).toBe(fmt(id, before.totals[id]));
        expect(tds[4]?.text).toBe(fmt(id, lastYear.totals[id]));
      });
      // CSV: the same headline totals first, as rows of the campaign "(total)", numbers as numbers.
      const totals = out.csv.filter((r) => r.campaign === "(total)");
      expect(totals.map((r) => r.kpi)).toEqual(kpis);
      expect(out.csv.slice(0, kpis.length)).toEqual(totals);
      kpis.forEach((id, i) => {
        const v = now.totals[id];
        expect(totals[i]?.value).toBe(v === null || v === undefined ? "" : String(v));
        expect(totals[i]?.formatted).toBe(fmt(id, v));
      });
      expect(Number(totals.find((r) => r.kpi === "spend")?.value)).toBeCloseTo(3061.99, 6);
      // Markdown and PDF: the same values.
      const title =
        lang === "en"
          ? "KPIs against the previous period and a year before"
          : "Indicateurs face à la période précédente et à l'année précédente";
      const md = markdownTable(out.md, title.replace(/'/g, "'"));
      kpis.forEach((id, i) => {
        expect(md[i]?.[1]).toBe(fmt(id, now.totals[id]));
        expect(md[i]?.[2]).toBe(fmt(id, before.totals[id]));
        expect(md[i]?.[4]).toBe(fmt(id, lastYear.totals[id]));
        expect(out.pdfText).toContain(spaces(fmt(id, now.totals[id])));
      });
      const grouped = await kit.query(ws, {
        kpis,
        from: "2026-04-01",
        to: "2026-04-30",
        groupBy: ["campaign"],
      });
      expectCampaignTable(out, grouped, lang, lang === "en" ? "By campaign" : "Par campagne");
      // Trends: the first chart's numbers, written as a table in Markdown, are the API's by day.
      const trend = await kit.query(ws, {
        kpis: ["spend", "revenue"],
        from: "2026-04-01",
        to: "2026-04-30",
        interval: "day",
      });
      const trendMd = markdownTable(out.md, lang === "en" ? "Trends" : "Évolution");
      expect(trendMd).toHaveLength(30);
      trend.rows.forEach((row, i) => {
        expect(trendMd[i]).toEqual([
          String(row.period),
          fmt("spend", row.spend as number),
          fmt("revenue", row.revenue as number),
        ]);
      });
    });
  }

  it("adds the year's cohort retention triangle when asked", async () => {
    const model = await gatherPeriodic(
      kit.store,
      ws,
      { period: "month", asOf: "2026-04-30", lang: "en", cohorts: "first_order_month" },
      {},
    );
    const out = await render(model);
    const triangle = await runCohorts(kit.store, ws, {
      by: "first_order_month",
      kpi: "retention",
      from: "2025-04-01",
      to: "2026-04-30",
    });
    expect(triangle.cohorts.length).toBeGreaterThan(0);
    const rows = out.html.querySelectorAll("section#cohorts tbody tr");
    expect(rows).toHaveLength(triangle.cohorts.length);
    triangle.cohorts.forEach((c, i) => {
      const tds = rows[i]?.querySelectorAll("td") ?? [];
      expect(tds[0]?.text).toBe(c.cohort);
      c.values.forEach((v, k) => {
        expect(tds[k + 2]?.text).toBe(formatNumber(v, "percent", "en", "EUR"));
      });
    });
    expect(markdownTable(out.md, "Cohorts: retention in percent by period since the start")).toHaveLength(
      triangle.cohorts.length,
    );
    const without = await gatherPeriodic(
      kit.store,
      ws,
      { period: "month", asOf: "2026-04-30", lang: "en" },
      {},
    );
    expect(without.sections.map((x) => x.id)).not.toContain("cohorts");
  });

  it("says plainly which sections are not available without their providers", async () => {
    const model = await gatherPeriodic(
      kit.store,
      ws,
      { period: "month", asOf: "2026-04-30", lang: "en" },
      {},
    );
    const out = await render(model);
    for (const id of ["goals", "budget", "alerts"]) {
      expect(out.html.querySelector(`section#${id} .note`)?.text).toMatch(/not available/);
    }
  });

  it("uses the providers' goals, budget advice and alerts of the period", async () => {
    const model = await gatherPeriodic(
      kit.store,
      ws,
      { period: "month", asOf: "2026-04-30", lang: "en" },
      {
        goals: async (asOf) => ({
          as_of: asOf,
          goals: [
            {
              id: "q2-revenue",
              objective: "grow",
              kpi: "revenue",
              kind: "cumulative",
              direction: "up",
              target: 12000,
              start: "2026-04-01",
              deadline: "2026-06-30",
              current: 4565.3,
              baseline: 0,
              expected: 4000,
              progress: 38.04,
              forecast: 13000,
              required_per_day: 120,
              status: "off_track",
            },
          ],
        }),
        budget: async ({ from, to }) => ({
          from,
          to,
          total: 100,
          campaigns: [
            {
              campaign: "summer",
              spend: 100,
              roi: -10,
              cpa: 50,
              proposed: 80,
              change: -20,
              reason: "Worse ROI.",
            },
          ],
        }),
        alerts: async () => [
          {
            rule: "cpa-high",
            fired_at: "2026-04-10T08:00:00Z",
            period: { from: "2026-04-09", to: "2026-04-09" },
            value: 51,
            threshold: 40,
            deliveries: [],
          },
          {
            rule: "old",
            fired_at: "2026-02-10T08:00:00Z",
            period: { from: "2026-02-09", to: "2026-02-09" },
            value: 1,
            threshold: 2,
            deliveries: [],
          },
        ],
      },
    );
    const out = await render(model);
    expect(out.html.querySelector("section#goals tbody")?.text).toContain("q2-revenue");
    expect(out.html.querySelector("section#goals tbody td")?.text).toBe("grow");
    expect(out.html.querySelector("section#goals tbody")?.text).toContain("off track");
    expect(out.html.querySelector("section#warnings")?.text).toContain("Goal q2-revenue is off track.");
    expect(out.html.querySelector("section#budget tbody")?.text).toContain("Worse ROI.");
    const alerts = out.html.querySelector("section#alerts tbody")?.text ?? "";
    expect(alerts).toContain("cpa-high");
    expect(alerts).not.toContain("old");
  });
});

describe("post-campaign audit", () => {
  it("covers the campaign's first to last day with data and writes the KPI API's figures", async () => {
    const model = await gatherAudit(kit.store, ws, { campaign: " Spring_Sale ", lang: "en" }, {});
    // First cost row 2025-04-05 … last 2026-04-10: its dates span all its data.
    expect([model.from, model.to]).toEqual(["2025-04-05", "2026-04-10"]);
    const bounded = await gatherAudit(
      kit.store,
      ws,
      { campaign: "spring_sale", from: "2026-04-01", lang: "en" },
      {},
    );
    expect([bounded.from, bounded.to]).toEqual(["2026-04-01", "2026-04-10"]);
    const out = await render(bounded);
    const api = await kit.query(ws, {
      kpis: [...AUDIT_KPIS],
      from: "2026-04-01",
      to: "2026-04-10",
      where: ["campaign=spring_sale"],
    });
    const cells = out.html.querySelectorAll("section#results td[data-kpi]");
    expect(cells.map((c) => c.getAttribute("data-kpi"))).toEqual([...AUDIT_KPIS]);
    for (const cell of cells) {
      const id = cell.getAttribute("data-kpi") as string;
      expect(cell.getAttribute("data-value")).toBe(api.totals[id] === null ? "" : String(api.totals[id]));
      const written = formatNumber(api.totals[id] ?? null, unitOf(id), "en", "EUR");
      expect(cell.text).toBe(written);
      expect(out.pdfText).toContain(spaces(written));
    }
    const md = markdownTable(out.md, "Results");
    AUDIT_KPIS.forEach((id, i) => {
      expect(md[i]?.[1]).toBe(formatNumber(api.totals[id] ?? null, unitOf(id), "en", "EUR"));
    });
    const grouped = await kit.query(ws, {
      kpis: [...AUDIT_KPIS],
      from: "2026-04-01",
      to: "2026-04-10",
      groupBy: ["campaign"],
    });
    expectCampaignTable(out, grouped, "en", "By campaign");
    // Rank among the campaigns: spring_sale has the best ROI of the four.
    expect(out.html.querySelector("section#worked")?.text).toContain("The best ROI");
    expect(out.html.querySelector("section#recommendations")?.text).toContain("Scale it");
  });

  it("shows the saved funnel for the visitors who entered it from the campaign", async () => {
    await kit.store.writeDocuments(ws.name, [
      { kind: "funnel", id: "signup", body: { id: "signup", steps: ["pageview /*", "Signed Up"] } },
    ]);
    try {
      const providers = reportProviders(kit.store, ws);
      const funnelRows = async (campaign: string) => {
        const model = await gatherAudit(
          kit.store,
          ws,
          { campaign, from: "2026-04-01", to: "2026-04-30", lang: "en" },
          providers,
        );
        const out = await render(model);
        expect(out.pdfText).toContain("signup (7d)");
        return markdownTable(out.md, "Funnel").map((row) => row.slice(0, 3));
      };
      // spring_sale: v1 and v2 entered from it, v1 signed up; summer: v3 and v4, v4 signed up.
      expect(await funnelRows("spring_sale")).toEqual([
        ["1. pageview /*", "2", "100.00%"],
        ["2. Signed Up", "1", "50.00%"],
      ]);
      expect(await funnelRows("Summer")).toEqual([
        ["1. pageview /*", "2", "100.00%"],
        ["2. Signed Up", "1", "50.00%"],
      ]);
      // Nobody entered from the tag-named campaign: every step is 0, the rates undefined.
      expect((await funnelRows(TAG)).map((row) => row[1])).toEqual(["0", "0"]);
    } finally {
      await kit.store.writeDocuments(ws.name, [{ kind: "funnel", id: "signup", body: null }]);
    }
  });

  it("refuses a campaign without data with a sentence", async () => {
    await expect(gatherAudit(kit.store, ws, { campaign: "nope", lang: "en" }, {})).rejects.toThrow(
      /has no data/,
    );
  });
});

describe("campaign names are data in every format", () => {
  it("escapes an HTML tag and neutralises a spreadsheet formula", async () => {
    const model = await gatherPeriodic(
      kit.store,
      ws,
      { period: "month", asOf: "2026-04-30", lang: "en" },
      {},
    );
    const out = await render(model);
    // HTML: no element from the name, no script, no external reference.
    expect(out.html.querySelectorAll("img")).toHaveLength(0);
    expect(out.html.querySelectorAll("script")).toHaveLength(0);
    for (const el of out.html.querySelectorAll("[src],[href]")) {
      expect(el.getAttribute("src") ?? el.getAttribute("href")).not.toMatch(/^(https?:)?\/\//);
    }
    // The only URL in the file is the campaign name's own text, escaped.
    expect(out.rawHtml.replaceAll("&quot;http://x&quot;", "")).not.toMatch(/https?:\/\//i);
    const names = out.html.querySelectorAll("section#campaigns tbody tr td:first-child").map((td) => td.text);
    expect(names).toContain(TAG);
    expect(names).toContain(FORMULA_KEY);
    // Markdown: the tag is not HTML there either, and pipes do not break the table.
    expect(out.md).not.toContain("<img");
    expect(out.md).toContain("&lt;img src=x onerror=alert\\(1\\)&gt;");
    // CSV: every text cell starting with = + - @ tab or CR is neutralised; values are numbers.
    for (const row of out.csv) {
      for (const [column, cell] of Object.entries(row)) {
        if (column === "value") expect(cell).toMatch(/^(-?\d+(\.\d+)?(e[+-]\d+)?)?$/);
        else expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    expect(out.csv.some((r) => r.value?.startsWith("-"))).toBe(true);
    expect(out.csv.some((r) => r.campaign === `'${FORMULA_KEY}`)).toBe(true);
    expect(out.csv.some((r) => r.campaign === TAG)).toBe(true);
    // PDF: both names are drawn as text.
    expect(out.pdfText).toContain(TAG);
    expect(out.pdfText).toContain(FORMULA_KEY);
    expect(FORMULA).not.toBe(FORMULA_KEY);
  });

  it("draws any Unicode campaign name in the PDF, replacing what the font lacks", async () => {
    await kit.load(ws, "costs", "date,campaign,spend\n2026-04-20,été-soldes-日本-😀,10");
    const model = await gatherPeriodic(
      kit.store,
      ws,
      { period: "month", asOf: "2026-04-30", lang: "fr" },
      {},
    );
    const out = await render(model);
    expect(out.pdfText).toContain("été-soldes-??-");
    expect(out.html.querySelector("section#campaigns")?.text).toContain("été-soldes-日本-😀");
  });
});
