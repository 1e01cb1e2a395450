/**
 * `sextant doctor`'s verdicts: pure functions from facts gathered elsewhere (probe.ts) to one line
 * each, either OK with what was found or what to do. Kept apart from the probing so each verdict
 * is tested on its own, without breaking a machine to see it.
 */
import { redactUrlPassword } from "../redact.js";
import { formatBytes, memorySizeBytes } from "../sizes.js";

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly text: string;
}

const ok = (name: string, text: string): Check => ({ name, ok: true, text });
const fix = (name: string, text: string): Check => ({ name, ok: false, text });

export const MIN_NODE_MAJOR = 20;

/** Node.js 20 or newer (package.json's engines). */
export function checkNode(version: string): Check {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) {
    return ok("node", `Node.js ${version} (${MIN_NODE_MAJOR} or newer needed).`);
  }
  return fix(
    "node",
    `Node.js ${version} is too old: install Node.js ${MIN_NODE_MAJOR} or newer (https://nodejs.org), then run npm install again.`,
  );
}

/** Where the store file is, in what state, as probe.ts found it. */
export type StoreFacts =
  | { readonly kind: "clickhouse"; readonly url: string }
  | {
      readonly kind: "duckdb";
      readonly path: string;
      /** The nearest directory on the way to the file that exists (the file's own when it does). */
      readonly existingParent: string;
      /** What is wrong with that path: a file where a directory is needed, or no write permission. */
      readonly parentProblem: "not a directory" | "not writable" | null;
      readonly fileExists: boolean;
      /** Opening the file read-only: null when not tried (no file). */
      readonly open:
        | null
        | { readonly ok: true }
        | {
            readonly ok: false;
            readonly locked: boolean;
            readonly pid: number | null;
            readonly message: string;
          };
      /** Whether a live `sextant serve` lock names this store (see ServeFacts). */
      readonly servedPid: number | null;
    };

export function checkStore(facts: StoreFacts): Check {
  if (facts.kind === "clickhouse") {
    return ok("store", `ClickHouse at ${redact(facts.url)} (no DuckDB file is used).`);
  }
  const { path } = facts;
  if (facts.parentProblem === "not a directory") {
    return fix(
      "store",
      `${facts.existingParent} is a file, so the store ${path} cannot be created under it: pass --db (or SEXTANT_DB) with a path in a directory.`,
    );
  }
  if (facts.parentProblem === "not writable") {
    return fix(
      "store",
      `${facts.existingParent} is not writable by this user, so the store ${path} cannot be ${facts.fileExists ? "written" : "created"}: fix its permissions, or pass --db (or SEXTANT_DB) with a path in a directory you own.`,
    );
  }
  if (!facts.fileExists) {
    return ok(
      "store",
      `No store yet at ${path}: the first command that needs one creates it (sextant demo, sextant workspace create, sextant serve).`,
    );
  }
  const open = facts.open;
  if (open === null || open.ok) return ok("store", `${path} opens.`);
  if (open.locked) {
    if (facts.servedPid !== null && (open.pid === null || open.pid === facts.servedPid)) {
      return ok(
        "store",
        `${path} is held by sextant serve (pid ${facts.servedPid}): other commands are forwarded to it.`,
      );
    }
    return fix(
      "store",
      `${path} is taken by another process${open.pid === null ? "" : ` (pid ${open.pid})`} that is not a reachable sextant serve: stop that process (DuckDB lets one process open a file).`,
    );
  }
  return fix(
    "store",
    `${path} does not open (${open.message}): if it is not a Sextant store, pass --db with another path; otherwise restore it from a backup (see docs/operations.md).`,
  );
}

/** The lock file `sextant serve` leaves beside the store, and what answers on its port. */
export type ServeFacts =
  | { readonly kind: "none" }
  | { readonly kind: "unreadable"; readonly lockPath: string }
  | {
      readonly kind: "lock";
      readonly lockPath: string;
      readonly pid: number;
      readonly port: number;
      readonly pidAlive: boolean;
      /** null when /healthz answered 2xx; otherwise why not. */
      readonly healthError: string | null;
    };

