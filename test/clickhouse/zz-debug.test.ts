import { it } from "vitest";
import { loadDemo } from "../../src/demo/load-demo.js";
import { runKpiQuery } from "../../src/kpi/run-query.js";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { startSingle } from "./servers.js";

it("debug", async () => {
  const server = await startSingle();
  const store = await ClickhouseStore.open(`${server.url}/dbg`, null);
  const ch = (store as unknown as { ch: { all(sql: string): Promise<unknown[]> } }).ch;
  const orig = ch.all.bind(ch);
  ch.all = async (sql: string) => {
    try { return await orig(sql); } catch (e) { console.log("FAILED SQL:\n" + sql + "\n" + String(e)); throw e; }
  };
  const { workspace } = await loadDemo(store, { name: "demo", days: 10, seed: 11, endDate: "2026-03-15" });
  for (const where of [["channel=paid"], ["campaign=(none)"], ["campaign=no such"], ["device=mobile"]]) {
    for (const kpis of [["visitors"], ["spend"], ["emails_sent"], ["followers"], ["orders"]]) {
      try { await runKpiQuery(store, workspace, { kpis, from: "2026-03-06", to: "2026-03-15", where }); console.log("OK", where, kpis); }
      catch (e) { console.log("ERR", where, kpis, String(e).slice(0, 100)); }
    }
  }
  await store.close();
  await server.stop();
}, 120_000);
