import { parse as parseHtml } from "node-html-parser";
import { extractText } from "unpdf";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReportSchedule } from "../../src/definitions/schemas.js";
import { KPI_BY_ID } from "../../src/kpi/catalog.js";
import type { Workspace } from "../../src/model/workspace.js";
import { formatNumber } from "../../src/report/format-number.js";
import { deliveryHistory } from "../../src/report/schedules/deliveries.js";
import { startReportScheduler } from "../../src/report/schedules/schedule-reports.js";
import {
  type ReportMailDeps,
  retryDueDeliveries,
  SCHEDULE_KIND,
  sendScheduledReport,
} from "../../src/report/schedules/send-report.js";
import { closedPort, MailReceiver } from "../alerts/receivers.js";
import { type Kit, openKit } from "../kpi/fixture.js";
import { FORMULA_KEY, loadShop, TAG } from "./fixture.js";
import { mimeParts, partOf } from "./mime.js";

const spaces = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, " ").trim();
const noWait = { attempts: 3, backoffMs: 1, sleep: async () => {} };
const quiet = { info: () => {}, error: () => {} };

let kit: Kit;
let ws: Workspace;
let mail: MailReceiver;

const monthly: ReportSchedule = {
  id: "monthly",
  kind: "periodic",
  period: "month",
  schedule: "0 8 1 * *",
  to: ["boss@shop.example.com", "cfo@shop.example.com"],
};

beforeAll(async () => {
  kit = await openKit();
  ws = await loadShop(kit);
  mail = await MailReceiver.start();
  await kit.store.writeDocuments(ws.name, [{ kind: SCHEDULE_KIND, id: monthly.id, body: monthly }]);
});
afterAll(async () => {
  await mail.close();
  await kit.close();
});
afterEach(() => {
  mail.messages.length = 0;
});

const fmt = (id: string, value: number | null) =>
  formatNumber(value, KPI_BY_ID.get(id)?.unit ?? "count", ws.settings.locale, ws.settings.currency);

