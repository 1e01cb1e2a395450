import { statSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { basicAuth, segmentBatch } from "./payloads.js";
import { ServeProcess, type StoreSetup } from "./serve-process.js";

/** One `/v1/batch` request as sent: its body (to send it again) and its message ids. */
export interface SentBatch {
  readonly prefix: string;
  readonly cycle: number;
  readonly body: string;
  readonly ids: readonly string[];
  acked: boolean;
  sends: number;
}

/** Every batch sent and every message id that a 2xx acknowledged. */
export class Ledger {
  readonly batches: SentBatch[] = [];
  readonly acked = new Set<string>();

  add(batch: SentBatch): void {
    this.batches.push(batch);
  }

  ack(batch: SentBatch): void {
    batch.acked = true;
    for (const id of batch.ids) this.acked.add(id);
  }

  get attemptedIds(): number {
    return this.batches.reduce((n, b) => n + b.ids.length, 0);
  }
}

export interface LoadStats {
  readonly cycle: number;
  readonly killAfterMs: number;
  readonly batchesSent: number;
  readonly batchesAcked: number;
  readonly eventsAcked: number;
  /** Answers other than 2xx before the kill (there should be none). */
  readonly non2xx: Record<string, number>;
  /** Network errors (after the kill: refused or reset connections, expected). */
  readonly networkErrors: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POSTs a batch; true on a 2xx. Network errors and timeouts reject. */
export async function postBatch(
  server: ServeProcess,
  writeKey: string,
  body: string,
  timeoutMs = 30_000,
): Promise<number> {
  const response = await fetch(`${server.base}/v1/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basicAuth(writeKey) },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.text();
  return response.status;
}

export interface KillLoadOptions {
  readonly senders: number;
  readonly batchSize: number;
  /** Milliseconds from the first acknowledged batch to the SIGKILL. */
  readonly killAfterMs: number;
  readonly firstAckTimeoutMs?: number;
  /** Instead of the timer: SIGKILL when this resolves (e.g. checkpointStarted). */
  readonly killWhen?: () => Promise<void>;
  /** Distinguishes the ids of separate runs on the same store. */
  readonly tag: string;
}

/**
 * Concurrent senders post batches of unique messages until the server is SIGKILLed
 * `killAfterMs` after the first 2xx; each batch is recorded before it is sent and marked acknowledged on a 2xx.
 */
export async function loadThenKill(
  server: ServeProcess,
  setup: StoreSetup,
  ledger: Ledger,
  cycle: number,
  options: KillLoadOptions,
): Promise<LoadStats> {
  let killed = false;
  let firstAck: () => void = () => undefined;
  const acked = new Promise<void>((resolve) => {
    firstAck = resolve;
  });
  let batchesSent = 0;
  let batchesAcked = 0;
  let networkErrors = 0;
  const non2xx: Record<string, number> = {};
  const sender = async (s: number) => {
    for (let n = 0; !killed; n++) {
      const { body, ids } = segmentBatch(`${options.tag}-c${cycle}-s${s}-b${n}`, options.batchSize);
      const batch: SentBatch = {
        prefix: `${options.tag}-c${cycle}-s${s}-b${n}`,
        cycle,
        body,
        ids,
        acked: false,
        sends: 1,
      };
      ledger.add(batch);
      batchesSent++;
      try {
        const status = await postBatch(server, setup.writeKey, body);
        if (status >= 200 && status < 300) {
          ledger.ack(batch);
          batchesAcked++;
          firstAck();
        } else {
          non2xx[status] = (non2xx[status] ?? 0) + 1;
          if (!killed) await sleep(10);
        }
      } catch {
        networkErrors++;
        if (!killed) await sleep(10);
      }
    }
  };
  const senders = Array.from({ length: options.senders }, (_, s) => sender(s));
  // The clock starts at the first 2xx, so the kill lands mid-load even when a cold server's first
  // commit is slow (or, if nothing is ever acknowledged, after the firstAckTimeoutMs).
  await Promise.race([acked, sleep(options.firstAckTimeoutMs ?? 30_000)]);
  await (options.killWhen ? options.killWhen() : sleep(options.killAfterMs));
  await server.kill();
  killed = true;
  await Promise.all(senders);
  return {
    cycle,
    killAfterMs: options.killAfterMs,
    batchesSent,
    batchesAcked,
    eventsAcked: batchesAcked * options.batchSize,
    non2xx,
    networkErrors,
  };
}

/**
 * Resolves when DuckDB starts checkpointing `db`: the main file changes (size or mtime) while the
 * write-ahead log holds at least `minWalBytes`; between checkpoints only the WAL is written. Polls
 * every 2 ms; resolves anyway after `timeoutMs`, with `hit` false.
 */
export async function checkpointStarted(
  db: string,
  minWalBytes: number,
  timeoutMs: number,
): Promise<{ hit: boolean; walBytes: number }> {
  const stat = (file: string) => {
    try {
      const s = statSync(file);
      return { size: s.size, mtime: s.mtimeMs };
    } catch {
      return { size: 0, mtime: 0 };
    }
  };
  const deadline = Date.now() + timeoutMs;
  let main = stat(db);
  while (Date.now() < deadline) {
    await sleep(2);
    const now = stat(db);
    const wal = stat(`${db}.wal`).size;
    if ((now.size !== main.size || now.mtime !== main.mtime) && wal >= minWalBytes)
      return { hit: true, walBytes: wal };
    main = now;
  }
  return { hit: false, walBytes: stat(`${db}.wal`).size };
}

/** Sends batches again (a client retrying); those answered 2xx become acknowledged. */
export async function resend(
  server: ServeProcess,
  setup: StoreSetup,
  ledger: Ledger,
  batches: readonly SentBatch[],
): Promise<{ ok: number; failed: string[] }> {
  let ok = 0;
  const failed: string[] = [];
  for (const batch of batches) {
    batch.sends++;
    try {
      const status = await postBatch(server, setup.writeKey, batch.body);
      if (status >= 200 && status < 300) {
        ledger.ack(batch);
        ok++;
      } else failed.push(`${batch.prefix}: HTTP ${status}`);
    } catch (error) {
      failed.push(`${batch.prefix}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { ok, failed };
}

/** Picks `count` items at random (Fisher–Yates on a copy). */
export function pick<T>(items: readonly T[], count: number, random: () => number = Math.random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, Math.max(0, count));
}

export interface Verification {
  readonly attempted: number;
  readonly acknowledged: number;
  readonly storedRows: number;
  /** Acknowledged ids stored exactly once. */
  readonly ackedStoredOnce: number;
  /** Acknowledged ids not stored. */
  readonly lost: readonly string[];
  /** Ids stored more than once, with their count. */
  readonly duplicated: readonly { id: string; count: number; acked: boolean }[];
  /** Sent but never acknowledged, stored once (committed, the answer lost to the kill): allowed. */
  readonly unackedStored: number;
  /** Stored ids that no sender sent. */
  readonly phantom: number;
  /** Batches of which some but not all messages are stored (a commit is all or nothing). */
  readonly partialBatches: readonly string[];
  readonly nullMessageIds: number;
}

/**
 * Opens the DuckDB file directly (the server must be stopped) and compares the events table with
 * the ledger: every acknowledged id exactly once, nothing twice, every batch all or nothing.
 */
export async function verifyStore(db: string, workspace: string, ledger: Ledger): Promise<Verification> {
  const instance = await DuckDBInstance.create(db, {
    access_mode: "READ_ONLY",
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const counts = new Map<string, number>();
  let storedRows = 0;
  let nullMessageIds = 0;
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT message_id, CAST(count(*) AS INTEGER) AS n FROM events WHERE workspace = '${workspace.replaceAll("'", "''")}' GROUP BY 1`,
      );
      for (const [id, n] of reader.getRows()) {
        storedRows += Number(n);
        if (id === null) nullMessageIds += Number(n);
        else counts.set(String(id), Number(n));
      }
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
  const attemptedIds = new Set<string>();
  const lost: string[] = [];
  const partialBatches: string[] = [];
  let ackedStoredOnce = 0;
  let unackedStored = 0;
  for (const batch of ledger.batches) {
    let stored = 0;
    for (const id of batch.ids) {
      attemptedIds.add(id);
      const n = counts.get(id) ?? 0;
      if (n > 0) stored++;
      if (batch.acked) {
        if (n === 0) lost.push(id);
        else if (n === 1) ackedStoredOnce++;
      } else if (n === 1) unackedStored++;
    }
    if (stored > 0 && stored < batch.ids.length)
      partialBatches.push(`${batch.prefix}: ${stored}/${batch.ids.length}`);
  }
  const duplicated: { id: string; count: number; acked: boolean }[] = [];
  let phantom = 0;
  for (const [id, n] of counts) {
    if (n > 1) duplicated.push({ id, count: n, acked: ledger.acked.has(id) });
    if (!attemptedIds.has(id)) phantom++;
  }
  return {
    attempted: attemptedIds.size,
    acknowledged: ledger.acked.size,
    storedRows,
    ackedStoredOnce,
    lost,
    duplicated,
    unackedStored,
    phantom,
    partialBatches,
    nullMessageIds,
  };
}

export interface KillCyclesOptions {
  readonly setup: StoreSetup;
  readonly dir: string;
  readonly cycles: number;
  readonly senders: number;
  readonly batchSize: number;
  /** The load lasts a random time in [min, max] ms before the SIGKILL. */
  readonly loadMs: readonly [number, number];
  /** Acknowledged batches of each cycle sent again after the restart. */
  readonly resendAcked: number;
  /** Share of the unacknowledged batches of each cycle sent again after the restart. */
  readonly resendUnackedShare: number;
  /** The last `checkpointKills` cycles kill when a checkpoint starts instead of after a random time. */
  readonly checkpointKills?: number;
  readonly onCycle?: (line: CycleReport) => void;
}

export interface CycleReport extends LoadStats {
  /** For a checkpoint cycle: whether the kill landed while the main file was being written. */
  readonly duringCheckpoint: boolean | null;
  readonly restartMs: number;
  readonly resent: number;
  readonly resendFailures: readonly string[];
}

export interface KillCyclesResult {
  readonly cycles: readonly CycleReport[];
  readonly finalExit: { code: number | null; signal: NodeJS.Signals | null };
  readonly verification: Verification;
}

/**
 * `cycles` times: load, SIGKILL mid-load, restart on the same file, re-send some acknowledged and
 * some unacknowledged batches. Then SIGTERM, and the file is checked against the ledger.
 */
export async function runKillCycles(
  options: KillCyclesOptions,
  servers: Set<ServeProcess> = new Set(),
): Promise<KillCyclesResult> {
  const { setup } = options;
  const ledger = new Ledger();
  const logFile = join(options.dir, "serve.log");
  const reports: CycleReport[] = [];
  let server = await ServeProcess.start({ db: setup.db, logFile });
  servers.add(server);
  try {
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const [min, max] = options.loadMs;
      const killAfterMs = Math.round(min + Math.random() * (max - min));
      const atCheckpoint = cycle > options.cycles - (options.checkpointKills ?? 0);
      let duringCheckpoint: boolean | null = null;
      const started = performance.now();
      const load = await loadThenKill(server, setup, ledger, cycle, {
        senders: options.senders,
        batchSize: options.batchSize,
        killAfterMs,
        tag: "k",
        ...(atCheckpoint
          ? {
              killWhen: async () => {
                duringCheckpoint = (await checkpointStarted(setup.db, 8 * 2 ** 20, 120_000)).hit;
              },
            }
          : {}),
      });
      // For a checkpoint cycle, the time from the start of the load to the kill.
      const killedAfterMs = atCheckpoint ? Math.round(performance.now() - started) : load.killAfterMs;
      servers.delete(server);
      const restarted = performance.now();
      server = await ServeProcess.start({ db: setup.db, logFile });
      servers.add(server);
      const restartMs = performance.now() - restarted;
      const thisCycle = ledger.batches.filter((b) => b.cycle === cycle);
      const unacked = thisCycle.filter((b) => !b.acked);
      const again = [
        ...pick(
          thisCycle.filter((b) => b.acked),
          options.resendAcked,
        ),
        ...pick(unacked, Math.ceil(unacked.length * options.resendUnackedShare)),
      ];
      const { ok, failed } = await resend(server, setup, ledger, again);
      const report = {
        ...load,
        killAfterMs: killedAfterMs,
        duringCheckpoint,
        restartMs,
        resent: ok,
        resendFailures: failed,
      };
      reports.push(report);
      options.onCycle?.(report);
    }
  } catch (error) {
    await server.kill();
    throw error;
  } finally {
    servers.delete(server);
  }
  const finalExit = await server.terminate();
  const verification = await verifyStore(setup.db, setup.workspace, ledger);
  return { cycles: reports, finalExit, verification };
}