export function checkServe(facts: ServeFacts): Check {
  switch (facts.kind) {
    case "none":
      return ok("serve", "No sextant serve holds this store (no lock file): commands open it themselves.");
    case "unreadable":
      return fix(
        "serve",
        `The lock file ${facts.lockPath} is not one sextant serve wrote: stop any sextant serve on this store, then remove it (rm ${facts.lockPath}).`,
      );
    case "lock": {
      const health = `http://127.0.0.1:${facts.port}/healthz`;
      if (!facts.pidAlive) {
        return fix(
          "serve",
          `Stale lock file ${facts.lockPath}: its sextant serve (pid ${facts.pid}) is not running (a crash leaves the file): remove it (rm ${facts.lockPath}).`,
        );
      }
      if (facts.healthError !== null) {
        return fix(
          "serve",
          `The lock file ${facts.lockPath} names pid ${facts.pid} on port ${facts.port}, but ${health} does not answer (${facts.healthError}): if pid ${facts.pid} is not sextant serve, remove the file (rm ${facts.lockPath}); otherwise restart sextant serve.`,
        );
      }
      return ok("serve", `sextant serve (pid ${facts.pid}) answers on ${health}.`);
    }
  }
}

/** Below this, an import can fill the disk: DuckDB writes the store, its WAL and spill files there. */
export const MIN_FREE_BYTES = 1024 ** 3;

export function checkDisk(dir: string, freeBytes: number | null, error: string | null = null): Check {
  if (freeBytes === null) {
    return fix(
      "disk",
      `Could not read the free space of ${dir} (${error ?? "unknown error"}): check that it exists and is readable.`,
    );
  }
  if (freeBytes < MIN_FREE_BYTES) {
    return fix(
      "disk",
      `Only ${formatBytes(freeBytes)} free beside the store (${dir}): free at least ${formatBytes(MIN_FREE_BYTES)}, or move the store (--db) to a disk with room; an import needs about twice its file's size, and DuckDB spills there.`,
    );
  }
  return ok("disk", `${formatBytes(freeBytes)} free beside the store (${dir}).`);
}

export interface MemoryFacts {
  /** The value in force for commands, or the error reading it (from --memory-limit or SEXTANT_MEMORY_LIMIT). */
  readonly commands: { readonly value: string } | { readonly error: string };
  readonly serve: { readonly value: string } | { readonly error: string };
  /** Where an explicit value came from, or null for the defaults. */
  readonly source: "--memory-limit" | "SEXTANT_MEMORY_LIMIT" | null;
  readonly totalBytes: number;
  readonly defaultCommands: string;
}

export function checkMemory(facts: MemoryFacts): Check {
  if ("error" in facts.commands) return fix("memory", facts.commands.error);
  if ("error" in facts.serve) return fix("memory", facts.serve.error);
  const ram = formatBytes(facts.totalBytes);
  const limit = facts.commands.value;
  const bytes = memorySizeBytes(limit) ?? 0;
  if (bytes > facts.totalBytes) {
    return fix(
      "memory",
      `The memory limit ${limit} (from ${facts.source ?? "the default"}) is more than this machine's ${ram} of RAM: DuckDB would not spill to disk in time and the system could kill it; set ${facts.source ?? "--memory-limit"} to at most ${ram}, or unset it for the default (${facts.defaultCommands}, a quarter of RAM).`,
    );
  }
  const from = facts.source === null ? "defaults" : `from ${facts.source}`;
  return ok(
    "memory",
    `Memory limit ${limit} for commands, ${facts.serve.value} for sextant serve (${from}), of ${ram} of RAM.`,
  );
}

/** A ClickHouse server (or cluster) as probe.ts found it; absent when no URL is set. */
export type ClickhouseFacts =
  | { readonly kind: "unused"; readonly cluster: string | null }
  | { readonly kind: "invalid"; readonly url: string }
  | {
      readonly kind: "server";
      readonly url: string;
      /** The database named by the URL's path, or null when the path names none. */
      readonly database: string | null;
      /** null when reachable; otherwise why not. */
      readonly error: string | null;
      readonly version: string | null;
    };

