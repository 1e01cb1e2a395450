/**
 * `npm run build && node dist/bench/ingest/budget.js` — where a `/v1/batch` event's time goes
 * without HTTP: the benchmark's own Segment batches parsed, validated and normalised, typed, and
 * then committed by the store alone (one `appendEvents` after another, nothing else running), so
 * that the HTTP figures of main.ts can be read against what each step costs on this machine.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normalizeSegment } from "../../src/ingest/segment/normalize.js";
import type { TextRecord } from "../../src/ingest/text-record.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { eventRow } from "../../src/store/duckdb/event-row.js";
import type { IncomingEvent } from "../../src/store/store.js";
import { quantile } from "../stats.js";
import { segmentBatch } from "./payloads.js";
import { initStore } from "./serve-process.js";

const BATCH = 100;

function micros(ms: number, events: number): string {
  return `${((ms * 1000) / events).toFixed(1)} µs`;
}

/** Parsing, normalisation and typing of `requests` batches, three rounds (the first warms the code up). */
function requestWork(requests: number): void {
  const now = new Date();
  const bodies = Array.from({ length: requests }, (_, i) => segmentBatch(`p${i}`, BATCH, now).body);
  for (let round = 1; round <= 3; round++) {
    let parse = 0;
    let normalize = 0;
    let typing = 0;
    let events = 0;
    for (const text of bodies) {
      const t0 = performance.now();
      const body: unknown = JSON.parse(text);
      const t1 = performance.now();
      const { records } = normalizeSegment("batch", body, now);
      const t2 = performance.now();
      for (const record of records) eventRow(record, "UTC");
      typing += performance.now() - t2;
      parse += t1 - t0;
      normalize += t2 - t1;
      events += records.length;
    }
    process.stdout.write(
      `  round ${round}: per event JSON.parse ${micros(parse, events)}, validation and normalisation ` +
        `${micros(normalize, events)}, typing ${micros(typing, events)}\n`,
    );
  }
}

/** Commits of `perCommit` events, one after another, into a fresh store opened as `serve` opens it. */
async function storeAlone(dir: string, perCommit: number, commits: number): Promise<void> {
  const setup = await initStore(join(dir, `alone-${perCommit}.duckdb`));
  const store = await DuckdbStore.open(setup.db, { memoryLimit: "512MB" });
  try {
    const now = new Date();
    let n = 0;
    const group = (): IncomingEvent[] => {
      const events: IncomingEvent[] = [];
      for (let i = 0; i < perCommit / BATCH; i++) {
        const body: unknown = JSON.parse(segmentBatch(`s${perCommit}-${n++}`, BATCH, now).body);
        const records: TextRecord[] = normalizeSegment("batch", body, now).records;
        for (const record of records) events.push({ workspace: setup.workspace, record });
      }
      return events;
    };
    const groups = Array.from({ length: commits + 1 }, group);
    // The first commit reads the key filter and settings: not counted.
    await store.appendEvents(groups.shift() ?? []);
    const times: number[] = [];
    const started = performance.now();
    for (const events of groups) {
      const t = performance.now();
      await store.appendEvents(events);
      times.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    const p50 = quantile(times, 0.5);
    process.stdout.write(
      `  ${perCommit} events a commit: ${Math.round((perCommit * commits) / seconds).toLocaleString("en-US")} events/s; ` +
        `commit p50 ${p50.toFixed(1)} ms (${micros(p50, perCommit)} an event)\n`,
    );
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  process.stdout.write(`Request work on ${BATCH}-event Segment batches (no HTTP, no store):\n`);
  requestWork(300);
  process.stdout.write("The store alone (typing, INSERT and commit; no HTTP, nothing else running):\n");
  const dir = mkdtempSync(join(tmpdir(), "sextant-budget-"));
  try {
    await storeAlone(dir, 800, 100);
    await storeAlone(dir, 2600, 40);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
