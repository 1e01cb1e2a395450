/**
 * `npm run bench -- soak [options]` — the hostile soak (a program, opt-in, loopback only): valid and
 * hostile requests at a steady rate over several connections into `sextant serve`, SIGKILLed and
 * restarted on the same store a few times. It reports answers ≥ 500 (there must be none outside the
 * kill windows, when nothing answers at all), whether every acknowledged event is stored exactly
 * once, every hostile request refused with a 4xx naming its problem, and the latency of valid
 * requests. Exits 1 when a check fails. Figures: docs/performance.md, Hostile soak.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger, type SentBatch, verifyStore } from "../../test/support/kill-cycles.js";
import { basicAuth } from "../../test/support/payloads.js";
import { cli, initStore, ServeProcess } from "../../test/support/serve-process.js";
import { type Shape, soakShapes } from "./shapes.js";

interface Options {
  requests: number;
  rate: number;
  connections: number;
  kills: number;
  keep: boolean;
}

const USAGE = `usage: npm run bench -- soak [--requests N] [--rate N] [--connections N] [--kills N] [--keep]
  --requests N     requests answered in all (default 100000)
  --rate N         requests started per second, over all connections (default 250)
  --connections N  concurrent connections (default 16)
  --kills N        SIGKILLs, evenly spread over the run (default 3)
  --keep           keep the store and the server's log`;

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { requests: 100_000, rate: 250, connections: 16, kills: 3, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const whole = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a whole number\n${USAGE}`);
      return n;
    };
    if (arg === "--requests") options.requests = whole();
    else if (arg === "--rate") options.rate = whole();
    else if (arg === "--connections") options.connections = whole();
    else if (arg === "--kills") options.kills = whole();
    else if (arg === "--keep") options.keep = true;
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return options;
}

interface ShapeStats {
  sent: number;
  statuses: Record<string, number>;
  /** 4xx answers whose body is not the error shape naming a field. */
  unnamed: number;
  latencies: number[];
  firstWrong?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A 4xx body as docs/http-api.md words it: {"error": sentence, "details": [{field, reason}]}. */
function namesProblem(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: unknown; details?: { field?: unknown }[] };
    return (
      typeof body.error === "string" &&
      body.error.length > 0 &&
      Array.isArray(body.details) &&
      body.details.some((d) => typeof d.field === "string" && d.field.length > 0)
    );
  } catch {
    return false;
  }
}

