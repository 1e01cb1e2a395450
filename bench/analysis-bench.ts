import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DuckDBInstance } from "@duckdb/node-api";
import { runExperiment } from "../src/analysis/experiments/run-experiment.js";
import { runFunnel } from "../src/analysis/funnels/run-funnel.js";
import { validateSettings } from "../src/model/parse-setting.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { plainCsvImport } from "../src/store/store.js";

/**
 * A 3-step funnel (also broken down by the entry session's utm_source) and an experiment through
 * Sextant (DuckDB) against hand-written window-function SQL of the same computation on the same
 * data, in the same run. Target: ≤ 1.5× the baseline.
 * `npm run bench -- --analysis [--visitors N]` (default 20 000 visitors, about 50 000 events).
 */
export async function benchAnalysis(visitors = 20_000, runs = 5): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sextant-analysis-bench-"));
  try {
    const file = join(dir, "events.csv");
    // Written in chunks: at 10M events the file is larger than the longest string V8 allows.
    const out = openSync(file, "w");
    let events = 0;
    let lines = ["timestamp,event,visitor_id,url,utm_source,properties"];
    const flush = () => {
      writeSync(out, `${lines.join("\n")}\n`);
      events += lines.length;
      lines = [];
    };
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const at = (base: number, plus: number) => new Date(base + plus).toISOString();
    for (let v = 0; v < visitors; v++) {
      const t = Date.parse("2026-03-01T00:00:00Z") + Math.floor(rand() * 28 * 86_400_000);
      const variation = rand() < 0.5 ? "control" : "v2";
      const source = ["google", "bing", "newsletter", ""][Math.floor(rand() * 4)];
      lines.push(
        `${at(t, 0)},Experiment Viewed,v${v},,${source},"{""experiment_id"":""x"",""variation_id"":""${variation}""}"`,
      );
      lines.push(`${at(t, 1000)},pageview,v${v},https://shop.example/pricing,,`);
      if (rand() < 0.4) lines.push(`${at(t, 60_000 + Math.floor(rand() * 3_600_000))},Signed Up,v${v},,,`);
      if (rand() < 0.15)
        lines.push(`${at(t, 86_400_000 * (1 + Math.floor(rand() * 9)))},Order Completed,v${v},,,`);
      if (lines.length >= 100_000) flush();
    }
    flush();
    closeSync(out);
    const db = join(dir, "bench.duckdb");
    const store = await DuckdbStore.open(db);
    const ws = { name: "bench", settings: validateSettings({}) };
    await store.createWorkspace(ws);
    await store.importFile(plainCsvImport(ws, "events", file));
    // Sessions are derived once, as after an import; the breakdown reads them.
    await store.refreshDerived(ws);
    const range = { from: "2026-03-01", to: "2026-03-31" };
    const steps = ["pageview /pricing", "Signed Up", "Order Completed"];
    const time = async (work: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await work();
        samples.push(performance.now() - start);
      }
      return samples.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? 0;
    };
    const funnelMs = await time(() => runFunnel(store, ws, { steps }, range));
    const groupedMs = await time(() => runFunnel(store, ws, { steps }, { ...range, groupBy: "utm_source" }));
    const experimentMs = await time(() => runExperiment(store, ws, { id: "x", conversion: "Signed Up" }));
    await store.close();
    const instance = await DuckDBInstance.create(db);
    const con = await instance.connect();
    // Hand-written window-function SQL: each visitor's events in time order, the next step found by
    // a running min over the following rows.
    const funnelSql = `WITH e AS (
        SELECT visitor_id, ts, name, path FROM events WHERE workspace = 'bench'
          AND (path = '/pricing' OR name IN ('Signed Up', 'Order Completed'))),
      f AS (SELECT visitor_id, min(ts) FILTER (WHERE path = '/pricing') OVER w AS t1, ts, name FROM e
        WINDOW w AS (PARTITION BY visitor_id)),
      s2 AS (SELECT visitor_id, any_value(t1) AS t1, min(ts) FILTER (WHERE name = 'Signed Up' AND ts > t1 AND ts <= t1 + INTERVAL 7 DAY) AS t2 FROM f GROUP BY visitor_id),
      s3 AS (SELECT s2.visitor_id, t1, t2, min(e.ts) FILTER (WHERE e.name = 'Order Completed' AND e.ts > t2 AND e.ts <= t1 + INTERVAL 7 DAY) AS t3
        FROM s2 JOIN e USING (visitor_id) GROUP BY ALL)
      SELECT count(t1), count(t2), count(t3), median(epoch(t2) - epoch(t1)), median(epoch(t3) - epoch(t2)) FROM s3 WHERE t1 IS NOT NULL`;
    // The same with each entrant's session utm_source at entry, from session_events, plus the overall row.
    const groupedSql = `WITH e AS (
        SELECT visitor_id, ts, seq, name, page, s_utm_source FROM session_events WHERE workspace = 'bench'
          AND (page = '/pricing' OR name IN ('Signed Up', 'Order Completed'))),
      f AS (SELECT visitor_id, min(ts) FILTER (WHERE page = '/pricing') OVER w AS t1,
          first_value(s_utm_source) OVER (PARTITION BY visitor_id ORDER BY page = '/pricing' DESC, ts, seq) AS g, ts, name FROM e
        WINDOW w AS (PARTITION BY visitor_id)),
      s2 AS (SELECT visitor_id, any_value(t1) AS t1, any_value(g) AS g, min(ts) FILTER (WHERE name = 'Signed Up' AND ts > t1 AND ts <= t1 + INTERVAL 7 DAY) AS t2 FROM f GROUP BY visitor_id),
      s3 AS (SELECT s2.visitor_id, g, t1, t2, min(e.ts) FILTER (WHERE e.name = 'Order Completed' AND e.ts > t2 AND e.ts <= t1 + INTERVAL 7 DAY) AS t3
        FROM s2 JOIN e USING (visitor_id) GROUP BY ALL)
      SELECT g, count(t1), count(t2), count(t3), median(epoch(t2) - epoch(t1)), median(epoch(t3) - epoch(t2)) FROM s3
      WHERE t1 IS NOT NULL GROUP BY GROUPING SETS ((g), ())`;
    const experimentSql = `WITH x AS (
        SELECT visitor_id, json_extract_string(properties, '$.variation_id') AS variation, ts,
          row_number() OVER (PARTITION BY visitor_id ORDER BY ts, seq) AS n
        FROM events WHERE workspace = 'bench' AND name = 'Experiment Viewed'
          AND json_extract_string(properties, '$.experiment_id') = 'x')
      SELECT variation, count(*), count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM events c WHERE c.workspace = 'bench' AND c.visitor_id = x.visitor_id AND c.name = 'Signed Up' AND c.ts > x.ts))
      FROM x WHERE n = 1 GROUP BY variation`;
    const rawFunnelMs = await time(() => con.runAndReadAll(funnelSql));
    const rawGroupedMs = await time(() => con.runAndReadAll(groupedSql));
    const rawExperimentMs = await time(() => con.runAndReadAll(experimentSql));
    con.closeSync();
    const line = (what: string, ms: number, raw: number) =>
      console.log(
        `${what.padEnd(22)} ${ms.toFixed(1).padStart(8)} ms   window SQL ${raw.toFixed(1).padStart(8)} ms   ratio ${(ms / raw).toFixed(2)} (target ≤ 1.50)`,
      );
    console.log(`analysis bench: ${visitors} visitors, ${events - 1} events, median of ${runs} runs`);
    line("funnel (3 steps)", funnelMs, rawFunnelMs);
    line("funnel by utm_source", groupedMs, rawGroupedMs);
    line("experiment", experimentMs, rawExperimentMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
