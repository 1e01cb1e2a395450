import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KpiResult, KpiRow } from "../../src/kpi/run-query.js";
import { generateKey } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { type ClientsSite, startClientsSite } from "./clients-site.js";

/**
 * The browser clients that sites already run, unchanged, against a running Sextant on another
 * origin: Segment's analytics-next (one event per request, and batching), Plausible's npm tracker
 * and the older plausible-tracker. Each visitor browses in its own browser context (its own
 * storage and User-Agent); then the day's KPIs, in total and by page, campaign and channel, must
 * be what the visitors did, and every request must have been answered 2xx with no retry.
 */
const CHROMIUM = process.env.SEXTANT_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let dir: string;
let store: DuckdbStore;
let app: FastifyInstance;
let sextant: string;
let site: ClientsSite;
let browser: Browser | undefined;
let readKey: string;
let visitorCount = 0;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: the browser test needs it.`);
  dir = mkdtempSync(join(tmpdir(), "sextant-clients-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"));
  await store.createWorkspace({ name: "shop", settings: validateSettings({ domains: ["shop.test"] }) });
  const read = generateKey("read");
  const write = generateKey("write");
  await store.saveKey({ id: read.id, workspace: "shop", kind: "read", hash: read.hash });
  await store.saveKey({ id: write.id, workspace: "shop", kind: "write", hash: write.hash });
  readKey = read.secret;
  app = await buildApp({ store });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("Sextant is not listening on a port");
  sextant = `http://127.0.0.1:${address.port}`;
  site = await startClientsSite(sextant, write.secret);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await app?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly retry: string | undefined;
  status?: number;
  failure?: string;
}

/**
 * A new visitor: a browser context with its own storage and User-Agent (Plausible's visitor is a
 * hash of IP and User-Agent; headless Chromium's own says HeadlessChrome, rightly dropped as a
 * bot), and a record of every request its page makes to Sextant.
 */
