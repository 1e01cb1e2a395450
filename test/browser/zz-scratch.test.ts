import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { it } from "vitest";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { validateSettings } from "../../src/workspace/parse-setting.js";

it("scratch", async () => {
  const store = await DuckdbStore.open(join(mkdtempSync(join(tmpdir(), "scr-")), "s.duckdb"));
  await store.createWorkspace({ name: "shop", settings: validateSettings({ domains: ["shop.test"] }) });
  const app = await buildApp({ store });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const sx = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const tag = `<script defer data-domain="shop.test" src="${sx}/js/sextant.js"></script>`;
  const srv = createServer((req, res) => {
    const p = req.url ?? "/";
    let html = `<html><head>${tag}</head><body><a id=a href="/b">b</a><a id=h href="#x">h</a></body></html>`;
    if (p === "/twice")
      html = `<html><head>${tag}${tag}</head><body><button id=p onclick="history.pushState({},'','/twice2')">p</button></body></html>`;
    res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const site = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu"],
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
  });
  const ctx = await browser.newContext({
    userAgent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
  });
  const page = await ctx.newPage();
  await page.addInitScript(() =>
    addEventListener("pageshow", (e) =>
      console.log(`pageshow persisted=${(e as PageTransitionEvent).persisted} ${location.pathname}`),
    ),
  );
  const log: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/event")) log.push(r.postData() ?? "");
  });
  page.on("console", (m) => log.push(`console: ${m.text()}`));
  await page.goto(`${site}/a`);
  await page.waitForTimeout(500);
  log.push("--- click to /b");
  await page.click("#a");
  await page.waitForTimeout(500);
  log.push("--- goBack");
  await page.goBack();
  await page.waitForTimeout(800);
  log.push(
    `--- bfcache restored? ${await page.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).type)}`,
  );
  log.push("--- goForward");
  await page.goForward();
  await page.waitForTimeout(800);
  log.push("--- twice");
  await page.goto(`${site}/twice`);
  await page.waitForTimeout(500);
  await page.click("#p");
  await page.waitForTimeout(500);
  console.log(log.join("\n"));
  await browser.close();
  srv.close();
  await app.close();
  await store.close();
});
