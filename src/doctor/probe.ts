import { constants, existsSync, readFileSync, statSync } from "node:fs";
import { access, statfs } from "node:fs/promises";
import { totalmem } from "node:os";
import { dirname } from "node:path";
import {
  CLI_MEMORY_LIMIT,
  type GlobalFlags,
  memoryLimit,
  SERVE_MEMORY_LIMIT,
  type StoreConfig,
  storeConfig,
} from "../config.js";
import { isUserError } from "../errors.js";
import { clickhouseTarget, clickhouseVersion, clusterNodes, failure } from "../store/clickhouse/probe.js";
import { probeDuckdbFile } from "../store/duckdb/probe.js";
import {
  type Check,
  type ClickhouseFacts,
  type ClusterFacts,
  checkClickhouse,
  checkCluster,
  checkDisk,
  checkMemory,
  checkNode,
  checkServe,
  checkStore,
  type MemoryFacts,
  type ServeFacts,
  type StoreFacts,
} from "./checks.js";

/** The nearest path on the way to `path` that exists (itself when it does). */
function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
  return current;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The lock file `sextant serve` writes beside the store (serve-lock.ts), read without trusting it. */
async function serveFacts(dbPath: string): Promise<ServeFacts> {
  const lockPath = `${dbPath}.serve.json`;
  if (!existsSync(lockPath)) return { kind: "none" };
  let lock: { pid?: unknown; port?: unknown };
  try {
    lock = JSON.parse(readFileSync(lockPath, "utf8")) as { pid?: unknown; port?: unknown };
  } catch {
    return { kind: "unreadable", lockPath };
  }
  const { pid, port } = lock;
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return { kind: "unreadable", lockPath };
  const facts = { kind: "lock" as const, lockPath, pid: pid as number, port: port as number };
  if (!pidAlive(facts.pid)) return { ...facts, pidAlive: false, healthError: "not running" };
  try {
    const response = await fetch(`http://127.0.0.1:${facts.port}/healthz`, {
      signal: AbortSignal.timeout(3000),
    });
    await response.arrayBuffer();
    return { ...facts, pidAlive: true, healthError: response.ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    return { ...facts, pidAlive: true, healthError: failure(error) };
  }
}

async function storeFacts(config: StoreConfig, serve: ServeFacts): Promise<StoreFacts> {
  if (config.kind === "clickhouse") return { kind: "clickhouse", url: config.location };
  const path = config.location;
  const existing = nearestExisting(path);
  const fileExists = existing === path;
  const parent = fileExists ? dirname(path) : existing;
  let parentProblem: "not a directory" | "not writable" | null = null;
  if (!statSync(parent).isDirectory()) parentProblem = "not a directory";
  else {
    try {
      await access(parent, constants.W_OK);
    } catch {
      parentProblem = "not writable";
    }
  }
  const servedPid = serve.kind === "lock" && serve.healthError === null ? serve.pid : null;
  const open = fileExists && parentProblem !== "not a directory" ? await probeDuckdbFile(path) : null;
  return { kind: "duckdb", path, existingParent: parent, parentProblem, fileExists, open, servedPid };
}

/** Free space on the file system that holds (or will hold) the store. */
async function diskCheck(config: StoreConfig): Promise<Check | null> {
  if (config.kind !== "duckdb") return null;
  let dir = nearestExisting(dirname(config.location));
  // A file where a directory should be (the store check says so): its directory holds the space.
  while (existsSync(dir) && !statSync(dir).isDirectory()) dir = dirname(dir);
  try {
    const stats = await statfs(dir);
    return checkDisk(dir, stats.bavail * stats.bsize);
  } catch (error) {
    return checkDisk(dir, null, failure(error));
  }
}

function memoryFacts(flags: GlobalFlags, env: NodeJS.ProcessEnv): MemoryFacts {
  const read = (fallback: string) => {
    try {
      return { value: memoryLimit(flags, env, fallback) };
    } catch (error) {
      if (isUserError(error)) return { error: error.message };
      throw error;
    }
  };
  const source =
    flags.memoryLimit !== undefined
      ? "--memory-limit"
      : env.SEXTANT_MEMORY_LIMIT
        ? "SEXTANT_MEMORY_LIMIT"
        : null;
  return {
    commands: read(CLI_MEMORY_LIMIT),
    serve: read(SERVE_MEMORY_LIMIT),
    source,
    totalBytes: totalmem(),
    defaultCommands: CLI_MEMORY_LIMIT,
  };
}

async function clickhouseFacts(
  config: StoreConfig,
  cluster: string | null,
): Promise<{ server: ClickhouseFacts; cluster: ClusterFacts }> {
  if (config.kind !== "clickhouse") return { server: { kind: "unused", cluster }, cluster: { kind: "none" } };
  const url = config.location;
  const target = clickhouseTarget(url);
  if (target === null) return { server: { kind: "invalid", url }, cluster: { kind: "none" } };
  const answer = await clickhouseVersion(target);
  const server: ClickhouseFacts = { kind: "server", url, database: target.database, ...answer };
  if (cluster === null || answer.error !== null) return { server, cluster: { kind: "none" } };
  const nodes = await clusterNodes(target, cluster);
  return {
    server,
    cluster:
      "error" in nodes
        ? { kind: "error", cluster, error: nodes.error }
        : { kind: "nodes", cluster, nodes: nodes.nodes },
  };
}

/**
 * Every check of `sextant doctor`, in the order a newcomer meets them. Nothing is changed: the
 * store is opened read-only (when it exists), the lock file only read, servers only asked.
 */
export async function runChecks(flags: GlobalFlags, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const config = storeConfig(flags, env);
  const serve: ServeFacts = config.kind === "duckdb" ? await serveFacts(config.location) : { kind: "none" };
  const cluster = flags.clickhouseCluster ?? env.SEXTANT_CLICKHOUSE_CLUSTER ?? null;
  const clickhouse = await clickhouseFacts(config, cluster);
  const checks: (Check | null)[] = [
    checkNode(process.version),
    checkStore(await storeFacts(config, serve)),
    config.kind === "duckdb" ? checkServe(serve) : null,
    await diskCheck(config),
    checkMemory(memoryFacts(flags, env)),
    checkClickhouse(clickhouse.server),
    checkCluster(clickhouse.cluster),
  ];
  return checks.filter((c): c is Check => c !== null);
}
