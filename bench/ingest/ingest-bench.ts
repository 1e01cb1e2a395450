import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { type DuckDBConnection, version as duckdbVersion } from "@duckdb/node-api";
import { duckdbOptions, SERVE_MEMORY_LIMIT } from "../../src/config.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { AppendResult, IncomingEvent, Store } from "../../src/store/store.js";
import { type CycleReport, runKillCycles, type Verification } from "../../test/support/kill-cycles.js";
import { ROOT, requireBuilt } from "../../test/support/paths.js";
import { initStore, ServeProcess } from "../../test/support/serve-process.js";
import { quantile } from "../stats.js";
import type { LoadResult, LoadSpec } from "./load.js";
import { benchPhases, idleStatementMs, type PhaseResults, StatementTimer } from "./phases.js";
import { type ProfileSummary, summarizeProfile } from "./profile.js";

export interface IngestBenchOptions {
  /** Events per `/v1/batch` request. */
  readonly batchEvents: number;
  /** autocannon connections for the unthrottled batch runs. */
  readonly connections: number;
  readonly seconds: number;
  /** Single `/api/event` requests per second, evenly spaced (load.ts' open loop). */
  readonly eventRate: number;
  /** Most sockets the open loop may hold open at once. */
  readonly eventConnections: number;
  readonly eventSeconds: number;
  /** Seconds at the rate before the measured `eventSeconds`, not counted. */
  readonly eventWarmupSeconds: number;
  /** Continuous batch ingestion against `sextant serve` for the commit-stall measurement. */
  readonly stallSeconds: number;
  /** Profile the `serve` process of the stall run with `node --cpu-prof`. */
  readonly profile: boolean;
  readonly killCycles: number;
  readonly killSenders: number;
  readonly killBatchEvents: number;
  /** The load of a kill cycle lasts a random time in [min, max] ms after its first 2xx. */
  readonly killLoadMs: readonly [number, number];
  /** Extra kill cycles that SIGKILL the moment DuckDB starts a checkpoint (WAL ≥ 8 MiB). */
  readonly checkpointKills: number;
  /** Stored events at which the commit phases are timed; none skips the phase timing. */
  readonly phaseSizes: readonly number[];
  readonly phaseGroups: readonly number[];
  readonly phaseCommits: number;
  /** Keep the temporary stores, logs and CPU profiles (their folder is printed). */
  readonly keep: boolean;
  readonly log: (line: string) => void;
}

export const DEFAULT_OPTIONS: IngestBenchOptions = {
  batchEvents: 100,
  connections: 16,
  seconds: 15,
  eventRate: 1000,
  eventConnections: 100,
  eventSeconds: 15,
  eventWarmupSeconds: 3,
  stallSeconds: 30,
  profile: true,
  killCycles: 10,
  killSenders: 8,
  killBatchEvents: 100,
  killLoadMs: [2000, 5000],
  checkpointKills: 3,
  phaseSizes: [0, 1_000_000, 5_000_000],
  phaseGroups: [100, 1000, 5000],
  phaseCommits: 7,
  keep: false,
  log: (line) => process.stdout.write(`${line}\n`),
};

export interface HttpFigures {
  readonly route: string;
  readonly load: LoadResult;
  readonly eventsPerSecond: number;
}

export interface CommitStats {
  /** Durations of the commits during which DuckDB checkpointed (the WAL shrank). */
  readonly checkpointCommitsMs: readonly number[];
  readonly maxWithoutCheckpointMs: number;
  readonly commits: number;
  readonly meanEvents: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly over250ms: number;
  readonly over1s: number;
}

export interface StallResults {
  readonly load: LoadResult;
  readonly eventsPerSecond: number;
  /** From the server's /metrics (sextant_commit_seconds). */
  readonly commits: number;
  readonly commitMeanMs: number;
  readonly commitsOver1s: number;
  readonly commitsOver250ms: number;
  /** The histogram bucket holding the slowest commit, e.g. "(0.5, 1] s". */
  readonly slowestCommitBucket: string;
  readonly meanEventsPerCommit: number;
  /** Write-ahead log: largest size seen and how often it shrank (a checkpoint). */
  readonly walMaxBytes: number;
  readonly walCheckpoints: number;
  readonly storedEvents: number;
  readonly profile: ProfileSummary | null;
}

