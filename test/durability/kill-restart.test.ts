/**
 * Durability of HTTP ingestion across crashes: `sextant serve` (the BUILT CLI, `npm run build`
 * first) takes a sustained Segment `/v1/batch` load, is SIGKILLed mid-load at a random moment,
 * restarted on the same DuckDB file, and sent some batches again. After three such cycles and a
 * clean stop, the file is opened directly: every acknowledged messageId must be stored exactly
 * once, nothing stored twice, every batch all or nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger, loadThenKill, pick, resend, verifyStore } from "../support/kill-cycles.js";
import { initStore, ServeProcess, type StoreSetup } from "../support/serve-process.js";

const CYCLES = 3;
const SENDERS = 6;
const BATCH = 50;

let dir: string;
let setup: StoreSetup;
const servers = new Set<ServeProcess>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-durability-"));
  setup = await initStore(join(dir, "s.duckdb"));
});

afterAll(async () => {
  for (const server of servers) await server.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<ServeProcess> {
  const server = await ServeProcess.start({ db: setup.db, logFile: join(dir, "serve.log") });
  servers.add(server);
  return server;
}

describe("sextant serve killed mid-load", () => {
  it("stores every acknowledged event exactly once across SIGKILL and restart", async () => {
    const ledger = new Ledger();
    let server = await start();
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const killAfterMs = Math.round(500 + Math.random() * 1500);
      const load = await loadThenKill(server, setup, ledger, cycle, {
        senders: SENDERS,
        batchSize: BATCH,
        killAfterMs,
        tag: "t",
      });
      servers.delete(server);
      expect(server.running).toBe(false);
      // Before the kill every answer is a 2xx: the load itself must not fail.
      expect(load.non2xx, `cycle ${cycle}: answers other than 2xx`).toEqual({});
      expect(load.batchesAcked, `cycle ${cycle}: nothing was acknowledged`).toBeGreaterThan(0);

      server = await start();
      const thisCycle = ledger.batches.filter((b) => b.cycle === cycle);
      const unacked = thisCycle.filter((b) => !b.acked);
      // A client retrying: some acknowledged batches and half of the unanswered ones are sent again.
      const again = [
        ...pick(
          thisCycle.filter((b) => b.acked),
          5,
        ),
        ...pick(unacked, Math.ceil(unacked.length / 2)),
      ];
      const resent = await resend(server, setup, ledger, again);
      expect(resent.failed, `cycle ${cycle}: re-sent batches refused`).toEqual([]);
      console.log(
        `cycle ${cycle}: killed ${killAfterMs} ms after the first 2xx; ${load.batchesSent} batches sent, ${load.batchesAcked} acknowledged ` +
          `(${load.eventsAcked} events), ${load.networkErrors} network errors after the kill; ${resent.ok} re-sent after restart`,
      );
    }
    servers.delete(server);
    const exit = await server.terminate();
    expect(exit, `SIGTERM did not stop the server cleanly:\n${server.logTail()}`).toEqual({
      code: 0,
      signal: null,
    });

    const v = await verifyStore(setup.db, setup.workspace, ledger);
    console.log(
      `stored ${v.storedRows} rows; attempted ${v.attempted} ids, acknowledged ${v.acknowledged}, ` +
        `lost ${v.lost.length}, duplicated ${v.duplicated.length}, stored without acknowledgement ${v.unackedStored}`,
    );
    expect(v.acknowledged).toBeGreaterThan(0);
    expect(v.lost.slice(0, 20), `${v.lost.length} acknowledged ids are not stored`).toEqual([]);
    expect(v.duplicated.slice(0, 20), `${v.duplicated.length} ids are stored more than once`).toEqual([]);
    expect(v.ackedStoredOnce).toBe(v.acknowledged);
    expect(v.partialBatches.slice(0, 20), "batches partly stored").toEqual([]);
    expect(v.phantom).toBe(0);
    expect(v.nullMessageIds).toBe(0);
    expect(v.storedRows).toBe(v.acknowledged + v.unackedStored);
  }, 120_000);
});
