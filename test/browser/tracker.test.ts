import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KpiResult } from "../../src/kpi/run-query.js";
import { generateKey } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { buildApp } from "../../src/server/app.js";
import { TRACKER_GZIP_BYTES, TRACKER_SCRIPT } from "../../src/server/routes/tracker.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { Store } from "../../src/store/store.js";
import { recordEventPosts } from "./event-posts.js";
import { type Site, startSite } from "./site.js";

/**
 * End to end: a real Chromium loads a customer site that embeds /js/sextant.js from a running
 * Sextant, and the KPIs read back through the HTTP API with a read key are the ones the visit made.
 * Chromium comes from Debian (.ci/run installs it); without it this test fails, it does not skip.
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
let store: Store;
let app: FastifyInstance;
let sextant: string;
let site: Site;
let browser: Browser | undefined;
let context: BrowserContext;
let readKey: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: the browser test needs it. Install it with ` +
        "`apt-get update && apt-get install -y --no-install-recommends chromium` (.ci/run does), " +
        "or point SEXTANT_CHROMIUM at a Chromium binary.",
    );
  }
  dir = mkdtempSync(join(tmpdir(), "sextant-browser-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"));
  await store.createWorkspace({ name: "shop", settings: validateSettings({ domains: ["shop.test"] }) });
  const key = generateKey("read");
  await store.saveKey({ id: key.id, workspace: "shop", kind: "read", hash: key.hash });
  readKey = key.secret;
  app = await buildApp({ store });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("Sextant is not listening on a port");
  sextant = `http://127.0.0.1:${address.port}`;
  site = await startSite(sextant);
  // Playwright turns the back/forward cache off by default; visitors' browsers have it on.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
  });
  // Headless Chromium says "HeadlessChrome" in its User-Agent, which Sextant rightly drops as a bot
  // (isbot): browse as the desktop Chrome of the same version that a visitor would run.
  const major = browser.version().split(".")[0];
  context = await browser.newContext({
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
  });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await app?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function kpis(query: string): Promise<KpiResult> {
  const response = await fetch(`${sextant}/api/v1/kpis?${query}`, {
    headers: { authorization: `Bearer ${readKey}` },
  });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`GET /api/v1/kpis?${query} answered ${response.status}: ${body}`);
  return JSON.parse(body) as KpiResult;
}

/** The raw bytes of a GET, without the transparent decompression of fetch. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      httpRequest(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on("error", reject);
      })
        .on("error", reject)
        .end();
    },
  );
}

describe("the first-party tracker in a real browser", () => {
  it("records page views, SPA navigation, queued and custom events, and revenue, as the KPIs show", async () => {
    const page = await context.newPage();
    const events = recordEventPosts(page);
    const landingPath = "/landing?utm_source=newsletter&utm_medium=email&utm_campaign=Spring";
    const landingUrl = `${site.origin}${landingPath}`;

    // Landing page: the event queued before the tracker loaded, then the page view.
    await page.goto(landingUrl);
    await events.waitFor(2);
    // A link to the single-page app: a new document, a new page view with the landing page as referrer.
    await Promise.all([page.waitForURL(`${site.origin}/spa`), page.click("#to-spa")]);
    await events.waitFor(3);
    // history.pushState: a page view without loading a document; back again: popstate, another one.
    await page.click("#step2");
    await events.waitFor(4);
    expect(new URL(page.url()).pathname).toBe("/spa/step2");
    await page.evaluate(() => history.back());
    await events.waitFor(5);
    expect(new URL(page.url()).pathname).toBe("/spa");
    // Custom events: a sign-up with a property, an order with revenue (each waits for its answer).
    const signedUp = page.waitForResponse((r) => r.url().endsWith("/api/event"));
    await page.click("#signup");
    expect((await signedUp).status()).toBe(202);
    const ordered = page.waitForResponse((r) => r.url().endsWith("/api/event"));
    await page.click("#order");
    expect((await ordered).status()).toBe(202);
    await events.waitFor(7);
    // Nothing more arrives (no double page view from pushState, popstate or the queue).
    await page.waitForTimeout(300);
    await page.close();

    // What the browser sent: text/plain (no CORS preflight), the short field names, data-domain.
    const posts = events.posts;
    expect(posts).toHaveLength(7);
    for (const post of posts) {
      expect(post.status).toBe(202);
      expect(post.contentType).toMatch(/^text\/plain/);
      expect(post.body.d).toBe("shop.test");
    }
    const sent = posts.map((p) => [p.body.n, new URL(p.body.u).pathname + new URL(p.body.u).search]);
    // The queued call and the first page view are sent at once: their order on the wire may vary.
    expect(sent.slice(0, 2)).toEqual(
      expect.arrayContaining([
        ["Landing Viewed", landingPath],
        ["pageview", landingPath],
      ]),
    );
    expect(sent.slice(2)).toEqual([
      ["pageview", "/spa"],
      ["pageview", "/spa/step2"],
      ["pageview", "/spa"],
      ["Signed Up", "/spa"],
      ["Order Completed", "/spa"],
    ]);
    expect(posts[2]?.body.r).toBe(landingUrl);
    expect(posts.find((p) => p.body.n === "Landing Viewed")?.body.p).toEqual({ queued: "yes" });
    expect(posts[5]?.body.p).toEqual({ plan: "pro" });
    expect(posts[6]?.body).toMatchObject({ p: { order_id: "o-1" }, $: { currency: "EUR", amount: 49.9 } });

    // What Sextant counted, read through the API with the read key.
    const totals = (await kpis("kpis=pageviews,sessions,visitors,conversions,orders,revenue")).totals;
    expect(totals.pageviews).toBe(4); // landing + /spa + pushState /spa/step2 + popstate back to /spa
    expect(totals.sessions).toBe(1);
    expect(totals.visitors).toBe(1); // one browser: same IP, User-Agent and domain on the same day
    expect(totals.conversions).toBe(2); // Signed Up + Order Completed (default conversion_events)
    expect(totals.orders).toBe(1);
    expect(totals.revenue).toBeCloseTo(49.9, 6);

    // The session's dimensions come from the landing page's UTM tags, parsed by the server.
    const byCampaign = await kpis(
      "kpis=sessions,pageviews,conversions,orders,revenue&group_by=campaign,channel,utm_source,utm_medium,landing_page",
    );
    expect(byCampaign.rows).toEqual([
      {
        campaign: "spring",
        channel: "email",
        utm_source: "newsletter",
        utm_medium: "email",
        landing_page: "/landing",
        sessions: 1,
        pageviews: 4,
        conversions: 2,
        orders: 1,
        revenue: expect.closeTo(49.9, 6),
      },
    ]);

    // Event properties: the sign-up's plan, and the queued event reached the store with its own.
    const byPlan = await kpis("kpis=conversions,visitors&group_by=props.plan");
    expect(byPlan.rows.find((r) => r["props.plan"] === "pro")).toMatchObject({ conversions: 1, visitors: 1 });
    const byQueued = await kpis("kpis=conversions,visitors&group_by=props.queued");
    expect(byQueued.rows.find((r) => r["props.queued"] === "yes")).toMatchObject({
      conversions: 0,
      visitors: 1,
    });

    // Leaving a page of the app by navigation sent its engagement (time visible, scroll depth),
    // which Sextant adds to that page view: never an event of its own.
    const engaged = events.engagements.map((p) => new URL(p.body.u).pathname);
    expect(engaged).toEqual(expect.arrayContaining(["/spa", "/spa/step2"]));
    for (const post of events.engagements) {
      expect(post.status).toBe(202);
      expect(post.body.sd).toBeTypeOf("number");
      expect(post.body.e).toBeTypeOf("number");
    }
    const byPage = await kpis("kpis=pageviews,visitors,time_on_page,scroll_depth&group_by=page");
    expect(byPage.rows.map((r) => [r.page, r.pageviews, r.visitors])).toEqual([
      ["/landing", 1, 1],
      ["/spa", 2, 1],
      ["/spa/step2", 1, 1],
    ]);
    expect(byPage.rows.find((r) => r.page === "/spa/step2")?.time_on_page).toBeTypeOf("number");

    // The device of the session comes from the browser's User-Agent.
    const byBrowser = await kpis("kpis=visitors&group_by=browser,device");
    expect(byBrowser.rows).toEqual([{ browser: "Chrome", device: "desktop", visitors: 1 }]);
  });

  it("serves a tracker under 2 KB gzipped", async () => {
    const gzipped = await rawGet(`${sextant}/js/sextant.js`, { "accept-encoding": "gzip" });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.headers["content-type"]).toMatch(/^application\/javascript/);
    expect(gzipped.body.length).toBe(TRACKER_GZIP_BYTES);
    expect(gzipped.body.length).toBeLessThan(2048);
    expect(gunzipSync(gzipped.body).toString("utf8")).toBe(TRACKER_SCRIPT);
    const plain = await rawGet(`${sextant}/js/sextant.js`, {});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString("utf8")).toBe(TRACKER_SCRIPT);
  });

  // A page restored from the back/forward cache runs no script again, so the tracker must send a
  // page view on `pageshow` with `persisted` (as Plausible's does).
  it("counts a page view when Back restores a page from the back/forward cache", async () => {
    const page = await context.newPage();
    await page.addInitScript(() => {
      addEventListener("pageshow", (event) => {
        if (event.persisted) document.documentElement.dataset.restored = "yes";
      });
    });
    const events = recordEventPosts(page);
    await page.goto(`${site.origin}/landing`);
    await events.waitFor(2); // the queued event and the page view
    await Promise.all([page.waitForURL(`${site.origin}/spa`), page.click("#to-spa")]);
    await events.waitFor(3);
    const before = (await kpis("kpis=pageviews")).totals.pageviews ?? 0;
    // A restored page fires no load event: wait for its pageshow instead.
    await page.goBack({ waitUntil: "commit" });
    await page.waitForSelector("html[data-restored=yes]", { timeout: 5_000 });
    try {
      // The browser may report the restored page's POST as aborted while freezing pages: what
      // counts is what the server stored, so poll the KPIs for exactly one more page view.
      const deadline = Date.now() + 5_000;
      let after = before;
      while (after === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = (await kpis("kpis=pageviews")).totals.pageviews ?? 0;
      }
      expect(after).toBe(before + 1);
    } finally {
      await page.close();
    }
  });
});