export interface KillResults {
  readonly cycles: readonly CycleReport[];
  readonly verification: Omit<Verification, "lost" | "duplicated" | "partialBatches"> & {
    readonly lost: number;
    readonly duplicated: number;
    readonly partialBatches: number;
  };
  readonly cleanExit: boolean;
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface IngestResults {
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly node: string;
    readonly duckdb: string;
  };
  readonly options: Omit<IngestBenchOptions, "log">;
  readonly event: HttpFigures;
  readonly eventNoop: HttpFigures;
  readonly eventCommits: CommitStats;
  readonly batch: HttpFigures;
  readonly batchNoop: HttpFigures;
  readonly batchCommits: CommitStats;
  readonly batchStoredEvents: number;
  /** The in-process server during (a): CPU, event-loop delay, write-connection statements. */
  readonly batchServer: {
    readonly serverCores: number;
    /** Server CPU (main thread and DuckDB threads) per acknowledged event during (a). */
    readonly cpuMicrosPerEvent: number;
    /** CPU of the session and rollup derivation those events need, paid at the first query, per event. */
    readonly deriveMicrosPerEvent: number;
    /** Server CPU per event of the no-op route with the same bodies (c). */
    readonly noopCpuMicrosPerEvent: number;
    readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
    readonly statements: readonly {
      readonly phase: string;
      readonly count: number;
      readonly meanMs: number;
      readonly share: number;
    }[];
    readonly idleWorkspacesSelectMs: number;
  };
  /** Batch events/s ÷ no-op route events/s with the same bodies on the same server. */
  readonly batchToNoop: number;
  readonly stall: StallResults | null;
  readonly kill: KillResults | null;
  readonly phases: PhaseResults | null;
  /** 1-minute load average of the machine before and after the run (other processes skew every figure). */
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly targets: readonly Target[];
}

/** The autocannon child process (bench/ingest/load.ts, built). */
const LOAD_MAIN = join(ROOT, "dist", "bench", "ingest", "load.js");