describe("scheduled reports by e-mail", () => {
  it("sends the HTML report as body and the PDF attached, with the KPI API's figures in both", async () => {
    const deps: ReportMailDeps = { smtpUrl: mail.url, retry: noWait };
    const sent = await sendScheduledReport(
      kit.store,
      ws,
      monthly,
      { asOf: "2026-04-30", trigger: "manual" },
      deps,
    );
    expect(sent?.delivery.status).toBe("sent");
    expect(sent?.delivery.period).toEqual({ from: "2026-04-01", to: "2026-04-30" });
    expect(mail.messages).toHaveLength(1);
    const message = mail.messages[0];
    expect(message?.to.sort()).toEqual([...monthly.to].sort());

    const parts = mimeParts(message?.raw ?? "");
    const html = partOf(parts, "text/html")?.body.toString("utf8") ?? "";
    const pdf = partOf(parts, "application/pdf");
    expect(pdf?.headers["content-disposition"]).toContain("sextant-periodic-2026-04-01-2026-04-30.pdf");
    const pdfText = spaces(
      (await extractText(new Uint8Array(pdf?.body ?? Buffer.alloc(0)), { mergePages: true })).text,
    );

    const api = await kit.query(ws, {
      kpis: ["spend", "revenue", "conversions", "cpa", "roi"],
      from: "2026-04-01",
      to: "2026-04-30",
    });
    const doc = parseHtml(html);
    for (const id of ["spend", "revenue", "conversions", "cpa", "roi"]) {
      const value = api.totals[id] ?? null;
      const cell = doc.querySelector(`section#kpis td[data-kpi="${id}"]`);
      expect(cell?.getAttribute("data-value"), id).toBe(value === null ? "" : String(value));
      expect(cell?.text, id).toBe(fmt(id, value));
      expect(pdfText, id).toContain(spaces(fmt(id, value)));
    }
    // A spend that is not zero, so that the figures checked above mean something.
    expect(api.totals.spend).toBeGreaterThan(1000);
  });

  it("keeps campaigns named like a tag or a formula escaped in the e-mail's HTML", async () => {
    await sendScheduledReport(
      kit.store,
      ws,
      monthly,
      { asOf: "2026-04-30", trigger: "manual" },
      { smtpUrl: mail.url, retry: noWait },
    );
    const html = partOf(mimeParts(mail.messages[0]?.raw ?? ""), "text/html")?.body.toString("utf8") ?? "";
    expect(html).not.toContain(TAG);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    // The formula is text in a cell, its quotes escaped, never markup or an attribute.
    const texts = parseHtml(html)
      .querySelectorAll("td")
      .map((td) => td.text);
    expect(texts).toContain(FORMULA_KEY);
    expect(texts).toContain(TAG);
  });

  it("a refusing SMTP server: retried, then recorded as failed in the history", async () => {
    const port = await closedPort();
    const deps: ReportMailDeps = {
      smtpUrl: `smtp://127.0.0.1:${port}`,
      retry: noWait,
      claimSettleMs: 0,
      retryDelayMs: 0,
      maxRounds: 2,
    };
    const first = await sendScheduledReport(
      kit.store,
      ws,
      monthly,
      { asOf: "2026-03-31", trigger: "schedule" },
      deps,
    );
    expect(first?.delivery.status).toBe("retrying");
    expect(first?.delivery.attempts).toBe(3);
    expect(first?.delivery.error).toMatch(/Could not reach the SMTP server at 127\.0\.0\.1/);
    // The same period again (another tick, another process): already claimed, nothing sent.
    expect(
      await sendScheduledReport(kit.store, ws, monthly, { asOf: "2026-03-31", trigger: "schedule" }, deps),
    ).toBeNull();

    const retried = await retryDueDeliveries(kit.store, ws, deps);
    expect(retried.map((r) => [r.id, r.delivery.status, r.delivery.attempts])).toEqual([
      ["monthly/2026-03-01..2026-03-31", "failed", 6],
    ]);
    expect(await retryDueDeliveries(kit.store, ws, deps)).toEqual([]);
    const history = await deliveryHistory(kit.store, ws.name);
    const entry = history.find((h) => h.id === "monthly/2026-03-01..2026-03-31");
    expect(entry).toMatchObject({
      schedule: "monthly",
      trigger: "schedule",
      period: { from: "2026-03-01", to: "2026-03-31" },
      recipients: monthly.to,
      status: "failed",
      attempts: 6,
      sent_at: null,
    });
    expect(entry?.error).toMatch(/Could not reach/);
    expect(mail.messages).toHaveLength(0);
  });

  it("a schedule added while two schedulers share a store fires on its per-second cron, once per period", async () => {
    const everySecond: ReportSchedule = { ...monthly, id: "every-second", schedule: "* * * * * *" };
    // The run's clock says 1 May: each tick reports on April, up to the 30th.
    const deps: ReportMailDeps = {
      smtpUrl: mail.url,
      retry: noWait,
      claimSettleMs: 300,
      now: () => new Date("2026-05-01T06:00:00Z"),
    };
    const a = startReportScheduler(kit.store, deps, quiet, 200);
    const b = startReportScheduler(kit.store, deps, quiet, 200);
    try {
      await Promise.all([a.ready, b.ready]);
      // Added while they run (as config apply or the API would): picked up at their next refresh.
      await kit.store.writeDocuments(ws.name, [
        { kind: SCHEDULE_KIND, id: everySecond.id, body: everySecond },
      ]);
      const deadline = Date.now() + 15_000;
      while (mail.messages.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      // A few more ticks of both schedulers: none may send April again.
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      await a.stop();
      await b.stop();
      await kit.store.writeDocuments(ws.name, [{ kind: SCHEDULE_KIND, id: everySecond.id, body: null }]);
    }
    expect(mail.messages).toHaveLength(1);
    const history = (await deliveryHistory(kit.store, ws.name)).filter((h) => h.schedule === "every-second");
    expect(history.map((h) => [h.id, h.status, h.attempts])).toEqual([
      ["every-second/2026-04-01..2026-04-30", "sent", 1],
    ]);
    const parts = mimeParts(mail.messages[0]?.raw ?? "");
    expect(partOf(parts, "application/pdf")?.body.subarray(0, 5).toString()).toBe("%PDF-");
  });
});
