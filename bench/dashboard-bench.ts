import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { buildApp } from "../src/server/app.js";
import { defaultWebRoot } from "../src/server/dashboard/routes.js";
import { ensureAdmin } from "../src/server/dashboard/users.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { fmtMs, log, median } from "./util.js";

const CHROMIUM = process.env.SEXTANT_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
];
const PASSWORD = "bench-password-1";

export interface DashboardResult {
  readonly bundleGzipBytes: number;
  readonly apiMs: number;
  readonly pageMs: number;
  readonly overheadMs: number;
}

/** Gzipped bytes of what the first page loads: index.html and the scripts and styles it names. */
export function firstPageBundleBytes(webRoot = defaultWebRoot()): number {
  const index = readFileSync(join(webRoot, "index.html"));
  let total = gzipSync(index).length;
  for (const file of readdirSync(join(webRoot, "assets"))) {
    if (index.includes(`/assets/${file}`))
      total += gzipSync(readFileSync(join(webRoot, "assets", file))).length;
  }
  return total;
}

/**
 * Chromium opens the overview until its KPI cards show values, against the API's own time for the
 * same three KPI queries (totals, series, comparison) in the same run. Medians of `runs` warm runs.
 */
export async function benchDashboard(
  dbPath: string,
  workspace: string,
  runs: number,
): Promise<DashboardResult> {
  if (!existsSync(join(defaultWebRoot(), "index.html")))
    throw new Error("dashboard not built: npm run build");
  const store = await DuckdbStore.open(dbPath);
  const app = await buildApp({ store });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    await ensureAdmin(store, PASSWORD);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    const base = `http://127.0.0.1:${address.port}`;
    const ws = (await store.listWorkspaces()).find((w) => w.name === workspace);
    const span = ws ? await store.dataSpan(ws) : null;
    if (!span) throw new Error(`no data in workspace ${workspace}`);
    const to = span.to;
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - 27 * 86_400_000).toISOString().slice(0, 10);
    const previousTo = new Date(Date.parse(`${from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const previousFrom = new Date(Date.parse(`${from}T00:00:00Z`) - 28 * 86_400_000)
      .toISOString()
      .slice(0, 10);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name="username"]', "admin");
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.click('button[type="submit"]')]);
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const kpis =
      "visitors,sessions,conversions,conversion_rate,revenue,spend,cpa,roas,roi,bounce_rate,avg_visit_duration,open_rate";
    const queries = [
      `workspace=${workspace}&from=${from}&to=${to}&kpis=${kpis}`,
      `workspace=${workspace}&from=${from}&to=${to}&kpis=${kpis}&interval=day`,
      `workspace=${workspace}&from=${previousFrom}&to=${previousTo}&kpis=${kpis}`,
    ];
    const url = `${base}/?workspace=${workspace}&from=${from}&to=${to}`;
    const api: number[] = [];
    const shown: number[] = [];
    for (let run = 0; run <= runs; run++) {
      const t0 = performance.now();
      await Promise.all(
        queries.map(async (q) => {
          const response = await fetch(`${base}/api/v1/kpis?${q}`, { headers: { cookie } });
          if (!response.ok) throw new Error(`${q}: ${response.status}`);
          await response.arrayBuffer();
        }),
      );
      const t1 = performance.now();
      await page.goto(url);
      await page.waitForFunction(
        () =>
          (document.querySelector('.cards [data-kpi="visitors"]')?.getAttribute("data-value") ?? "") !== "",
      );
      const t2 = performance.now();
      // The first run warms caches (DuckDB's and Chromium's): not counted.
      if (run > 0) {
        api.push(t1 - t0);
        shown.push(t2 - t1);
      }
    }
    const apiMs = median(api);
    const pageMs = median(shown);
    return { bundleGzipBytes: firstPageBundleBytes(), apiMs, pageMs, overheadMs: pageMs - apiMs };
  } finally {
    await browser.close();
    await app.close();
    await store.close();
  }
}

export function printDashboard(result: DashboardResult): void {
  log(
    `    first page's bundle ${(result.bundleGzipBytes / 1024).toFixed(1)} KB gzipped (target < 250 KB): ${result.bundleGzipBytes < 250 * 1024 ? "met" : "MISSED"}`,
  );
  log(
    `    overview cards shown in ${fmtMs(result.pageMs)}; API for the same queries ${fmtMs(result.apiMs)}; ` +
      `overhead ${fmtMs(result.overheadMs)} (target ≤ 500 ms): ${result.overheadMs <= 500 ? "met" : "MISSED"}`,
  );
}