export async function benchSoak(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const dir = mkdtempSync(join(tmpdir(), "sextant-soak-"));
  const logFile = join(dir, "serve.log");
  const setup = await initStore(join(dir, "soak.duckdb"));
  const readOut = await cli([
    "--db",
    setup.db,
    "keys",
    "create",
    "--kind",
    "read",
    "--workspace",
    setup.workspace,
  ]);
  const readKey = readOut.trim().split("\n").at(-1)?.trim() ?? "";
  const day = new Date().toISOString().slice(0, 10);
  const shapes = soakShapes(setup.domain, day);
  const totalWeight = shapes.reduce((n, s) => n + s.weight, 0);
  const pickShape = (): Shape => {
    let r = Math.random() * totalWeight;
    for (const shape of shapes) {
      r -= shape.weight;
      if (r < 0) return shape;
    }
    return shapes[0] as Shape;
  };
  const stats = new Map<string, ShapeStats>(
    shapes.map((s) => [s.name, { sent: 0, statuses: {}, unnamed: 0, latencies: [] }]),
  );
  const ledger = new Ledger();
  const hostileIds = new Set<string>();
  let server = await ServeProcess.start({ db: setup.db, logFile });
  let up = true;
  let cycle = 0;
  let answered = 0;
  let started = 0;
  let seq = 0;
  let networkErrors = 0;
  const restarts: number[] = [];
  const t0 = performance.now();
  const killAt = Array.from({ length: options.kills }, (_, k) =>
    Math.round(((k + 1) * options.requests) / (options.kills + 1)),
  );

  const send = async (shape: Shape, n: number) => {
    const id = `${shape.expect === "2xx" ? "v" : "h"}-${n}`;
    const headers: Record<string, string> = {};
    if (shape.body) headers["content-type"] = shape.contentType ?? "application/json";
    if (shape.auth === "write") headers.authorization = basicAuth(setup.writeKey);
    if (shape.auth === "read") headers.authorization = `Bearer ${readKey}`;
    if (shape.path === "/api/event")
      headers["user-agent"] = `Mozilla/5.0 (X11; Linux x86_64) soak/${n % 500}`;
    const body = shape.body?.(id);
    let batch: SentBatch | null = null;
    if (shape.messages && body) {
      const ids =
        shape.messages === 1 ? [id] : Array.from({ length: shape.messages }, (_, i) => `${id}-${i}`);
      batch = { prefix: id, cycle, body, ids, acked: false, sends: 1 };
      ledger.add(batch);
    } else if (shape.expect === "4xx" && body?.includes(id)) {
      for (const suffix of ["", "-a", "-b"]) hostileIds.add(`${id}${suffix}`);
    }
    const target = server;
    const start = performance.now();
    const response = await fetch(`${target.base}${shape.path}`, {
      method: shape.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const ms = performance.now() - start;
    const s = stats.get(shape.name) as ShapeStats;
    s.sent++;
    s.statuses[response.status] = (s.statuses[response.status] ?? 0) + 1;
    answered++;
    const ok2xx = response.status >= 200 && response.status < 300;
    if (shape.expect === "2xx") {
      s.latencies.push(ms);
      if (ok2xx && batch) ledger.ack(batch);
    } else if (response.status >= 400 && response.status < 500 && !namesProblem(text)) s.unnamed++;
    const wrong = shape.expect === "2xx" ? !ok2xx : response.status < 400 || response.status >= 500;
    if (wrong && !s.firstWrong) s.firstWrong = `${response.status} ${text.slice(0, 300)}`;
  };

  const worker = async () => {
    while (started < options.requests) {
      // Open loop: request k starts at t0 + k / rate, whatever the answers' times.
      const k = started++;
      const due = t0 + (k * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      while (!up) await sleep(20);
      const shape = pickShape();
      try {
        await send(shape, seq++);
      } catch {
        // Refused or reset by a kill; the request is sent again once the server is back.
        networkErrors++;
        started--;
        while (!up) await sleep(20);
      }
    }
  };

  const killer = async () => {
    for (const at of killAt) {
      while (answered < at) await sleep(50);
      up = false;
      cycle++;
      await server.kill();
      const restarted = performance.now();
      server = await ServeProcess.start({ db: setup.db, logFile });
      restarts.push(performance.now() - restarted);
      up = true;
    }
  };

  const progress = setInterval(() => {
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    process.stderr.write(`  ${s} s: ${answered} answered, ${cycle} kills\n`);
  }, 30_000);
  await Promise.all([killer(), ...Array.from({ length: options.connections }, worker)]);
  clearInterval(progress);
  const seconds = (performance.now() - t0) / 1000;
  const exit = await server.terminate();
  const verification = await verifyStore(setup.db, setup.workspace, ledger);
  const hostileStored = await storedHostile(setup.db, hostileIds);

  // Report.
  const lines: string[] = [];
  let fiveHundreds = 0;
  let hostileTotal = 0;
  let hostileRefused = 0;
  let hostileUnnamed = 0;
  let validWrong = 0;
  const byKind: Record<string, number[]> = { "single events": [], batches: [], plausible: [], reads: [] };
  for (const shape of shapes) {
    const s = stats.get(shape.name) as ShapeStats;
    for (const [status, n] of Object.entries(s.statuses)) if (Number(status) >= 500) fiveHundreds += n;
    const ok = Object.entries(s.statuses)
      .filter(([status]) => (shape.expect === "2xx" ? status.startsWith("2") : status.startsWith("4")))
      .reduce((n, [, c]) => n + c, 0);
    if (shape.expect === "4xx") {
      hostileTotal += s.sent;
      hostileRefused += ok;
      hostileUnnamed += s.unnamed;
    } else {
      validWrong += s.sent - ok;
      const kind =
        shape.method === "GET"
          ? "reads"
          : shape.path === "/api/event"
            ? "plausible"
            : shape.messages === 1
              ? "single events"
              : "batches";
      byKind[kind]?.push(...s.latencies);
    }
    const statuses = Object.entries(s.statuses)
      .map(([status, n]) => `${status}×${n}`)
      .join(" ");
    lines.push(`  ${shape.expect}  ${shape.name.padEnd(40)} ${String(s.sent).padStart(6)}  ${statuses}`);
    if (s.firstWrong) lines.push(`        first unexpected answer: ${s.firstWrong}`);
  }
  console.log(
    `hostile soak: ${answered} answers in ${seconds.toFixed(0)} s (${(answered / seconds).toFixed(0)}/s target ${options.rate}/s), ${options.connections} connections, ${options.kills} SIGKILLs`,
  );
  console.log(lines.join("\n"));
  console.log(
    `restarts (s): ${restarts.map((ms) => (ms / 1000).toFixed(1)).join(", ") || "none"}; requests cut by a kill and sent again: ${networkErrors}`,
  );
  console.log("latency of valid requests (ms):");
  for (const [kind, values] of Object.entries(byKind)) {
    const sorted = values.sort((a, b) => a - b);
    console.log(
      `  ${kind.padEnd(14)} n=${String(sorted.length).padStart(6)}  p50 ${percentile(sorted, 50).toFixed(1).padStart(7)}  p99 ${percentile(sorted, 99).toFixed(1).padStart(7)}  max ${(sorted.at(-1) ?? Number.NaN).toFixed(1).padStart(7)}`,
    );
  }
  const checks: [string, boolean][] = [
    [`answers ≥ 500: ${fiveHundreds}`, fiveHundreds === 0],
    [`valid requests not answered 2xx: ${validWrong}`, validWrong === 0],
    [
      `hostile requests refused with a 4xx: ${hostileRefused} of ${hostileTotal}`,
      hostileRefused === hostileTotal,
    ],
    [`4xx answers not naming a field: ${hostileUnnamed}`, hostileUnnamed === 0],
    [
      `acknowledged events stored exactly once: ${verification.ackedStoredOnce} of ${verification.acknowledged} (lost ${verification.lost.length}, duplicated ${verification.duplicated.length}, partial batches ${verification.partialBatches.length})`,
      verification.ackedStoredOnce === verification.acknowledged &&
        verification.duplicated.length === 0 &&
        verification.partialBatches.length === 0,
    ],
    [`hostile events stored: ${hostileStored}`, hostileStored === 0],
    [`the last server stopped cleanly on SIGTERM: exit ${exit.code}`, exit.code === 0],
  ];
  for (const [line, ok] of checks) console.log(`${ok ? "ok  " : "FAIL"} ${line}`);
  if (options.keep) console.log(`store and log kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return checks.every(([, ok]) => ok) ? 0 : 1;
}

/** How many of the hostile requests' message ids are in the store (the server must be stopped). */
async function storedHostile(db: string, ids: ReadonlySet<string>): Promise<number> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(
      "SELECT message_id FROM events WHERE message_id LIKE 'h-%'",
    );
    const stored = reader.getRows().filter(([id]) => ids.has(String(id))).length;
    connection.closeSync();
    return stored;
  } finally {
    instance.closeSync();
  }
}