/** The ClickHouse release Sextant's SQL is written for and tested on. */
export const TESTED_CLICKHOUSE = "18.16";

export function checkClickhouse(facts: ClickhouseFacts): Check {
  switch (facts.kind) {
    case "unused":
      return facts.cluster === null
        ? ok("clickhouse", "Not used: the store is the embedded DuckDB file.")
        : fix(
            "clickhouse",
            `A cluster is named (${facts.cluster}) but no ClickHouse URL is set: set SEXTANT_CLICKHOUSE_URL (or --clickhouse), or unset SEXTANT_CLICKHOUSE_CLUSTER.`,
          );
    case "invalid":
      return fix(
        "clickhouse",
        `"${redact(facts.url)}" is not a ClickHouse URL: write it like http://user:password@host:8123/sextant.`,
      );
    case "server": {
      const url = redact(facts.url);
      if (facts.error !== null) {
        return fix(
          "clickhouse",
          `Cannot reach ClickHouse at ${url} (${facts.error}): start clickhouse-server, or fix the host, port (HTTP, 8123 by default) or credentials in SEXTANT_CLICKHOUSE_URL.`,
        );
      }
      if (facts.database === null) {
        return fix(
          "clickhouse",
          `ClickHouse ${facts.version ?? ""} answers at ${url}, but the URL names no database: add one to its path (e.g. ${url.replace(/\/*$/, "")}/sextant), or Sextant writes into "default".`,
        );
      }
      const tested = facts.version?.startsWith(`${TESTED_CLICKHOUSE}.`)
        ? ""
        : ` (Sextant is tested on ${TESTED_CLICKHOUSE}; its SQL avoids what later releases added)`;
      return ok(
        "clickhouse",
        `ClickHouse ${facts.version ?? "?"} answers at ${url}, database ${facts.database}${tested}.`,
      );
    }
  }
}

export type ClusterFacts =
  | { readonly kind: "none" }
  | { readonly kind: "error"; readonly cluster: string; readonly error: string }
  | {
      readonly kind: "nodes";
      readonly cluster: string;
      /** Each node's HTTP URL (host from system.clusters, port from the URL) and why it did not answer. */
      readonly nodes: readonly { readonly url: string; readonly error: string | null }[];
    };

export function checkCluster(facts: ClusterFacts): Check | null {
  switch (facts.kind) {
    case "none":
      return null;
    case "error":
      return fix("cluster", `Could not read system.clusters for ${facts.cluster}: ${facts.error}.`);
    case "nodes": {
      if (facts.nodes.length === 0) {
        return fix(
          "cluster",
          `ClickHouse has no cluster named "${facts.cluster}": declare it in every node's <remote_servers>, or fix SEXTANT_CLICKHOUSE_CLUSTER (--clickhouse-cluster).`,
        );
      }
      const down = facts.nodes.filter((n) => n.error !== null);
      if (down.length > 0) {
        const list = down.map((n) => `${n.url} (${n.error})`).join(", ");
        return fix(
          "cluster",
          `${down.length} of ${facts.nodes.length} nodes of ${facts.cluster} do not answer on HTTP: ${list}: Sextant creates tables on every node through the URL's HTTP port, so start them or open that port.`,
        );
      }
      return ok(
        "cluster",
        `${facts.cluster}: ${facts.nodes.length} node${facts.nodes.length === 1 ? "" : "s"} answer${facts.nodes.length === 1 ? "s" : ""} on HTTP (${facts.nodes.map((n) => n.url).join(", ")}).`,
      );
    }
  }
}

/** A URL without its password, for printing. */
export const redact = redactUrlPassword;

/** One line per check: "OK   name  text" or "FIX  name  text". */
export function renderChecks(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) => `${c.ok ? "OK " : "FIX"}  ${c.name.padEnd(width)}  ${c.text}`).join("\n");
}

/** doctor's exit code: 0 when every check is OK, 1 when something needs doing. */
export function doctorExitCode(checks: readonly Check[]): number {
  return checks.every((c) => c.ok) ? 0 : 1;
}
