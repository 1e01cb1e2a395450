import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { duckdbOptions, SERVE_MEMORY_LIMIT } from "../../src/config.js";
import { normalizeSegment } from "../../src/ingest/segment/normalize.js";
import type { TextRecord } from "../../src/model/text-record.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { eventRow } from "../../src/store/duckdb/event-row.js";
import { segmentBatch } from "../../test/support/payloads.js";
import { initStore } from "../../test/support/serve-process.js";
import { numberFlags } from "../util.js";

/**
 * Prices each step of a `/v1/batch` request apart, in CPU time of this process (every thread,
 * DuckDB's included) per event, on the benchmark's Segment batches: parsing, validation and
 * normalisation, typing, the store's commits (typing included, as the writer calls it) and the
 * derivation the stored events need. No HTTP: the route's own cost is /v1/batch minus these.
 *
 *   npm run bench -- budget [--batches N] [--commit EVENTS] [--rounds N]
 */
export async function benchIngestBudget(argv: readonly string[]): Promise<void> {
  const { batches, commit: perCommit, rounds } = numberFlags(argv, { batches: 300, commit: 800, rounds: 3 });
  const BATCH = 100;

  function cpuMicros<T>(work: () => T): { result: T; micros: number } {
    const start = process.cpuUsage();
    const result = work();
    const used = process.cpuUsage(start);
    return { result, micros: used.user + used.system };
  }

  async function cpuMicrosAsync<T>(work: () => Promise<T>): Promise<{ result: T; micros: number }> {
    const start = process.cpuUsage();
    const result = await work();
    const used = process.cpuUsage(start);
    return { result, micros: used.user + used.system };
  }

  const dir = mkdtempSync(join(tmpdir(), "sextant-ingest-budget-"));
  try {
    const setup = await initStore(join(dir, "budget.duckdb"));
    const store = await DuckdbStore.open(setup.db, duckdbOptions({}, process.env, SERVE_MEMORY_LIMIT));
    const rows: Record<string, number[]> = {};
    const note = (step: string, micros: number, events: number) => {
      rows[step] ??= [];
      rows[step].push(micros / events);
    };
    for (let round = 0; round < rounds; round++) {
      const bodies = Array.from({ length: batches }, (_, i) => segmentBatch(`r${round}-b${i}`, BATCH).body);
      const events = batches * BATCH;
      const parsed = cpuMicros(() => bodies.map((b) => JSON.parse(b) as unknown));
      note("JSON.parse", parsed.micros, events);
      const receivedAt = new Date();
      const normalized = cpuMicros(() =>
        parsed.result.map((b) => normalizeSegment("batch", b, receivedAt).records),
      );
      note("validation + normalisation", normalized.micros, events);
      const records: TextRecord[] = normalized.result.flat();
      const typed = cpuMicros(() => records.map((r) => eventRow(r, "UTC")));
      note("typing (eventRow)", typed.micros, events);
      const stored = await cpuMicrosAsync(async () => {
        for (let i = 0; i < records.length; i += perCommit) {
          await store.appendEvents(
            records.slice(i, i + perCommit).map((record) => ({ workspace: setup.workspace, record })),
          );
        }
      });
      note(`store: appendEvents of ${perCommit} (typing included)`, stored.micros, events);
      const workspace = (await store.listWorkspaces()).find((w) => w.name === setup.workspace);
      if (!workspace) throw new Error("no workspace");
      const derived = await cpuMicrosAsync(() => store.refreshDerived(workspace));
      note("derivation (sessions, rollups)", derived.micros, events);
    }
    await store.close();
    console.log(`µs of CPU per event (${rounds} rounds of ${batches} × ${BATCH} events; median, min, max):`);
    for (const [step, values] of Object.entries(rows)) {
      const sorted = [...values].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
      console.log(
        `  ${step.padEnd(48)} ${median.toFixed(1).padStart(6)}  (${sorted[0]?.toFixed(1)}–${sorted.at(-1)?.toFixed(1)}; in order ${values.map((v) => v.toFixed(1)).join(", ")})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