/** Runs the load generator (load.ts) in its own process, off the server's cores' event loop. */
export function runLoadChild(spec: LoadSpec): Promise<LoadResult> {
  requireBuilt(LOAD_MAIN);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [LOAD_MAIN, JSON.stringify(spec)],
      { maxBuffer: 16 * 1024 * 1024, timeout: (spec.durationSeconds + 120) * 1000, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`load generator failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as LoadResult);
      },
    );
  });
}

function commitStats(commits: readonly CommitSample[]): CommitStats {
  const ms = commits.map((c) => c.ms).sort((a, b) => a - b);
  const plain = commits.filter((c) => !c.checkpoint).map((c) => c.ms);
  return {
    checkpointCommitsMs: commits.filter((c) => c.checkpoint).map((c) => c.ms),
    maxWithoutCheckpointMs: plain.length ? Math.max(...plain) : Number.NaN,
    commits: commits.length,
    meanEvents: commits.reduce((n, c) => n + c.events, 0) / Math.max(1, commits.length),
    p50Ms: quantile(ms, 0.5),
    p99Ms: quantile(ms, 0.99),
    maxMs: ms.at(-1) ?? Number.NaN,
    over250ms: ms.filter((m) => m > 250).length,
    over1s: ms.filter((m) => m > 1000).length,
  };
}

interface CommitSample {
  readonly events: number;
  readonly ms: number;
  /** The write-ahead log shrank during the commit: DuckDB checkpointed inside it. */
  readonly checkpoint: boolean;
}

function walBytes(wal: string): number {
  try {
    return statSync(wal).size;
  } catch {
    return 0;
  }
}

/** A store whose group commits are timed (the writer calls appendEvents once per commit). */
function timedStore(store: DuckdbStore, wal: string): { store: Store; commits: CommitSample[] } {
  const commits: CommitSample[] = [];
  const timed = Object.create(store) as Store;
  timed.appendEvents = async (events: readonly IncomingEvent[]): Promise<AppendResult> => {
    const before = walBytes(wal);
    const start = performance.now();
    try {
      return await store.appendEvents(events);
    } finally {
      commits.push({
        events: events.length,
        ms: performance.now() - start,
        checkpoint: walBytes(wal) < before,
      });
    }
  };
  return { store: timed, commits };
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const ms = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} ms` : "n/a");

function describeLoad(f: HttpFigures, batch: number): string {
  const l = f.load;
  const errors =
    l.non2xx + l.errors ? `, ${l.non2xx} non-2xx, ${l.errors} errors (${JSON.stringify(l.statusCodes)})` : "";
  return (
    `${int(l.requestsPerSecond)} req/s${batch > 1 ? `, ${int(f.eventsPerSecond)} events/s` : ""}; latency p50 ${ms(l.latencyMs.p50)}, ` +
    `p99 ${ms(l.latencyMs.p99)}, max ${ms(l.latencyMs.max)} (${int(l.ok)} × 2xx in ${l.durationSeconds.toFixed(1)} s${errors})`
  );
}

function describeCommits(c: CommitStats): string {
  return `${int(c.commits)} commits of ${c.meanEvents.toFixed(0)} events on average; commit p50 ${ms(c.p50Ms)}, p99 ${ms(c.p99Ms)}, max ${ms(c.maxMs)}, ${c.over1s} over 1 s; ${c.checkpointCommitsMs.length} with a WAL checkpoint (${c.checkpointCommitsMs.map(ms).join(", ") || "none"}), slowest without one ${ms(c.maxWithoutCheckpointMs)}`;
}

/** (a)–(c): `/api/event` at a fixed rate, `/v1/batch` flat out, and a no-op route with the same bodies, on one in-process server. */
async function benchHttp(options: IngestBenchOptions, dir: string) {
  const { log } = options;
  const setup = await initStore(join(dir, "http.duckdb"));
  // As `sextant serve` opens it (its memory limit and storage knobs, from the same variables), but
  // in this process, with a no-op route added.
  const opened = await DuckdbStore.open(setup.db, duckdbOptions({}, process.env, SERVE_MEMORY_LIMIT));
  // Diagnostic: time the statements on the store's write connection (a private field, reached
  // from outside on purpose; nothing else is changed).
  const inner = (opened as unknown as { db: { connection: DuckDBConnection } }).db;
  const workspacesSql = "SELECT name, CAST(settings AS VARCHAR) AS settings FROM workspaces";
  const idleWorkspacesMs = await idleStatementMs(inner.connection, workspacesSql);
  const statements = new StatementTimer();
  const { store, commits } = timedStore(opened, `${setup.db}.wal`);
  const app = await buildApp({ store, rateLimit: 100_000_000 });
  app.post("/noop", { bodyLimit: 512 * 1024 }, async (request) => ({ success: request.body !== undefined }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  try {
    const segment = { kind: "segment-batch", events: options.batchEvents, writeKey: setup.writeKey } as const;
    const plausible = { kind: "plausible", domain: setup.domain } as const;
    const rated = {
      connections: options.eventConnections,
      durationSeconds: options.eventSeconds,
      overallRate: options.eventRate,
      warmupSeconds: options.eventWarmupSeconds,
    };
    log(
      `(b) single /api/event at ${options.eventRate} req/s evenly spaced (open loop, up to ${options.eventConnections} connections), ` +
        `${options.eventSeconds} s after ${options.eventWarmupSeconds} s of warm-up (fresh store)`,
    );
    const eventLoad = await runLoadChild({
      url,
      path: "/api/event",
      payload: plausible,
      ...rated,
      runId: "ev",
    });
    const event = { route: "/api/event", load: eventLoad, eventsPerSecond: eventLoad.requestsPerSecond };
    const eventCommits = commitStats(commits.splice(0));
    log(`    /api/event : ${describeLoad(event, 1)}`);
    log(`    writer     : ${describeCommits(eventCommits)}`);
    const noopEventLoad = await runLoadChild({
      url,
      path: "/noop",
      payload: plausible,
      ...rated,
      runId: "evn",
    });
    const eventNoop = {
      route: "/noop",
      load: noopEventLoad,
      eventsPerSecond: noopEventLoad.requestsPerSecond,
    };
    log(`    /noop      : ${describeLoad(eventNoop, 1)}`);

    const flat = { connections: options.connections, durationSeconds: options.seconds };
    log(
      `(a) /v1/batch of ${options.batchEvents} events, ${options.connections} connections, ${options.seconds} s, unique messageIds`,
    );
    const unwrapped = inner.connection;
    inner.connection = statements.wrap(unwrapped);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const batchLoad = await runLoadChild({ url, path: "/v1/batch", payload: segment, ...flat, runId: "b" });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    loop.disable();
    inner.connection = unwrapped;
    const serverCores = (used.user + used.system) / 1000 / wallMs;
    const cpuMicrosPerEvent = (used.user + used.system) / Math.max(1, batchLoad.ok * options.batchEvents);
    const eventLoopDelayMs = {
      p50: loop.percentile(50) / 1e6,
      p99: loop.percentile(99) / 1e6,
      max: loop.max / 1e6,
    };
    const statementTimes = statements.summary(wallMs);
    const batch = {
      route: "/v1/batch",
      load: batchLoad,
      eventsPerSecond: batchLoad.requestsPerSecond * options.batchEvents,
    };
    const batchCommits = commitStats(commits.splice(0));
    log(`    /v1/batch  : ${describeLoad(batch, options.batchEvents)}`);
    log(`    writer     : ${describeCommits(batchCommits)}`);
    log(
      `    server     : ${serverCores.toFixed(2)} cores (main thread + DuckDB threads); event-loop delay p50 ${ms(eventLoopDelayMs.p50)}, ` +
        `p99 ${ms(eventLoopDelayMs.p99)}, max ${ms(eventLoopDelayMs.max)}; load generator ${batchLoad.loadGeneratorCores.toFixed(2)} cores`,
    );
    const busy = statementTimes.reduce((n, x) => n + x.share, 0);
    log(
      `    write-connection statements during (a), wall time start → settled (busy ${int(100 * busy)} % of the run):`,
    );
    for (const x of statementTimes) {
      log(
        `      ${x.phase.padEnd(28)} ×${String(x.count).padStart(5)}  mean ${ms(x.meanMs).padStart(8)}  ${(100 * x.share).toFixed(1).padStart(5)} %`,
      );
    }
    log(`      (the workspaces SELECT alone on an idle connection: ${ms(idleWorkspacesMs)})`);
    log(
      `(c) /noop with the same ${options.batchEvents}-event bodies, same server, ${options.connections} connections, ${options.seconds} s`,
    );
    const noopCpu = process.cpuUsage();
    const noopLoad = await runLoadChild({ url, path: "/noop", payload: segment, ...flat, runId: "bn" });
    const noopUsed = process.cpuUsage(noopCpu);
    const noopCpuMicrosPerEvent =
      (noopUsed.user + noopUsed.system) / Math.max(1, noopLoad.ok * options.batchEvents);
    const batchNoop = {
      route: "/noop",
      load: noopLoad,
      eventsPerSecond: noopLoad.requestsPerSecond * options.batchEvents,
    };
    log(`    /noop      : ${describeLoad(batchNoop, options.batchEvents)}`);
    const batchToNoop = batch.eventsPerSecond / batchNoop.eventsPerSecond;
    log(`    /v1/batch ÷ /noop = ${batchToNoop.toFixed(3)}`);
    const batchStoredEvents = (await opened.countRows(setup.workspace)).events;
    // The derivation the stored events need (sessions and rollups), which the first query pays.
    const workspace = (await opened.listWorkspaces()).find((w) => w.name === setup.workspace);
    const deriveCpu = process.cpuUsage();
    if (workspace) await opened.refreshDerived(workspace);
    const deriveUsed = process.cpuUsage(deriveCpu);
    const deriveMicrosPerEvent = (deriveUsed.user + deriveUsed.system) / Math.max(1, batchStoredEvents);
    log(
      `    server CPU per event: /v1/batch ${cpuMicrosPerEvent.toFixed(1)} µs + derivation at the first query ${deriveMicrosPerEvent.toFixed(1)} µs ` +
        `= ${(cpuMicrosPerEvent + deriveMicrosPerEvent).toFixed(1)} µs; /noop ${noopCpuMicrosPerEvent.toFixed(1)} µs (same bodies, same run)`,
    );
    log(
      `    stored events after (a) and (b): ${int(batchStoredEvents)} (2xx × batch: ${int(batchLoad.ok * options.batchEvents)})`,
    );
    const batchServer = {
      serverCores,
      cpuMicrosPerEvent,
      deriveMicrosPerEvent,
      noopCpuMicrosPerEvent,
      eventLoopDelayMs,
      statements: statementTimes,
      idleWorkspacesSelectMs: idleWorkspacesMs,
    };
    return {
      event,
      eventNoop,
      eventCommits,
      batch,
      batchNoop,
      batchCommits,
      batchStoredEvents,
      batchToNoop,
      batchServer,
    };
  } finally {
    await app.close();
    await opened.close();
  }
}

function histogram(metrics: string, name: string) {
  const buckets: { le: number; count: number }[] = [];
  let count = 0;
  let sum = 0;
  for (const line of metrics.split("\n")) {
    const bucket = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)`).exec(line);
    if (bucket)
      buckets.push({
        le: bucket[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(bucket[1]),
        count: Number(bucket[2]),
      });
    const c = new RegExp(`^${name}_count (\\S+)`).exec(line);
    if (c) count = Number(c[1]);
    const s = new RegExp(`^${name}_sum (\\S+)`).exec(line);
    if (s) sum = Number(s[1]);
  }
  return { buckets, count, sum };
}

/** (e) Continuous batch ingestion against `sextant serve`: commit latencies from /metrics, WAL checkpoints, a CPU profile. */
async function benchStall(options: IngestBenchOptions, dir: string): Promise<StallResults> {
  const { log } = options;
  const setup = await initStore(join(dir, "stall.duckdb"));
  const profileDir = join(dir, "cpu-profile");
  mkdirSync(profileDir, { recursive: true });
  const nodeArgs = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const server = await ServeProcess.start({ db: setup.db, logFile: join(dir, "stall-serve.log"), nodeArgs });
  const wal = `${setup.db}.wal`;
  let walMaxBytes = 0;
  let walLast = 0;
  let walCheckpoints = 0;
  const poll = setInterval(() => {
    let size = 0;
    try {
      size = statSync(wal).size;
    } catch {
      size = 0;
    }
    if (size < walLast) walCheckpoints++;
    walLast = size;
    walMaxBytes = Math.max(walMaxBytes, size);
  }, 50);
  let load: LoadResult;
  let metrics: string;
  try {
    log(
      `(e) sextant serve${options.profile ? " (node --cpu-prof)" : ""}: /v1/batch of ${options.batchEvents} events, ${options.connections} connections, ${options.stallSeconds} s`,
    );
    load = await runLoadChild({
      url: server.base,
      path: "/v1/batch",
      payload: { kind: "segment-batch", events: options.batchEvents, writeKey: setup.writeKey },
      connections: options.connections,
      durationSeconds: options.stallSeconds,
      runId: "st",
    });
    metrics = await (await fetch(`${server.base}/metrics`)).text();
  } finally {
    clearInterval(poll);
    const exit = await server.terminate(60_000);
    if (exit.code !== 0) log(`    serve exited with ${JSON.stringify(exit)}`);
  }
  const commit = histogram(metrics, "sextant_commit_seconds");
  const events = histogram(metrics, "sextant_commit_events");
  const over = (seconds: number) => commit.count - (commit.buckets.find((b) => b.le === seconds)?.count ?? 0);
  const over1 = over(1);
  const top = commit.buckets.findIndex((b) => b.count >= commit.count);
  const lower = top > 0 ? commit.buckets[top - 1]?.le : 0;
  const slowestCommitBucket = top >= 0 ? `(${lower}, ${commit.buckets[top]?.le}] s` : "n/a";
  let storedEvents = Number.NaN;
  {
    const store = await DuckdbStore.open(setup.db);
    storedEvents = (await store.countRows(setup.workspace)).events;
    await store.close();
  }
  const result: StallResults = {
    load,
    eventsPerSecond: load.requestsPerSecond * options.batchEvents,
    commits: commit.count,
    commitMeanMs: (commit.sum / Math.max(1, commit.count)) * 1000,
    commitsOver1s: over1,
    commitsOver250ms: over(0.25),
    slowestCommitBucket,
    meanEventsPerCommit: events.sum / Math.max(1, events.count),
    walMaxBytes,
    walCheckpoints,
    storedEvents,
    profile: options.profile ? summarizeProfile(profileDir) : null,
  };
  log(
    `    /v1/batch  : ${describeLoad({ route: "/v1/batch", load, eventsPerSecond: result.eventsPerSecond }, options.batchEvents)}`,
  );
  log(
    `    commits    : ${int(result.commits)} (from /metrics), mean ${ms(result.commitMeanMs)}, ${result.meanEventsPerCommit.toFixed(0)} events each; ` +
      `slowest in ${slowestCommitBucket}; ${over1} over 1 s`,
  );
  log(
    `    WAL        : up to ${(walMaxBytes / 2 ** 20).toFixed(1)} MiB, ${walCheckpoints} checkpoint(s) seen; stored ${int(storedEvents)} events`,
  );
  const p = result.profile;
  if (p) {
    log(
      `    CPU profile of the server's main thread (${p.file}): busy ${ms(p.busyMs)} of ${ms(p.wallMs)} (${((100 * p.busyMs) / p.wallMs).toFixed(0)} %)`,
    );
    log("      self time by place:");
    for (const x of p.byPlace.slice(0, 10))
      log(`        ${(100 * x.share).toFixed(1).padStart(5)} %  ${x.place}`);
    log("      self time by function:");
    for (const x of p.topFunctions.slice(0, 12))
      log(`        ${(100 * x.share).toFixed(1).padStart(5)} %  ${x.fn}`);
    log("      inclusive time:");
    for (const x of p.inclusive) log(`        ${(100 * x.share).toFixed(1).padStart(5)} %  ${x.fn}`);
  }
  return result;
}

/** (d) SIGKILL mid-load and restart, `killCycles` times, then the file checked against the acknowledgements. */
async function benchKill(options: IngestBenchOptions, dir: string): Promise<KillResults> {
  const { log } = options;
  const killDir = join(dir, "kill");
  mkdirSync(killDir, { recursive: true });
  const setup = await initStore(join(killDir, "kill.duckdb"));
  log(
    `(d) ${options.killCycles} kill/restart cycles: ${options.killSenders} senders × ${options.killBatchEvents}-event batches, ` +
      `SIGKILL ${options.killLoadMs[0]}–${options.killLoadMs[1]} ms after the first 2xx; then ${options.checkpointKills} cycle(s) killed as a WAL checkpoint starts`,
  );
  const result = await runKillCycles({
    setup,
    dir: killDir,
    cycles: options.killCycles + options.checkpointKills,
    checkpointKills: options.checkpointKills,
    senders: options.killSenders,
    batchSize: options.killBatchEvents,
    loadMs: options.killLoadMs,
    resendAcked: 5,
    resendUnackedShare: 0.5,
    onCycle: (c) =>
      log(
        `    cycle ${String(c.cycle).padStart(2)}: ${c.duringCheckpoint === null ? "" : c.duringCheckpoint ? "at a checkpoint, " : "(no checkpoint seen), "}kill after ${c.killAfterMs} ms, ${c.batchesAcked}/${c.batchesSent} batches acknowledged ` +
          `(${int(c.eventsAcked)} events), restart ${ms(c.restartMs)}, ${c.resent} re-sent${c.resendFailures.length ? `, ${c.resendFailures.length} re-sends failed` : ""}` +
          `${Object.keys(c.non2xx).length ? `, non-2xx ${JSON.stringify(c.non2xx)}` : ""}`,
      ),
  });
  const v = result.verification;
  const verification = {
    ...v,
    lost: v.lost.length,
    duplicated: v.duplicated.length,
    partialBatches: v.partialBatches.length,
  };
  log(
    `    acknowledged ${int(v.acknowledged)}, stored ${int(v.storedRows)}, lost ${v.lost.length}, duplicated ${v.duplicated.length}, ` +
      `stored unacknowledged ${v.unackedStored}, partial batches ${v.partialBatches.length}, phantom ${v.phantom}; final SIGTERM exit ${JSON.stringify(result.finalExit)}`,
  );
  for (const id of v.lost.slice(0, 5)) log(`      lost: ${id}`);
  for (const d of v.duplicated.slice(0, 5))
    log(`      duplicated: ${d.id} × ${d.count}${d.acked ? " (acknowledged)" : ""}`);
  return { cycles: result.cycles, verification, cleanExit: result.finalExit.code === 0 };
}

function targets(
  r: Omit<IngestResults, "targets" | "machine" | "options">,
  options: IngestBenchOptions,
): Target[] {
  const s = r.batchServer;
  const perEvent = s.cpuMicrosPerEvent + s.deriveMicrosPerEvent;
  const out: Target[] = [
    {
      name: "/v1/batch throughput (in-process server)",
      target: "≥ 50,000 events/s",
      measured: `${int(r.batch.eventsPerSecond)} events/s`,
      met: r.batch.eventsPerSecond >= 50_000,
    },
    {
      name: "/v1/batch ÷ no-op route",
      target: "≥ 0.5×",
      measured: `${r.batchToNoop.toFixed(3)}× (no-op: ${int(r.batchNoop.eventsPerSecond)} events/s)`,
      met: r.batchToNoop >= 0.5,
    },
    {
      name: `/api/event p99 at ${options.eventRate} req/s`,
      target: "< 20 ms",
      measured: `${ms(r.event.load.latencyMs.p99)} (achieved ${int(r.event.load.requestsPerSecond)} req/s; the no-op route: p99 ${ms(r.eventNoop.load.latencyMs.p99)})`,
      met: r.event.load.latencyMs.p99 < 20 && r.event.load.requestsPerSecond >= options.eventRate * 0.95,
    },
    {
      name: "server CPU per /v1/batch event, derivation included (in-process server)",
      target: "≤ 25 µs",
      measured: `${perEvent.toFixed(1)} µs (${s.cpuMicrosPerEvent.toFixed(1)} + derivation ${s.deriveMicrosPerEvent.toFixed(1)}; the no-op route: ${s.noopCpuMicrosPerEvent.toFixed(1)} µs)`,
      met: perEvent <= 25,
    },
  ];
  const c = r.batchCommits;
  out.push({
    name: `no commit over 250 ms (in-process run (a), timed per commit)`,
    target: "0",
    measured: `${c.over250ms}; max ${ms(c.maxMs)}; ${c.checkpointCommitsMs.length} checkpoint commit(s): ${c.checkpointCommitsMs.map(ms).join(", ") || "none"}`,
    met: c.over250ms === 0,
  });
  if (r.stall) {
    out.push({
      name: "/v1/batch throughput (sextant serve)",
      target: "≥ 50,000 events/s",
      measured: `${int(r.stall.eventsPerSecond)} events/s`,
      met: r.stall.eventsPerSecond >= 50_000,
    });
    out.push({
      name: `no commit over 250 ms (${options.stallSeconds} s into sextant serve, from /metrics)`,
      target: "0",
      measured: `${r.stall.commitsOver250ms} (slowest in ${r.stall.slowestCommitBucket})`,
      met: r.stall.commitsOver250ms === 0,
    });
  }
  if (r.kill) {
    const v = r.kill.verification;
    out.push({
      name: `lost or duplicated over ${r.kill.cycles.length} kill cycles`,
      target: "0 and 0",
      measured: `${v.lost} lost, ${v.duplicated} duplicated (${int(v.acknowledged)} acknowledged)`,
      met: v.lost === 0 && v.duplicated === 0 && v.partialBatches === 0 && r.kill.cleanExit,
    });
  }
  return out;
}

/**
 * The ingestion benchmark: HTTP throughput and latency of `/v1/batch` and `/api/event` against a
 * no-op route of the same server, commit stalls and a CPU profile of `sextant serve`, crash
 * durability over kill/restart cycles, and the phases of one group commit. Prints as it goes.
 */
/** Short settings for a quick look (`--quick`): 5 s loads, 10 s stall run, 3 kill cycles. */
export const QUICK_OPTIONS: Partial<IngestBenchOptions> = {
  seconds: 5,
  eventSeconds: 5,
  eventWarmupSeconds: 1,
  stallSeconds: 10,
  killCycles: 3,
  checkpointKills: 1,
  killLoadMs: [500, 2000],
  phaseSizes: [0, 1_000_000],
  phaseCommits: 5,
};

export async function runIngestBench(partial: Partial<IngestBenchOptions> = {}): Promise<IngestResults> {
  const options: IngestBenchOptions = { ...DEFAULT_OPTIONS, ...partial };
  const { log, ...settings } = options;
  const dir = mkdtempSync(join(tmpdir(), "sextant-ingest-bench-"));
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "?",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    duckdb: duckdbVersion(),
  };
  log(
    `Ingestion benchmark: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, DuckDB ${machine.duckdb}`,
  );
  log(`  work folder ${dir}${options.keep ? " (kept)" : ""}`);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  log(`  load average (1 min) before: ${loadBefore.toFixed(2)}`);
  try {
    const http = await benchHttp(options, dir);
    const stall = options.stallSeconds > 0 ? await benchStall(options, dir) : null;
    const kill = options.killCycles > 0 ? await benchKill(options, dir) : null;
    let phases: PhaseResults | null = null;
    if (options.phaseSizes.length > 0) {
      log(
        `(f) phases of one group commit (appendEventRecords, median of ${options.phaseCommits}), by stored events and events per commit`,
      );
      phases = await benchPhases({
        sizes: options.phaseSizes,
        groups: options.phaseGroups,
        commits: options.phaseCommits,
        log,
      });
      log(
        `    JavaScript before the writer: normalizeSegment ${ms(phases.normalizeBatch100Us / 1000)} per 100-event batch; clientInfo ${phases.clientInfoUs.toFixed(0)} µs per call (once per message)`,
      );
      printPhaseTable(phases, log);
    }
    const loadAverage = { before: loadBefore, after: loadavg()[0] ?? Number.NaN };
    log(
      `  load average (1 min): ${loadAverage.before.toFixed(2)} before, ${loadAverage.after.toFixed(2)} after, on ${machine.cpus} CPUs`,
    );
    const partialResults = { ...http, stall, kill, phases, loadAverage };
    const result: IngestResults = {
      machine,
      options: settings,
      ...partialResults,
      targets: targets(partialResults, options),
    };
    log("");
    log("Targets:");
    for (const t of result.targets)
      log(`  ${t.met ? "MET   " : "MISSED"} ${t.name}: ${t.measured} (target ${t.target})`);
    return result;
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function printPhaseTable(phases: PhaseResults, log: (line: string) => void): void {
  const names = [...new Set(phases.rows.flatMap((r) => Object.keys(r.phases)))];
  const heads = phases.rows.map(
    (r) => `${r.storedEvents >= 1e6 ? `${r.storedEvents / 1e6}M` : int(r.storedEvents)}/${r.groupEvents}`,
  );
  const width = Math.max(...names.map((n) => n.length), 26);
  log(`    ${"ms per commit (stored/group)".padEnd(width)} ${heads.map((h) => h.padStart(10)).join("")}`);
  for (const name of names) {
    log(
      `    ${name.padEnd(width)} ${phases.rows.map((r) => (r.phases[name] ?? 0).toFixed(1).padStart(10)).join("")}`,
    );
  }
  log(`    ${"total".padEnd(width)} ${phases.rows.map((r) => r.totalMs.toFixed(1).padStart(10)).join("")}`);
  log(
    `    ${"events/s".padEnd(width)} ${phases.rows.map((r) => int(r.eventsPerSecond).padStart(10)).join("")}`,
  );
}