async function visitor() {
  if (!browser) throw new Error("no browser");
  visitorCount += 1;
  const major = browser.version().split(".")[0];
  const context = await browser.newContext({
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.${visitorCount}.0 Safari/537.36`,
  });
  // Plausible's trackers ignore browsers driven by automation: this one plays a visitor's.
  await context.addInitScript(() =>
    Object.defineProperty(Navigator.prototype, "webdriver", { get: () => false }),
  );
  const page = await context.newPage();
  const sent: Sent[] = [];
  const byRequest = new Map<unknown, Sent>();
  page.on("request", (request) => {
    if (!request.url().startsWith(sextant)) return;
    const entry: Sent = {
      method: request.method(),
      path: new URL(request.url()).pathname,
      body: request.postData() === null ? null : JSON.parse(request.postData() ?? "null"),
      retry: request.headers()["x-retry-count"],
    };
    sent.push(entry);
    byRequest.set(request, entry);
  });
  page.on("response", (response) => {
    const entry = byRequest.get(response.request());
    if (entry) entry.status = response.status();
  });
  page.on("requestfailed", (request) => {
    const entry = byRequest.get(request);
    if (entry && entry.status === undefined) entry.failure = request.failure()?.errorText ?? "failed";
  });
  return {
    page,
    sent,
    /** Waits until `count` event POSTs have been answered (answered means stored). */
    async answered(count: number): Promise<void> {
      const deadline = Date.now() + 15_000;
      const posts = () => sent.filter((s) => s.method === "POST" && s.status !== undefined);
      while (posts().length < count) {
        const failed = sent.filter((s) => s.failure);
        if (failed.length) throw new Error(`A request failed: ${JSON.stringify(failed)}`);
        if (Date.now() > deadline)
          throw new Error(`Waited for ${count} answered POSTs, got ${JSON.stringify(sent)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => context.close(),
  };
}

/** Scrolls to the bottom and lets the page see the scroll event. */
async function scrollToBottom(page: Page): Promise<void> {
  await page.evaluate(async () => {
    window.scrollTo(0, document.documentElement.scrollHeight);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

/** The page is hidden (another tab, the phone locked): what browsers tell pages before they go. */
async function hide(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { get: () => "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
}

async function kpis(query: string): Promise<KpiResult> {
  const response = await fetch(`${sextant}/api/v1/kpis?${query}`, {
    headers: { authorization: `Bearer ${readKey}` },
  });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`GET /api/v1/kpis?${query} answered ${response.status}: ${body}`);
  return JSON.parse(body) as KpiResult;
}

function row(result: KpiResult, key: string, value: string): KpiRow | undefined {
  return result.rows.find((r) => r[key] === value);
}

const everyRequest: Sent[] = [];

describe("browser clients that sites already run, unchanged", () => {
  it("delivers Segment's analytics-next, one event per request: pages, SPA navigation, identify, an order", async () => {
    const v = await visitor();
    await v.page.goto(`${site.origin}/segment/landing?utm_source=google&utm_medium=cpc&utm_campaign=Spring`);
    await v.answered(1);
    await v.page.click("#pricing");
    await v.answered(2);
    await v.page.click("#identify");
    await v.answered(3);
    await v.page.click("#order");
    await v.answered(4);
    const posts = v.sent.filter((s) => s.method === "POST");
    expect(posts.map((p) => p.path)).toEqual(["/v1/p", "/v1/p", "/v1/i", "/v1/t"]);
    expect(posts[3]?.body).toMatchObject({ event: "Order Completed", userId: "user-1" });
    everyRequest.push(...v.sent);
    await v.close();
  });

  it("delivers Segment's analytics-next in batching mode to /v1/b", async () => {
    const v = await visitor();
    await v.page.goto(
      `${site.origin}/segment/landing?batch=1&utm_source=newsletter&utm_medium=email&utm_campaign=News`,
    );
    await v.page.click("#signup");
    await v.page.click("#pricing");
    // Three events fill the batch: one request.
    await v.answered(1);
    const posts = v.sent.filter((s) => s.method === "POST");
    expect(posts.map((p) => p.path)).toEqual(["/v1/b"]);
    expect((posts[0]?.body as { batch?: unknown[] } | undefined)?.batch).toHaveLength(3);
    everyRequest.push(...v.sent);
    await v.close();
  });

  it("delivers Plausible's npm tracker: page views, SPA navigation, an order with revenue, engagement", async () => {
    const v = await visitor();
    await v.page.goto(
      `${site.origin}/plausible/landing?utm_source=facebook&utm_medium=social&utm_campaign=Summer`,
    );
    await v.answered(1);
    await scrollToBottom(v.page);
    await v.page.click("#order");
    await v.answered(2);
    // Navigating away sends the landing page's engagement (it was scrolled), then the new page view.
    await v.page.click("#pricing");
    await v.answered(4);
    const names = v.sent.filter((s) => s.method === "POST").map((p) => (p.body as { n: string }).n);
    expect(names).toEqual(["pageview", "Order Completed", "engagement", "pageview"]);
    // Leaving the second page (hidden, then closed) sends its engagement once.
    await hide(v.page);
    await v.answered(5);
    expect((v.sent[4]?.body as { u?: string } | undefined)?.u).toMatch(/\/plausible\/pricing$/);
    everyRequest.push(...v.sent);
    await v.close();
  });

  it("delivers Plausible's npm tracker for a visitor who reads one page and leaves: still a bounce", async () => {
    const v = await visitor();
    await v.page.goto(`${site.origin}/plausible/landing`);
    await v.answered(1);
    await v.page.click("#video");
    await v.answered(2);
    await scrollToBottom(v.page);
    await hide(v.page);
    await v.answered(3);
    const bodies = v.sent.filter((s) => s.method === "POST").map((p) => p.body as Record<string, unknown>);
    expect(bodies.map((b) => b.n)).toEqual(["pageview", "Video Played", "engagement"]);
    expect(bodies[1]?.i).toBe(false);
    expect(bodies[2]).toMatchObject({ sd: 100 });
    everyRequest.push(...v.sent);
    await v.close();
  });

  it("delivers the older plausible-tracker, whose props are a JSON string", async () => {
    const v = await visitor();
    await v.page.goto(`${site.origin}/legacy/landing`);
    await v.answered(1);
    await v.page.waitForSelector("html[data-ready=yes]");
    await v.page.click("#signup");
    await v.answered(2);
    const bodies = v.sent.filter((s) => s.method === "POST").map((p) => p.body as Record<string, unknown>);
    expect(bodies[1]).toMatchObject({ n: "Signed Up", p: JSON.stringify({ plan: "free" }) });
    everyRequest.push(...v.sent);
    await v.close();
  });

  it("answered every request 2xx, and no client retried", () => {
    expect(everyRequest.length).toBeGreaterThanOrEqual(12);
    for (const request of everyRequest) {
      expect(request.failure, JSON.stringify(request)).toBeUndefined();
      expect(request.status, JSON.stringify(request)).toBeGreaterThanOrEqual(200);
      expect(request.status, JSON.stringify(request)).toBeLessThan(300);
      expect(request.retry, JSON.stringify(request)).toBeUndefined();
    }
  });

  it("gives the day's KPIs the visitors made, in total and by page, campaign and channel", async () => {
    const all =
      "visitors,sessions,pageviews,bounce_rate,conversions,orders,revenue,time_on_page,scroll_depth";
    const totals = (await kpis(`kpis=${all}`)).totals;
    // The Segment buyer is one person (docs/concepts.md, "Persons"): identify links the anonymous
    // id to user-1, and the order after it stays in the session of the same browser.
    expect(totals).toMatchObject({
      visitors: 5,
      sessions: 5,
      pageviews: 8,
      conversions: 4,
      orders: 2,
      revenue: expect.closeTo(69.9, 6),
    });
    // Only the visitor who read one page and left bounced: engagement and a non-interactive
    // event do not un-bounce (docs/kpis.md#kpis).
    expect(totals.bounce_rate).toBeCloseTo(100 / 5, 6);
    expect(totals.time_on_page).toBeTypeOf("number");
    expect(totals.scroll_depth).toBeTypeOf("number");

    const byPage = await kpis("group_by=page");
    expect(byPage.rows.map((r) => [r.page, r.pageviews, r.visitors])).toEqual([
      ["/legacy/landing", 1, 1],
      ["/plausible/landing", 2, 2],
      ["/plausible/pricing", 1, 1],
      ["/segment/landing", 2, 2],
      ["/segment/pricing", 2, 2],
    ]);
    // Both Plausible visitors read the landing page to the bottom.
    expect(row(byPage, "page", "/plausible/landing")?.scroll_depth).toBe(100);
    expect(row(byPage, "page", "/plausible/pricing")?.time_on_page).toBeTypeOf("number");
    expect(row(byPage, "page", "/segment/landing")?.scroll_depth).toBeNull();

    const byCampaign = await kpis("kpis=sessions,pageviews,conversions,revenue&group_by=campaign");
    expect(byCampaign.rows).toEqual([
      { campaign: "news", sessions: 1, pageviews: 2, conversions: 1, revenue: 0 },
      // user-1's order is in the Spring session it was placed in, and attributed to it.
      { campaign: "spring", sessions: 1, pageviews: 2, conversions: 1, revenue: expect.closeTo(49.9, 6) },
      { campaign: "summer", sessions: 1, pageviews: 2, conversions: 1, revenue: 20 },
      { campaign: "(none)", sessions: 2, pageviews: 2, conversions: 1, revenue: 0 },
    ]);

    const byChannel = await kpis("kpis=sessions,pageviews,bounce_rate&group_by=channel");
    expect(byChannel.rows).toEqual([
      { channel: "direct", sessions: 2, pageviews: 2, bounce_rate: 50 },
      { channel: "email", sessions: 1, pageviews: 2, bounce_rate: 0 },
      { channel: "paid", sessions: 1, pageviews: 2, bounce_rate: 0 },
      { channel: "social", sessions: 1, pageviews: 2, bounce_rate: 0 },
    ]);
  });
});
