import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { loadDemo } from "../../src/demo/load-demo.js";
import type { KpiResult } from "../../src/kpi/run-query.js";
import { generateKey } from "../../src/model/keys.js";
import { buildApp } from "../../src/server/app.js";
import { defaultWebRoot } from "../../src/server/dashboard/routes.js";
import { createShare, revokeShare } from "../../src/server/dashboard/shares.js";
import { ensureAdmin } from "../../src/server/dashboard/users.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { Store } from "../../src/store/store.js";

/**
 * End to end: a real Chromium signs in to the dashboard served by an in-process Sextant on a real
 * DuckDB file, and what the pages show (data-value) is what the KPI API answers.
 */
const CHROMIUM = process.env.SEXTANT_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const PASSWORD = "correct horse battery";
const INJECTION = "<img src=x onerror=window.__pwned=1>";
const SHOTS = join(process.cwd(), "test-results");
const FROM = "2026-03-04";
const TO = "2026-03-31";

let dir: string;
let store: Store;
let app: FastifyInstance;
let base: string;
let readKey: string;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does).`);
  if (!existsSync(join(defaultWebRoot(), "index.html")))
    throw new Error("The dashboard is not built: run `npm run build` (npm test does) before this test.");
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "sextant-dashboard-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"));
  await loadDemo(store, { name: "demo", days: 28, seed: 3, endDate: TO });
  // A campaign whose name is markup: it must be shown as text and never run.
  const costs = join(dir, "costs.csv");
  writeFileSync(costs, `date,campaign,spend,clicks,impressions\n2026-03-20,"${INJECTION}",12.5,3,100\n`);
  const out: string[] = [];
  const code = await runCli(["node", "sextant", "import", "costs", costs, "--workspace", "demo"], {
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    store,
  });
  if (code !== 0) throw new Error(out.join(""));
  await ensureAdmin(store, PASSWORD);
  const key = generateKey("read");
  await store.saveKey({ id: key.id, workspace: "demo", kind: "read", hash: key.hash });
  readKey = key.secret;
  app = await buildApp({ store });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("not listening");
  base = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function never(): never {
  throw new Error("the demo workspace is missing");
}

async function api(query: string): Promise<KpiResult> {
  const response = await fetch(`${base}/api/v1/kpis?${query}`, {
    headers: { authorization: `Bearer ${readKey}` },
  });
  if (response.status !== 200) throw new Error(`${query}: ${response.status} ${await response.text()}`);
  return (await response.json()) as KpiResult;
}

async function cardValue(p: Page, kpi: string): Promise<string | null> {
  const el = p.locator(`.cards [data-kpi="${kpi}"]`).first();
  await el.waitFor();
  return el.getAttribute("data-value");
}

describe("dashboard", () => {
  it("signs in with the admin account and shows the API's KPI values", async () => {
    await page.goto(`${base}/?workspace=demo&from=${FROM}&to=${TO}`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill('input[name="username"]', "admin");
    await page.fill('input[name="password"]', "wrong password");
    await page.click('button[type="submit"]');
    await page.locator("#login-error").waitFor();
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(/from=2026-03-04/), page.click('button[type="submit"]')]);
    const expected = await api(`workspace=demo&from=${FROM}&to=${TO}&kpis=visitors,revenue,cpa`);
    expect(Number(await cardValue(page, "visitors"))).toBe(expected.totals.visitors);
    expect(Number(await cardValue(page, "revenue"))).toBeCloseTo(expected.totals.revenue ?? Number.NaN, 6);
    expect(await page.locator('.cards [data-kpi="visitors"]').textContent()).toBe(
      new Intl.NumberFormat("en").format(expected.totals.visitors ?? 0),
    );
  });

  it("keeps range, interval and comparison in the URL, and the values follow the range", async () => {
    await page.selectOption('select[name="interval"]', "week");
    await page.waitForURL(/interval=week/);
    await page.fill('input[name="from"]', "2026-03-25");
    await page.waitForURL(/from=2026-03-25/);
    const expected = await api("workspace=demo&from=2026-03-25&to=2026-03-31&kpis=visitors");
    await page.waitForFunction(
      (v) => document.querySelector('.cards [data-kpi="visitors"]')?.getAttribute("data-value") === v,
      String(expected.totals.visitors),
    );
    await page.selectOption('select[name="compare"]', "previous_year");
    await page.waitForURL(/compare=previous_year/);
    // The same URL in a fresh page shows the same view.
    const again = await context.newPage();
    await again.goto(page.url());
    expect(await cardValue(again, "visitors")).toBe(String(expected.totals.visitors));
    expect(await again.inputValue('select[name="interval"]')).toBe("week");
    await again.close();
  });

  it("reaches every page from the overview by a link", async () => {
    await page.goto(`${base}/?workspace=demo&from=${FROM}&to=${TO}`);
    await page.locator("header nav a").first().waitFor();
    const links = await page
      .locator("header nav a")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
    expect(links.map((l) => l.split("?")[0])).toEqual([
      "/",
      "/goals",
      "/campaigns",
      "/traffic",
      "/email",
      "/funnels",
      "/experiments",
      "/cohorts",
      "/alerts",
      "/reports",
      "/settings",
    ]);
    for (const [i, href] of links.entries()) {
      await page.locator("header nav a").nth(i).click();
      await page.waitForURL((u) => u.pathname === href.split("?")[0]);
      await page.locator("main h1").waitFor();
      await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
      expect(await page.locator("main [role=alert]").count()).toBe(0);
      await page.screenshot({
        path: join(SHOTS, `dashboard${href.split("?")[0]?.replace(/\//g, "-") || "-"}.png`),
        fullPage: true,
      });
    }
  });

  it("shows the cohort triangle as a heat map table, the API's figures in its cells", async () => {
    await page.goto(`${base}/cohorts?workspace=demo&from=${FROM}&to=${TO}&by=first_order_month&kpi=revenue`);
    await page.locator("table.heatmap").waitFor();
    const api = await page.evaluate(
      async (q) => (await fetch(`/api/v1/cohorts?${q}`)).json(),
      `workspace=demo&from=${FROM}&to=${TO}&by=first_order_month&kpi=revenue`,
    );
    const first = api.cohorts[0];
    const cells = await page
      .locator("table.heatmap tbody tr")
      .first()
      .locator("td[data-value]")
      .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute("data-value"))));
    expect(cells).toEqual(first.values);
    expect(await page.locator("table.heatmap tbody tr").count()).toBe(api.cohorts.length);
  });

  it("shows a campaign named like markup as text, never as HTML", async () => {
    await page.goto(`${base}/campaigns?workspace=demo&from=${FROM}&to=${TO}`);
    // The name shows in the campaigns table and in the budget advice beside it: as text in both.
    // The budget advice loads after the table, so wait for both rather than for the first.
    await page.getByText(INJECTION, { exact: true }).first().waitFor();
    await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
    await expect
      .poll(() => page.getByText(INJECTION, { exact: true }).count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    expect(await page.locator("main table img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const spend = await api(
      `workspace=demo&from=${FROM}&to=${TO}&kpis=spend&group_by=campaign&where=campaign=${encodeURIComponent(INJECTION.toLowerCase())}`,
    );
    expect(spend.rows[0]?.spend).toBe(12.5);
  });

  it("switches to French: labels and number formats", async () => {
    await page.goto(`${base}/?workspace=demo&from=${FROM}&to=${TO}`);
    await page.selectOption('select[name="lang"]', "fr");
    await page.waitForURL(/lang=fr/);
    await page.locator("main h1", { hasText: "Vue d’ensemble" }).waitFor();
    expect(await page.getAttribute("html", "lang")).toBe("fr");
    const revenue = Number(await cardValue(page, "revenue"));
    expect(await page.locator('.cards [data-kpi="revenue"]').textContent()).toBe(
      new Intl.NumberFormat("fr", { style: "currency", currency: "EUR" }).format(revenue),
    );
    await page.locator("abbr.kpi-label", { hasText: "Visiteurs" }).first().waitFor();
  });

  it("imports a file from the settings page, or says the import route has not landed", async () => {
    await page.goto(`${base}/settings?workspace=demo`);
    const file = join(dir, "more-costs.csv");
    writeFileSync(file, "date,campaign,spend\n2026-03-21,extra,10\n");
    await page.selectOption('select[name="kind"]', "costs");
    await page.setInputFiles('input[name="file"]', file);
    await page.click('form.stack button[type="submit"]');
    await page.waitForFunction(
      () => (document.querySelector("[data-state=import-result]")?.textContent ?? "") !== "",
    );
    expect(await page.locator("[data-state=import-result]").textContent()).toMatch(
      /^(Imported: |Not available yet)/,
    );
  });

  it("rejects a state-changing request made with the cookie but without the CSRF token", async () => {
    const response = await context.request.post(`${base}/logout`, { maxRedirects: 0 });
    expect(response.status()).toBe(403);
  });

  it("opens a share link read-only, and not after it is revoked", async () => {
    const { link, token } = await createShare(store, "demo", 86_400_000);
    const guest = await browser?.newContext();
    if (!guest) throw new Error("no browser");
    const g = await guest.newPage();
    await g.goto(`${base}/share/${token}`);
    expect(new URL(g.url()).searchParams.get("workspace")).toBe("demo");
    await g.locator(".badge").waitFor();
    expect(await cardValue(g, "visitors")).not.toBe("");
    expect((await guest.request.get(`${base}/api/v1/kpis?workspace=demo&kpis=visitors`)).status()).toBe(200);
    expect((await guest.request.get(`${base}/api/v1/kpis?workspace=other&kpis=visitors`)).status()).toBe(403);
    // Read-only: the goals are shown, with no control to change them.
    await g.goto(`${base}/goals?workspace=demo&from=${FROM}&to=${TO}`);
    await g.locator("ul.goals li").first().waitFor();
    expect(await g.locator("[data-editor], ul.goals button").count()).toBe(0);
    await revokeShare(store, ["demo"], link.id);
    expect((await guest.request.get(`${base}/api/v1/kpis?workspace=demo&kpis=visitors`)).status()).toBe(401);
    await g.goto(`${base}/`);
    expect(new URL(g.url()).pathname).toBe("/login");
    expect((await guest.request.get(`${base}/share/${token}`, { maxRedirects: 0 })).status()).toBe(401);
    await guest.close();
  });

  it("fits a 390 px wide screen", async () => {
    const narrow = await browser?.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await context.storageState(),
    });
    if (!narrow) throw new Error("no browser");
    const p = await narrow.newPage();
    await p.goto(`${base}/?workspace=demo&from=${FROM}&to=${TO}`);
    await cardValue(p, "visitors");
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await p.screenshot({ path: join(SHOTS, "dashboard-390px.png"), fullPage: true });
    await narrow.close();
  });

  it("creates, edits and deletes a goal from the goals page, as the configuration export shows", async () => {
    await page.goto(`${base}/goals?workspace=demo&from=${FROM}&to=${TO}`);
    const editor = page.locator("[data-editor=goals]");
    await editor.waitFor();
    await editor.locator('input[name="objective_id"]').fill("browser-objective");
    await editor.locator('select[name="type"]').selectOption("conversion");
    await editor.locator('input[name="title"]').fill("Made in the browser");
    await editor.getByRole("button", { name: "Save objective" }).click();
    await editor.locator("[role=status]").waitFor();
    await editor
      .locator('select[name="objective"] option[value="browser-objective"]')
      .waitFor({ state: "attached" });
    await editor.locator('select[name="objective"]').selectOption("browser-objective");
    // The KPIs suggested for a conversion objective come first.
    await editor
      .locator('select[name="kpi"] optgroup')
      .first()
      .locator('option[value="conversion_rate"]')
      .waitFor({ state: "attached" });
    await editor.locator('input[name="goal_id"]').fill("browser-goal");
    await editor.locator('select[name="kpi"]').selectOption("orders");
    await editor.locator('input[name="target"]').fill("123");
    await editor.locator('input[name="start"]').fill("2026-03-01");
    await editor.locator('input[name="deadline"]').fill("2026-06-30");
    await editor.getByRole("button", { name: "Save goal" }).click();
    const card = page.locator("ul.goals li", { hasText: "browser-goal" });
    await card.waitFor();
    const config = async () => {
      const response = await page.request.get(`${base}/api/v1/config?workspace=demo&format=json`);
      expect(response.status()).toBe(200);
      const body = (await response.json()) as {
        objectives: { id: string; goals?: { id: string; target: number }[] }[];
      };
      return body.objectives.find((o) => o.id === "browser-objective");
    };
    expect((await config())?.goals).toEqual([
      { id: "browser-goal", kpi: "orders", target: 123, start: "2026-03-01", deadline: "2026-06-30" },
    ]);

    // A refused goal shows the server's sentence and changes nothing (Chromium logs the 400: expected).
    const logged = consoleErrors.length;
    await editor.locator('input[name="goal_id"]').fill("bad-goal");
    await editor.locator('input[name="deadline"]').fill("2026-02-01");
    await editor.getByRole("button", { name: "Save goal" }).click();
    await editor.locator("[role=alert]").waitFor();
    expect(await editor.locator("[role=alert]").textContent()).toContain("nothing was changed");
    expect((await config())?.goals?.map((g) => g.id)).toEqual(["browser-goal"]);
    const refused = consoleErrors.splice(logged);
    expect(refused.every((e) => e.includes("400"))).toBe(true);

    await card.getByRole("button", { name: "Edit" }).click();
    await editor.locator('input[name="goal_id"][readonly]').waitFor();
    await editor.locator('input[name="target"]').fill("150");
    await editor.getByRole("button", { name: "Save goal" }).click();
    await expect.poll(async () => (await config())?.goals?.[0]?.target, { timeout: 60_000 }).toBe(150);

    await card.getByRole("button", { name: "Delete" }).click();
    await card.waitFor({ state: "detached" });
    expect((await config())?.goals).toBeUndefined();
  });

  it("creates a funnel from steps picked among the pages seen, and deletes it", async () => {
    await page.goto(`${base}/funnels?workspace=demo&from=${FROM}&to=${TO}`);
    const editor = page.locator("[data-editor=funnels]");
    await editor.waitFor();
    await editor.locator('datalist option[value="pageview /pricing"]').waitFor({ state: "attached" });
    await editor.locator('input[name="funnel_id"]').fill("browser-funnel");
    for (const step of ["pageview /pricing", "Signed Up"]) {
      await editor.locator('input[name="add_step"]').fill(step);
      await editor.getByRole("button", { name: "Add step" }).click();
    }
    await editor.locator('input[name="window"]').fill("7d");
    await editor.getByRole("button", { name: "Save funnel" }).click();
    await page
      .locator('select[name="funnel"] option', { hasText: /^browser-funnel$/ })
      .waitFor({ state: "attached" });
    const funnels = async () => {
      const response = await page.request.get(`${base}/api/v1/config?workspace=demo&format=json`);
      return ((await response.json()) as { funnels?: { id: string }[] }).funnels ?? [];
    };
    expect(await funnels()).toContainEqual({
      id: "browser-funnel",
      steps: ["pageview /pricing", "Signed Up"],
      window: "7d",
    });
    await page.getByRole("button", { name: "Edit" }).click();
    await page.locator("[data-editor=funnels]").getByRole("button", { name: "Delete" }).click();
    await page
      .locator('select[name="funnel"] option', { hasText: /^browser-funnel$/ })
      .waitFor({ state: "detached" });
    expect((await funnels()).map((f) => f.id)).not.toContain("browser-funnel");
  });

  it("creates and deletes an alert rule from the alerts page", async () => {
    await page.goto(`${base}/alerts?workspace=demo&from=${FROM}&to=${TO}`);
    const editor = page.locator("[data-editor=alerts]");
    await editor.waitFor();
    await editor.locator('input[name="rule_id"]').fill("browser-rule");
    await editor.locator('select[name="kpi"]').selectOption("cpa");
    await editor.locator('select[name="period"]').selectOption("week");
    await editor.locator('select[name="op"]').selectOption(">");
    await editor.locator('input[name="value"]').fill("40");
    await editor.getByRole("button", { name: "Save rule" }).click();
    const item = page.locator("main li", { hasText: "browser-rule" });
    await item.waitFor();
    const rule = await page.request.get(`${base}/api/v1/alerts/rules/browser-rule?workspace=demo`);
    expect(await rule.json()).toEqual({
      id: "browser-rule",
      kind: "threshold",
      kpi: "cpa",
      period: "week",
      op: ">",
      value: 40,
      channels: ["dashboard"],
    });
    await item.getByRole("button", { name: "Delete browser-rule" }).click();
    await item.waitFor({ state: "detached" });
    expect((await page.request.get(`${base}/api/v1/alerts/rules/browser-rule?workspace=demo`)).status()).toBe(
      404,
    );
  });

  it("saves an experiment's definition from the experiments page", async () => {
    await page.goto(`${base}/experiments?workspace=demo&from=${FROM}&to=${TO}`);
    const editor = page.locator("[data-editor=experiments]");
    await editor.waitFor();
    await editor.locator('input[name="experiment_id"]').fill("browser-exp");
    await editor.locator('input[name="conversion"]').fill("Order Completed");
    await editor.locator('input[name="control"]').fill("control");
    await editor.getByRole("button", { name: "Save experiment" }).click();
    await page
      .locator('select[name="experiment"] option', { hasText: /^browser-exp$/ })
      .waitFor({ state: "attached" });
    const list = await page.request.get(`${base}/api/v1/experiments?workspace=demo`);
    expect(((await list.json()) as { saved: unknown[] }).saved).toContainEqual({
      id: "browser-exp",
      conversion: "Order Completed",
      control: "control",
    });
  });

  it("says on each empty page what would fill it: the command and the docs page", async () => {
    const settings = (await store.listWorkspaces())[0]?.settings ?? never();
    await store.createWorkspace({ name: "empty", settings: { ...settings, domains: [] } });
    // The server re-reads its list of workspaces every 3 s (WorkspaceDirectory).
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const pages = [
      ["/goals", "sextant config apply", "docs/goals.md"],
      ["/funnels", "sextant config apply", "docs/funnels-and-experiments.md"],
      ["/experiments", "Experiment Viewed", "docs/funnels-and-experiments.md"],
      ["/alerts", "sextant alerts run", "docs/alerts.md"],
      ["/campaigns", "sextant import", "docs/importing.md"],
    ] as const;
    for (const [path, command, doc] of pages) {
      await page.goto(`${base}${path}?workspace=empty&from=${FROM}&to=${TO}`);
      await page.locator("main .empty").first().waitFor();
      const text = (await page.locator("main").textContent()) ?? "";
      expect(text, path).toContain(command);
      expect(text, path).toContain(doc);
      expect(text, path).not.toContain("No data for this selection.");
    }
  });

  it("logged no error in the console", () => {
    expect(consoleErrors).toEqual([]);
  });
});
