import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { generateKey } from "../src/model/keys.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { freePort } from "../test/support/serve-process.js";
import { OVERVIEW_REQUEST } from "./query-bench.js";
import { fmtMs, log, median, timed } from "./util.js";

export interface MemoryResult {
  readonly vmRssBytes: number;
  readonly vmHwmBytes: number;
  /** RSS right after start-up, before any query. */
  readonly idleRssBytes: number;
  readonly requests: number;
  /** HTTP round trip of the overview, median of the warm requests. */
  readonly overviewHttpMs: number;
  readonly overviewHttpColdMs: number;
  /** The no-op route of the same server, as a baseline for the HTTP layer. */
  readonly healthzHttpMs: number;
}

const REQUESTS = 5;

function procStatus(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
}

async function waitForHealth(base: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sextant serve exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sextant serve did not answer /healthz within ${timeoutMs} ms`);
}

async function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  const { ms, value: response } = await timed(() => fetch(url, { headers }));
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 300)}`);
  return ms;
}

/**
 * Starts `sextant serve` on the store (which must be closed here: one process per DuckDB file),
 * asks it for the overview a few times, and reads its memory from /proc before stopping it.
 */
export async function benchServeMemory(
  dbPath: string,
  workspace: string,
  logFile: string,
  cli: string,
): Promise<MemoryResult> {
  // The API wants a read key: make one in the store before the server holds the file.
  const store = await DuckdbStore.open(dbPath);
  const key = generateKey("read");
  try {
    await store.saveKey({ id: key.id, workspace, kind: "read", hash: key.hash });
  } finally {
    await store.close();
  }
  const auth = { authorization: `Bearer ${key.secret}` };
  const port = await freePort();
  const out = openSync(logFile, "w");
  const child = spawn(process.execPath, [cli, "serve", "--db", dbPath, "--port", String(port), "--no-demo"], {
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start sextant serve");
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, child, 60_000);
    const idle = procStatus(pid);
    const params = new URLSearchParams({
      workspace,
      kpis: OVERVIEW_REQUEST.kpis.join(","),
      from: OVERVIEW_REQUEST.from,
      to: OVERVIEW_REQUEST.to,
      interval: OVERVIEW_REQUEST.interval,
    });
    const overview: number[] = [];
    for (let i = 0; i < REQUESTS; i++) overview.push(await get(`${base}/api/v1/kpis?${params}`, auth));
    const healthz: number[] = [];
    for (let i = 0; i < REQUESTS; i++) healthz.push(await get(`${base}/healthz`));
    const after = procStatus(pid);
    const result: MemoryResult = {
      vmRssBytes: after.rss,
      vmHwmBytes: after.hwm,
      idleRssBytes: idle.rss,
      requests: REQUESTS,
      overviewHttpColdMs: overview[0] ?? Number.NaN,
      overviewHttpMs: median(overview.slice(1)),
      healthzHttpMs: median(healthz),
    };
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    log(
      `    serve: RSS idle ${mb(idle.rss)}, after ${REQUESTS} overviews VmRSS ${mb(after.rss)}, VmHWM ${mb(after.hwm)}; ` +
        `HTTP overview cold ${fmtMs(result.overviewHttpColdMs)}, warm ${fmtMs(result.overviewHttpMs)}, /healthz ${fmtMs(result.healthzHttpMs)}`,
    );
    return result;
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    }, 15_000);
    await exited;
    clearTimeout(timer);
  }
}
