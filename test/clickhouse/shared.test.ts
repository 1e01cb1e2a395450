import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKpiQuery } from "../../src/kpi/run-query.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { TextRecord } from "../../src/model/text-record.js";
import type { Workspace } from "../../src/model/workspace.js";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { type ClickhouseFixture, startCluster } from "./servers.js";

/**
 * Several `sextant serve` processes sharing one ClickHouse cluster: each process has its own
 * store object, so two stores on the same database stand for two processes. They must see each
 * other's workspaces, settings and keys, and count an event sent to both at once exactly once.
 */
describe("two Sextant processes on one ClickHouse cluster", () => {
  let cluster: ClickhouseFixture;
  let one: ClickhouseStore;
  let two: ClickhouseStore;
  const ws: Workspace = { name: "shop", settings: validateSettings({ timezone: "Europe/Paris" }) };

  beforeAll(async () => {
    cluster = await startCluster();
    const url = `${cluster.url}/shared`;
    one = await ClickhouseStore.open(url, cluster.cluster);
    two = await ClickhouseStore.open(url.replace("127.0.0.1", "127.0.0.2"), cluster.cluster);
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await cluster?.stop();
  });

  it("see each other's workspaces, settings, custom KPIs and keys", async () => {
    await one.createWorkspace(ws);
    expect((await two.listWorkspaces()).map((w) => w.name)).toEqual(["shop"]);
    await expect(two.createWorkspace(ws)).rejects.toThrow(/already exists/);
    await two.updateSettings("shop", { ...ws.settings, currency: "USD" });
    expect((await one.listWorkspaces())[0]?.settings.currency).toBe("USD");
    await one.saveCustomKpi("shop", "profit", "revenue - spend");
    expect(await two.listCustomKpis("shop")).toEqual([{ id: "profit", formula: "revenue - spend" }]);
    await one.saveKey({ id: "key_1", workspace: "shop", kind: "write", hash: "h1" });
    expect((await two.findKey("h1"))?.id).toBe("key_1");
    expect(await two.revokeKey("key_1")).toBe(true);
    expect(await one.findKey("h1")).toBeNull();
    expect(await one.revokeKey("key_1")).toBe(false);
    expect(await one.dailySalt("2026-03-01")).toBe(await two.dailySalt("2026-03-01"));
  });

  it("count an event that both receive at the same moment once", async () => {
    const settings = (await one.listWorkspaces())[0]?.settings ?? ws.settings;
    const record = (n: number): TextRecord => ({
      timestamp: `2026-03-02T10:${String(n).padStart(2, "0")}:00Z`,
      type: "page",
      event: "pageview",
      visitor_id: `v${n % 7}`,
      url: `https://shop.example.com/p${n}?utm_campaign=Spring`,
      message_id: `m-${n}`,
    });
    const batch = Array.from({ length: 40 }, (_, n) => ({ workspace: "shop", record: record(n) }));
    // The same 40 messages to both processes at once, then again (a client re-sending).
    const results = await Promise.all([one.appendEvents(batch), two.appendEvents(batch)]);
    expect(results.reduce((sum, r) => sum + r.stored + r.duplicates, 0)).toBe(80);
    const again = await two.appendEvents(batch);
    expect(again).toEqual({ stored: 0, duplicates: 40 });
    for (const store of [one, two]) {
      const result = await runKpiQuery(
        store,
        { name: "shop", settings },
        {
          kpis: ["pageviews", "visitors", "sessions"],
          from: "2026-03-02",
          to: "2026-03-02",
          groupBy: ["campaign"],
        },
      );
      expect(result.totals).toEqual({ pageviews: 40, visitors: 7, sessions: 7 });
      expect(result.rows).toEqual([{ campaign: "spring", pageviews: 40, visitors: 7, sessions: 7 }]);
    }
  });
});
