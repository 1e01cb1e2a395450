import { totalmem } from "node:os";
import { resolve } from "node:path";
import { UserError } from "./errors.js";
import { memorySizeBytes, normalizeSize } from "./sizes.js";

/** Where the store lives, read once at start-up from flags and then the environment. */
export interface StoreConfig {
  readonly kind: "duckdb" | "clickhouse";
  readonly location: string;
  readonly cluster?: string;
}

export const DEFAULT_DB = "./sextant-data/sextant.duckdb";

export interface GlobalFlags {
  readonly db?: string;
  readonly clickhouse?: string;
  readonly clickhouseCluster?: string;
  readonly workspace?: string;
  readonly memoryLimit?: string;
}

/** Resolves the store from flags, then SEXTANT_* variables, then the default file. */
export function storeConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv): StoreConfig {
  const clickhouse = flags.clickhouse ?? (flags.db ? undefined : env.SEXTANT_CLICKHOUSE_URL);
  const cluster = flags.clickhouseCluster ?? env.SEXTANT_CLICKHOUSE_CLUSTER;
  if (clickhouse) return { kind: "clickhouse", location: clickhouse, ...(cluster ? { cluster } : {}) };
  return { kind: "duckdb", location: duckdbFile(flags, env) };
}

/** The embedded store's file from --db, then SEXTANT_DB, then the default (also `migrate`'s source). */
export function duckdbFile(flags: GlobalFlags, env: NodeJS.ProcessEnv): string {
  return resolve(flags.db ?? env.SEXTANT_DB ?? DEFAULT_DB);
}

/**
 * DuckDB's memory limit for commands other than `serve`: a quarter of the machine's memory, at
 * least 1 GiB. DuckDB's own default is 80 %, under which an import and session derivation of 10M
 * events grew to 20 GB; past the limit DuckDB spills to a temporary directory beside the store
 * instead. Under a quarter of a 24 GiB machine (6026 MiB) those sessions took 48.5 s, under 2 GB 73.0 s.
 */
export function quarterOfMemory(totalBytes: number): string {
  return `${Math.max(1024, Math.floor(totalBytes / 4 / 2 ** 20))}MiB`;
}

export const CLI_MEMORY_LIMIT = quarterOfMemory(totalmem());

/** `sextant serve`'s: a bounded buffer keeps the server's memory flat however large the store grows. */
export const SERVE_MEMORY_LIMIT = "512MB";

/**
 * The embedded store's memory limit from --memory-limit, then SEXTANT_MEMORY_LIMIT, then the
 * command's default: a size such as 4GB or 512MB (KB, MB, GB, TB, or KiB, MiB, GiB, TiB).
 */
export function memoryLimit(flags: GlobalFlags, env: NodeJS.ProcessEnv, fallback: string): string {
  const [value, source] =
    flags.memoryLimit !== undefined
      ? [flags.memoryLimit, "--memory-limit"]
      : env.SEXTANT_MEMORY_LIMIT
        ? [env.SEXTANT_MEMORY_LIMIT, "SEXTANT_MEMORY_LIMIT"]
        : [fallback, "the default memory limit"];
  const size = normalizeSize(value);
  if (size === null) {
    throw new UserError(
      `${source} "${value}" is not a memory size: write it like 4GB or 512MB (units KB, MB, GB, TB, KiB, MiB, GiB, TiB).`,
      [{ field: "memory-limit", reason: "not a memory size" }],
    );
  }
  return size;
}

/**
 * The opt-in storage knobs of the embedded store (docs/operations.md, "Shorter commits under
 * steady ingestion"), off unless set: SEXTANT_DUCKDB_ROW_GROUP_SIZE, rows per row group of the
 * file, and SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD, the log size that triggers a checkpoint (a size
 * written like a memory limit). A checkpoint rewrites the last, partly filled row group of `events`,
 * so under steady ingestion the commit it runs in waits 0.3–1.4 s with DuckDB's defaults (122,880
 * rows, 16 MiB); with 8192 rows and 2MiB those commits took 39–162 ms, at the price of imports and
 * derivation costing 1.6–1.8× the CPU and a file 44 % larger (docs/performance.md).
 */
