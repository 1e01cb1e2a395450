import { type ChildProcess, execFile, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { CLI_MAIN, requireBuilt } from "./paths.js";

/** A loopback port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const SCRUBBED_ENV = [
  "SEXTANT_DB",
  "SEXTANT_WORKSPACE",
  "SEXTANT_CLICKHOUSE_URL",
  "SEXTANT_CLICKHOUSE_CLUSTER",
];

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const name of SCRUBBED_ENV) delete env[name];
  return env;
}

/** Runs the built CLI to completion; rejects with its output when it fails. */
export function cli(args: readonly string[]): Promise<string> {
  requireBuilt(CLI_MAIN);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI_MAIN, ...args],
      { env: childEnv(), timeout: 120_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`sextant ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

export interface WorkspaceSetup {
  readonly workspace: string;
  readonly domain: string;
  readonly writeKey: string;
}

export interface StoreSetup extends WorkspaceSetup {
  readonly db: string;
}

/**
 * Creates one workspace (and its domain, for Plausible) and a write key in the store named by
 * `storeArgs` (`--db FILE`, or `--clickhouse URL …`), as a user does.
 */
export async function initWorkspace(
  storeArgs: readonly string[],
  workspace = "shop",
  domain = "shop.example",
): Promise<WorkspaceSetup> {
  await cli([...storeArgs, "workspace", "create", workspace, "--domain", domain]);
  const out = await cli([...storeArgs, "keys", "create", "--kind", "write", "--workspace", workspace]);
  const writeKey = out.trim().split("\n").at(-1)?.trim() ?? "";
  if (!/^\S+$/.test(writeKey)) throw new Error(`keys create printed no key on its last line:\n${out}`);
  return { workspace, domain, writeKey };
}

/** A DuckDB store file with one workspace and a write key (`initWorkspace`). */
export async function initStore(
  db: string,
  workspace = "shop",
  domain = "shop.example",
): Promise<StoreSetup> {
  return { db, ...(await initWorkspace(["--db", db], workspace, domain)) };
}

export interface ServeOptions {
  /** The DuckDB store file, or `storeArgs` for another store. */
  readonly db?: string;
  /** The store's global options instead of `--db`, e.g. `--clickhouse URL --clickhouse-cluster C`. */
  readonly storeArgs?: readonly string[];
  /** Where the server's stdout and stderr go (its per-request log). */
  readonly logFile: string;
  /** Node flags before the script, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}

function storeArgsOf(options: ServeOptions): readonly string[] {
  if (options.storeArgs) return options.storeArgs;
  if (options.db) return ["--db", options.db];
  throw new Error("ServeProcess.start needs a store: db or storeArgs");
}

/** `sextant serve` as a child process on a free loopback port. */
export class ServeProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly logFile: string,
    private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server and resolves once `/healthz` answers (after DuckDB replayed its WAL). */
  static async start(options: ServeOptions): Promise<ServeProcess> {
    requireBuilt(CLI_MAIN);
    const port = await freePort();
    const out = openSync(options.logFile, "a");
    const args = [
      ...(options.nodeArgs ?? []),
      CLI_MAIN,
      ...storeArgsOf(options),
      "serve",
      "--port",
      String(port),
      "--no-demo",
      "--rate-limit",
      "100000000",
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", out, out], env: childEnv() });
    closeSync(out);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const server = new ServeProcess(child, port, options.logFile, exited);
    try {
      await server.waitHealthy(options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await server.kill();
      throw error;
    }
    return server;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`sextant serve exited before answering:\n${this.logTail()}`);
      try {
        const response = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2_000) });
        await response.text();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`sextant serve did not answer /healthz within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** SIGKILL: no shutdown hook runs, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM and the exit code (the server finishes requests, commits, closes the store). */
  async terminate(timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (this.running) this.child.kill("SIGKILL");
    }, timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}
