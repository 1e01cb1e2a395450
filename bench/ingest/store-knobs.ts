import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { normalizeSegment } from "../../src/ingest/segment/normalize.js";
import { Transaction } from "../../src/store/duckdb/connection.js";
import { EventAppender } from "../../src/store/duckdb/event-appender.js";
import { type EventRow, eventRow } from "../../src/store/duckdb/event-row.js";
import { DUCKDB_SCHEMA } from "../../src/store/duckdb/schema.js";
import { segmentBatch } from "../../test/support/payloads.js";

const FLAGS = ["events", "commit", "attach", "set", "tidy-every", "background-checkpoint", "label"] as const;

/**
 * DuckDB's storage knobs in a store-only loop: pre-typed rows of the benchmark's Segment batches
 * appended through EventAppender, `--commit` events a commit, on a fresh file. Prints one JSON
 * line: CPU per event (whole process), commit times, the commits a checkpoint ran in (the log
 * file shrank), explicit CHECKPOINT times with `--tidy-every`, the file's size and row groups.
 *
 *   npm run bench -- store-knobs [--events N] [--commit N] [--attach "ROW_GROUP_SIZE 8192"]
 *     [--set '["SET checkpoint_threshold = ''2MiB''"]'] [--tidy-every COMMITS] [--label TEXT]
 */
export async function benchStoreKnobs(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(FLAGS.map((name) => [name, { type: "string" as const }])),
  });
  const get = (name: (typeof FLAGS)[number], fallback: string): string => {
    const value = values[name];
    return typeof value === "string" ? value : fallback;
  };
  const events = Number(get("events", "160000"));
  const perCommit = Number(get("commit", "800"));
  const attach = get("attach", "");
  const sets = JSON.parse(get("set", "[]")) as string[];
  const tidyEvery = Number(get("tidy-every", "0"));
  /** CHECKPOINT on a second connection, not awaited, when the log passes this many MiB (0: off). */
  const backgroundMiB = Number(get("background-checkpoint", "0"));
  const label = get("label", "");

  const rows: EventRow[] = [];
  for (let i = 0; rows.length < events; i++) {
    const { body } = segmentBatch(`k${process.pid}-${i}`, 100);
    for (const record of normalizeSegment("batch", JSON.parse(body), new Date()).records) {
      const row = eventRow(record, "UTC");
      if (row) rows.push(row);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "sextant-knobs-"));
  const path = join(dir, "k.duckdb");
  const instance = await DuckDBInstance.create(attach ? ":memory:" : path, {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    memory_limit: "512MB",
  });
  const c = await instance.connect();
  if (attach) {
    await c.run(`ATTACH '${path}' AS s (${attach})`);
    await c.run("USE s");
  }
  await c.run("SET TimeZone = 'UTC'");
  for (const sql of sets) await c.run(sql);
  for (const sql of DUCKDB_SCHEMA) await c.run(sql);
  await c.run(`INSERT INTO workspaces (name, settings) VALUES ('shop', '{}')`);
  await c.run("CHECKPOINT");
  const tx = new Transaction(c);
  const appender = new EventAppender();
  const walSize = () => (existsSync(`${path}.wal`) ? statSync(`${path}.wal`).size : 0);
  const commits: number[] = [];
  const checkpointCommits: number[] = [];
  const explicit: { ms: number; cpuMs: number }[] = [];
  const checkpointer = backgroundMiB > 0 ? await instance.connect() : null;
  if (checkpointer && attach) await checkpointer.run("USE s");
  let running: Promise<void> | null = null;
  const background: number[] = [];
  const duringBackground: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0, n = 1; i < rows.length; i += perCommit, n++) {
    const before = walSize();
    const start = performance.now();
    await appender.append(tx, new Map([["shop", rows.slice(i, i + perCommit)]]));
    const ms = performance.now() - start;
    commits.push(ms);
    if (running) duringBackground.push(ms);
    if (walSize() < before && !running) checkpointCommits.push(ms);
    if (checkpointer && !running && walSize() > backgroundMiB * 2 ** 20) {
      const t = performance.now();
      running = checkpointer.run("CHECKPOINT").then(() => {
        background.push(performance.now() - t);
        running = null;
      });
    }
    if (tidyEvery > 0 && n % tidyEvery === 0) {
      const t = performance.now();
      const u = process.cpuUsage();
      await c.run("CHECKPOINT");
      const du = process.cpuUsage(u);
      explicit.push({ ms: performance.now() - t, cpuMs: (du.user + du.system) / 1000 });
    }
  }
  if (running) await running;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  await c.run("CHECKPOINT");
  const fileMiB = statSync(path).size / 2 ** 20;
  const info = await c.runAndReadAll(
    "SELECT count(DISTINCT row_group_id) AS g FROM pragma_storage_info('events')",
  );
  const rowGroups = Number(info.getRowObjectsJson()[0]?.g ?? 0);
  c.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
  const sorted = [...commits].sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
  const others = commits.filter((m) => !checkpointCommits.includes(m));
  console.log(
    JSON.stringify({
      label,
      events: rows.length,
      cpuUsPerEvent: Number(((cpu.user + cpu.system) / rows.length).toFixed(1)),
      wallS: Number((wall / 1000).toFixed(2)),
      commitP50: at(0.5),
      commitP99: at(0.99),
      commitMax: Math.round(sorted.at(-1) ?? 0),
      checkpointCommits: checkpointCommits.map(Math.round),
      slowestWithoutCheckpoint: Math.round(Math.max(0, ...others)),
      backgroundCheckpoints: background.map(Math.round),
      commitsDuringBackground: duringBackground.length,
      slowestDuringBackground: Math.round(Math.max(0, ...duringBackground)),
      explicitCheckpoints: explicit.map((e) => `${Math.round(e.ms)} ms (${Math.round(e.cpuMs)} ms CPU)`),
      fileMiB: Number(fileMiB.toFixed(1)),
      rowGroups,
      load: loadavg()[0]?.toFixed(2),
    }),
  );
}