export function duckdbStorage(env: NodeJS.ProcessEnv): {
  rowGroupSize?: number;
  checkpointThreshold?: string;
} {
  const rows = env.SEXTANT_DUCKDB_ROW_GROUP_SIZE?.trim() || undefined;
  const threshold = env.SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD?.trim() || undefined;
  // DuckDB stores rows in vectors of 2,048: a row group holds whole vectors.
  if (rows !== undefined && (!/^[1-9]\d*$/.test(rows) || Number(rows) % 2048 !== 0)) {
    throw new UserError(
      `SEXTANT_DUCKDB_ROW_GROUP_SIZE "${rows}" is not a whole multiple of 2048 rows: write it like 8192.`,
      [{ field: "SEXTANT_DUCKDB_ROW_GROUP_SIZE", reason: "not a multiple of 2048" }],
    );
  }
  const size = threshold === undefined ? null : normalizeSize(threshold);
  if (threshold !== undefined && size === null) {
    throw new UserError(
      `SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD "${threshold}" is not a size: write it like 2MiB or 16MB.`,
      [{ field: "SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD", reason: "not a size" }],
    );
  }
  return {
    ...(rows !== undefined ? { rowGroupSize: Number(rows) } : {}),
    ...(size ? { checkpointThreshold: size } : {}),
  };
}

/**
 * The share of the memory limit that DuckDB's buffer pool gets. DuckDB's `memory_limit` bounds
 * the pool only: the sessions `INSERT` of a 10M-event import allocated outside it and took the
 * process to 6.4–7.6 GiB under a 5.9 GiB limit. With the pool at three quarters of the limit, the
 * same import peaked at 4.8–4.9 GiB (docs/performance.md, "Import at 10M events, and memory"):
 * `--memory-limit` is then what the process uses, Node's heap included. (A whole re-derivation of
 * a large store under `serve`'s 512 MB goes over it: docs/operations.md, Memory.)
 */
export const DUCKDB_MEMORY_SHARE = 0.75;

/** DuckDB's `memory_limit` for a process limit: its share, in whole KiB. */
export function duckdbMemoryLimit(processLimit: string): string {
  return `${Math.max(1, Math.floor(((memorySizeBytes(processLimit) ?? 0) * DUCKDB_MEMORY_SHARE) / 1024))}KiB`;
}

/**
 * What the embedded store is opened with, read once at start-up: DuckDB's share of the memory
 * limit (`fallback` being the command's default), the storage knobs, and SEXTANT_TRACE_SQL=1,
 * the statement trace of docs/performance.md's profiles.
 */
export function duckdbOptions(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv,
  fallback: string,
): { memoryLimit: string; rowGroupSize?: number; checkpointThreshold?: string; traceSql?: boolean } {
  return {
    memoryLimit: duckdbMemoryLimit(memoryLimit(flags, env, fallback)),
    ...duckdbStorage(env),
    ...(env.SEXTANT_TRACE_SQL === "1" ? { traceSql: true } : {}),
  };
}

/**
 * SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1: the operator lets webhooks go to loopback, private and
 * link-local addresses (a chat server on the office network, a receiver on this machine). Off by
 * default, so that a URL a workspace admin writes cannot reach this machine, its network or the
 * cloud's metadata service (docs/alerts.md, "Private webhook targets").
 */
export function allowPrivateWebhooks(env: NodeJS.ProcessEnv): boolean {
  const value = env.SEXTANT_ALLOW_PRIVATE_WEBHOOKS?.trim().toLowerCase() ?? "";
  if (value === "" || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new UserError(
    `SEXTANT_ALLOW_PRIVATE_WEBHOOKS "${env.SEXTANT_ALLOW_PRIVATE_WEBHOOKS}" is not 1 or 0: set it to 1 to allow private webhook targets, or leave it unset.`,
    [{ field: "SEXTANT_ALLOW_PRIVATE_WEBHOOKS", reason: "not 1 or 0" }],
  );
}
