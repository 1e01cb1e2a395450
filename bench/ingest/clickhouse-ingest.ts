/**
 * Ingestion into ClickHouse (issue 14's target: acknowledged within 1.5 s at p99), as a user runs
 * it: `sextant serve --clickhouse URL [--clickhouse-cluster C]` as its own process, Segment batches
 * flat out and single Plausible events at a fixed rate from a separate load process, then the
 * events counted in ClickHouse against those acknowledged. Part of
 * `npm run bench -- --store clickhouse [--cluster]` (bench/run.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initWorkspace, ServeProcess } from "../../test/support/serve-process.js";
import type { ClickhouseFixture } from "../clickhouse-server.js";
import { runLoadChild } from "./ingest-bench.js";
import type { LoadResult } from "./load.js";

export interface ClickhouseIngestOptions {
  readonly batchEvents: number;
  readonly connections: number;
  readonly seconds: number;
  readonly eventRate: number;
  readonly eventSeconds: number;
}

export const CLICKHOUSE_INGEST_DEFAULTS: ClickhouseIngestOptions = {
  batchEvents: 100,
  connections: 16,
  seconds: 15,
  eventRate: 200,
  eventSeconds: 15,
};

export interface ClickhouseIngestResults {
  readonly batch: LoadResult & { readonly eventsPerSecond: number; readonly serverCpuMicrosPerEvent: number };
  readonly single: LoadResult;
  /** Events acknowledged with a 2xx, and events found in ClickHouse afterwards. */
  readonly acknowledged: number;
  readonly stored: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU seconds of a process so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function countEvents(fixture: ClickhouseFixture, database: string): Promise<number> {
  const sql = `SELECT count() FROM ${database}.events WHERE workspace = 'shop' FORMAT TSV`;
  const response = await fetch(fixture.url, { method: "POST", body: sql });
  const text = await response.text();
  if (!response.ok) throw new Error(`counting events failed: ${text}`);
  return Number(text.trim());
}

export async function benchClickhouseIngest(
  fixture: ClickhouseFixture,
  options: ClickhouseIngestOptions = CLICKHOUSE_INGEST_DEFAULTS,
  log: (line: string) => void = console.log,
): Promise<ClickhouseIngestResults> {
  const scratch = mkdtempSync(join(tmpdir(), "sextant-ch-ingest-"));
  const database = "ingest_bench";
  const storeArgs = [
    "--clickhouse",
    `${fixture.url}/${database}`,
    ...(fixture.cluster ? ["--clickhouse-cluster", fixture.cluster] : []),
  ];
  const setup = await initWorkspace(storeArgs);
  const server = await ServeProcess.start({ storeArgs, logFile: join(scratch, "serve.log") });
  try {
    const url = server.base;
    log(
      `  single /api/event at ${options.eventRate} req/s evenly spaced, ${options.eventSeconds} s after 3 s of warm-up`,
    );
    const single = await runLoadChild({
      url,
      path: "/api/event",
      payload: { kind: "plausible", domain: setup.domain },
      connections: 256,
      durationSeconds: options.eventSeconds,
      overallRate: options.eventRate,
      warmupSeconds: 3,
      runId: "chev",
    });
    log(
      `    p50 ${single.latencyMs.p50.toFixed(0)} ms, p99 ${single.latencyMs.p99.toFixed(0)} ms, max ${single.latencyMs.max.toFixed(0)} ms; ${single.ok} acknowledged, ${single.non2xx + single.errors + single.timeouts} not`,
    );

    log(
      `  /v1/batch of ${options.batchEvents} events, ${options.connections} connections, ${options.seconds} s`,
    );
    const cpuBefore = cpuSeconds(server.pid);
    const load = await runLoadChild({
      url,
      path: "/v1/batch",
      payload: { kind: "segment-batch", events: options.batchEvents, writeKey: setup.writeKey },
      connections: options.connections,
      durationSeconds: options.seconds,
      runId: "chb",
    });
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const events = load.ok * options.batchEvents;
    const batch = {
      ...load,
      eventsPerSecond: events / load.durationSeconds,
      serverCpuMicrosPerEvent: (cpu * 1e6) / Math.max(1, events),
    };
    log(
      `    ${batch.eventsPerSecond.toFixed(0)} events/s acknowledged, p50 ${load.latencyMs.p50.toFixed(0)} ms, p99 ${load.latencyMs.p99.toFixed(0)} ms, max ${load.latencyMs.max.toFixed(0)} ms; server CPU ${batch.serverCpuMicrosPerEvent.toFixed(1)} µs/event (writes included, derivation after the answer included while it ran)`,
    );

    // Every acknowledged event must be in ClickHouse (the warm-up's too: they were acknowledged).
    const acknowledged = events + single.ok;
    const stored = await countEvents(fixture, database);
    log(
      `  stored ${stored} events for ${acknowledged} acknowledged in the measured runs (warm-up's included in stored) — ${stored >= acknowledged ? "none lost" : "LOST EVENTS"}`,
    );
    return { batch, single, acknowledged, stored };
  } finally {
    await server.terminate();
    rmSync(scratch, { recursive: true, force: true });
  }
}
