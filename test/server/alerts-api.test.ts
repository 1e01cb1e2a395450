import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storedGoals } from "../../src/alerts/goal-source.js";
import { addDays } from "../../src/model/calendar.js";
import { generateKey, type KeyKind } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { plainCsvImport, type Store } from "../../src/store/store.js";
import { WebhookReceiver } from "../alerts/receivers.js";

/**
 * The alerts API (rules, history, a run on demand with an admin key) and the scheduler inside the
 * server: a rule on a cron firing every second, checked by a real webhook receiver.
 */

let dir: string;
let store: Store;
let app: FastifyInstance;
let hooks: WebhookReceiver;

async function key(workspace: string, kind: KeyKind) {
  const k = generateKey(kind);
  await store.saveKey({ id: k.id, workspace, kind, hash: k.hash });
  return { authorization: `Bearer ${k.secret}` };
}

interface Entry {
  rule: string;
  fired_at: string;
  period: { from: string; to: string };
  value: number | null;
  threshold: number | null;
  deliveries: { channel: string; status: string; attempts: number; error: string | null }[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-alerts-api-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"));
  hooks = await WebhookReceiver.start();
  for (const name of ["shop", "live"]) await store.createWorkspace({ name, settings: validateSettings({}) });
  const shop = (await store.listWorkspaces()).find((w) => w.name === "shop");
  if (!shop) throw new Error("no workspace");
  // One event on 2026-03-10 at 10:00 UTC; spend every day of nine weeks, with an outlier on 2026-03-04.
  const events = join(dir, "events.csv");
  writeFileSync(events, "timestamp,event,visitor_id\n2026-03-10T10:00:00Z,pageview,v1\n");
  await store.importFile(plainCsvImport(shop, "events", events));
  const lines = ["date,campaign,spend"];
  for (let day = "2026-01-01"; day <= "2026-03-04"; day = addDays(day, 1)) {
    const i = Number(day.slice(8));
    lines.push(`${day},spring,${day === "2026-03-04" ? 500 : 100 + (i % 3) * 10}`);
  }
  const costs = join(dir, "costs.csv");
  writeFileSync(costs, `${lines.join("\n")}\n`);
  await store.importFile(plainCsvImport(shop, "costs", costs));
  await store.writeDocuments("shop", [
    {
      kind: "alert_rule",
      id: "silence",
      body: { id: "silence", kind: "no_data", hours: 24, channels: ["dashboard"] },
    },
    {
      kind: "alert_rule",
      id: "spend-odd",
      body: { id: "spend-odd", kind: "anomaly", kpi: "spend", channels: ["dashboard"] },
    },
  ]);
  // "live" has no event at all: its no_data rule holds at every tick of its every-second cron.
  await store.writeDocuments("live", [
    { kind: "channel", id: "webhook", body: { url: `${hooks.url}/live` } },
    {
      kind: "alert_rule",
      id: "tracking",
      body: {
        id: "tracking",
        kind: "no_data",
        hours: 1,
        schedule: "* * * * * *",
        cooldown: "1h",
        channels: ["webhook", "dashboard"],
      },
    },
  ]);
  app = await buildApp({
    store,
    // The receiver is on loopback: the operator's allowance for private webhook targets.
    alerts: {
      goals: storedGoals,
      delivery: { retry: { attempts: 2, backoffMs: 10 }, allowPrivateTargets: true },
    },
    scheduleAlerts: true,
  });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await hooks?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("alerts over HTTP", () => {
  it("POST /api/v1/alerts/run needs an admin key and replays a day", async () => {
    const read = await key("shop", "read");
    const admin = await key("shop", "admin");
    const refused = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/run?as_of=2026-03-10",
      headers: read,
    });
    expect(refused.statusCode).toBe(403);
    const bad = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/run?as_of=2026-13-01",
      headers: admin,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe("as_of");

    // 14 hours after the event: quiet enough for nobody.
    const quiet = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/run?as_of=2026-03-10",
      headers: admin,
    });
    expect(quiet.statusCode, quiet.body).toBe(200);
    expect(quiet.json()).toMatchObject({ as_of: "2026-03-10", run_at: "2026-03-11T00:00:00.000Z", rules: 2 });
    // (spend-odd fires too: no spend on 2026-03-10 after weeks of it; this test watches "silence".)
    const silenceOf = (body: { firings: Entry[] }) => body.firings.filter((f) => f.rule === "silence");
    expect(silenceOf(quiet.json())).toEqual([]);
    // 38 hours after it: no_data fires.
    const silent = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/run?as_of=2026-03-11",
      headers: admin,
    });
    expect(silenceOf(silent.json())).toEqual([
      {
        rule: "silence",
        fired_at: "2026-03-12T00:00:00.000Z",
        period: { from: "2026-03-11", to: "2026-03-11" },
        value: 38,
        threshold: 24,
        deliveries: [{ channel: "dashboard", status: "delivered", attempts: 1, error: null }],
      },
    ]);

    const history = await app.inject({ method: "GET", url: "/api/v1/alerts/history", headers: read });
    const entries = history.json() as Entry[];
    expect(entries.map((e) => e.fired_at)).toEqual([
      "2026-03-12T00:00:00.000Z",
      "2026-03-12T00:00:00.000Z",
      "2026-03-11T00:00:00.000Z",
    ]);
    expect(entries.map((e) => e.rule).sort()).toEqual(["silence", "spend-odd", "spend-odd"]);
    const rules = await app.inject({ method: "GET", url: "/api/v1/alerts/rules", headers: read });
    expect((rules.json() as { id: string }[]).map((r) => r.id)).toEqual(["silence", "spend-odd"]);
    const other = await app.inject({
      method: "GET",
      url: "/api/v1/alerts/history?workspace=live",
      headers: read,
    });
    expect(other.statusCode).toBe(403);
  });

  it("the OpenAPI document describes the alert routes and their keys", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json() as {
      paths: Record<
        string,
        Record<string, { security?: Record<string, unknown>[]; parameters?: { name: string }[] }>
      >;
    };
    expect(doc.paths["/api/v1/alerts/rules"]?.get?.security).toEqual([
      { readKey: [] },
      { adminKey: [] },
      { session: [] },
    ]);
    expect(doc.paths["/api/v1/alerts/history"]?.get?.security).toEqual([
      { readKey: [] },
      { adminKey: [] },
      { session: [] },
    ]);
    expect(doc.paths["/api/v1/alerts/run"]?.post?.security).toEqual([{ adminKey: [] }, { session: [] }]);
    expect(doc.paths["/api/v1/alerts/run"]?.post?.parameters?.map((p) => p.name)).toContain("as_of");
  });

  it("an anomaly fires on the outlier day and not on the day before", async () => {
    const admin = await key("shop", "admin");
    const before = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/run?as_of=2026-03-03",
      headers: admin,
    });
    expect((before.json().firings as Entry[]).filter((f) => f.rule === "spend-odd")).toEqual([]);
    const outlier = await app.inject({
      method: "POST",
      url: "/api/v1/alerts/run?as_of=2026-03-04",
      headers: admin,
    });
    const [firing] = (outlier.json().firings as Entry[]).filter((f) => f.rule === "spend-odd");
    // Wednesdays 2026-01-07 … 2026-02-25: spend 100 + (day of month mod 3) × 10.
    const history = [7, 14, 21, 28, 4, 11, 18, 25].map((d) => 100 + (d % 3) * 10).sort((a, b) => a - b);
    const median = ((history[3] as number) + (history[4] as number)) / 2;
    const mad = [...history.map((v) => Math.abs(v - median))].sort((a, b) => a - b);
    const scale = 1.4826 * (((mad[3] as number) + (mad[4] as number)) / 2);
    expect(firing).toMatchObject({ value: 500, period: { from: "2026-03-04", to: "2026-03-04" } });
    expect(firing?.threshold).toBeCloseTo(median + 3.5 * scale, 9);
  });

  it("the scheduler runs a rule on its cron and notifies once per cooldown", async () => {
    const read = await key("live", "read");
    let entries: Entry[] = [];
    // Wait for three ticks (the test's own timeout bounds the wait).
    while (entries.length < 3) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      entries = (
        await app.inject({ method: "GET", url: "/api/v1/alerts/history", headers: read })
      ).json() as Entry[];
    }
    expect(hooks.delivered("/live")).toHaveLength(1);
    expect(hooks.delivered("/live")[0]?.body).toMatchObject({
      rule: "tracking",
      workspace: "live",
      kind: "no_data",
    });
    const oldest = entries[entries.length - 1];
    expect(oldest?.deliveries.map((d) => d.status)).toEqual(["delivered", "delivered"]);
    for (const later of entries.slice(0, -1)) {
      expect(later.deliveries.map((d) => d.status)).toEqual(["suppressed", "suppressed"]);
    }
    expect(oldest?.value).toBeNull();
    expect(oldest?.threshold).toBe(1);
  }, 30_000);
});
