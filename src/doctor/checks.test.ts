import { describe, expect, it } from "vitest";
import {
  type Check,
  checkClickhouse,
  checkCluster,
  checkDisk,
  checkMemory,
  checkNode,
  checkServe,
  checkStore,
  doctorExitCode,
  redact,
  renderChecks,
  type StoreFacts,
} from "./checks.js";

const GiB = 1024 ** 3;

describe("checkNode", () => {
  it("accepts 20 and newer", () => {
    expect(checkNode("v20.0.0").ok).toBe(true);
    expect(checkNode("v22.11.1").ok).toBe(true);
  });
  it("asks for Node.js 20 on older versions, naming the one found", () => {
    const check = checkNode("v18.19.1");
    expect(check.ok).toBe(false);
    expect(check.text).toContain("v18.19.1 is too old: install Node.js 20 or newer");
  });
});

const duckdb = (facts: Partial<Extract<StoreFacts, { kind: "duckdb" }>>): StoreFacts => ({
  kind: "duckdb",
  path: "/data/s.duckdb",
  existingParent: "/data",
  parentProblem: null,
  fileExists: true,
  open: { ok: true },
  servedPid: null,
  ...facts,
});

describe("checkStore", () => {
  it("is OK when the file opens, or when there is none yet (the first command creates it)", () => {
    expect(checkStore(duckdb({})).ok).toBe(true);
    const none = checkStore(duckdb({ fileExists: false, open: null, existingParent: "/" }));
    expect(none.ok).toBe(true);
    expect(none.text).toContain("No store yet at /data/s.duckdb");
  });
  it("says a file in the way of the directory is a file, and how to choose another path", () => {
    const check = checkStore(
      duckdb({ existingParent: "/data", parentProblem: "not a directory", fileExists: false, open: null }),
    );
    expect(check.ok).toBe(false);
    expect(check.text).toBe(
      "/data is a file, so the store /data/s.duckdb cannot be created under it: pass --db (or SEXTANT_DB) with a path in a directory.",
    );
  });
  it("names a directory this user cannot write", () => {
    const check = checkStore(duckdb({ parentProblem: "not writable", fileExists: false, open: null }));
    expect(check.ok).toBe(false);
    expect(check.text).toContain(
      "/data is not writable by this user, so the store /data/s.duckdb cannot be created",
    );
  });
  it("is OK when sextant serve holds the file, and names any other holder to stop", () => {
    const locked = { ok: false as const, locked: true, pid: 4242, message: "Could not set lock" };
    const served = checkStore(duckdb({ open: locked, servedPid: 4242 }));
    expect(served.ok).toBe(true);
    expect(served.text).toContain("held by sextant serve (pid 4242)");
    const other = checkStore(duckdb({ open: locked, servedPid: null }));
    expect(other.ok).toBe(false);
    expect(other.text).toContain("taken by another process (pid 4242) that is not a reachable sextant serve");
  });
  it("passes on DuckDB's reason when a file does not open", () => {
    const check = checkStore(
      duckdb({ open: { ok: false, locked: false, pid: null, message: "not a valid DuckDB database file" } }),
    );
    expect(check.ok).toBe(false);
    expect(check.text).toContain("does not open (not a valid DuckDB database file)");
  });
});

describe("checkServe", () => {
  const lock = { kind: "lock" as const, lockPath: "/data/s.duckdb.serve.json", pid: 77, port: 8123 };
  it("is OK without a lock file and with a server that answers /healthz", () => {
    expect(checkServe({ kind: "none" }).ok).toBe(true);
    const live = checkServe({ ...lock, pidAlive: true, healthError: null });
    expect(live).toEqual({
      name: "serve",
      ok: true,
      text: "sextant serve (pid 77) answers on http://127.0.0.1:8123/healthz.",
    });
  });
  it("calls a lock of a dead process stale and says to remove it", () => {
    const check = checkServe({ ...lock, pidAlive: false, healthError: "not running" });
    expect(check.ok).toBe(false);
    expect(check.text).toContain("Stale lock file /data/s.duckdb.serve.json");
    expect(check.text).toContain("rm /data/s.duckdb.serve.json");
  });
  it("says when the port of a live pid does not answer", () => {
    const check = checkServe({ ...lock, pidAlive: true, healthError: "connection refused" });
    expect(check.ok).toBe(false);
    expect(check.text).toContain("http://127.0.0.1:8123/healthz does not answer (connection refused)");
  });
  it("asks to remove a lock file it cannot read", () => {
    expect(checkServe({ kind: "unreadable", lockPath: "/x.serve.json" }).text).toContain("rm /x.serve.json");
  });
});

describe("checkDisk", () => {
  it("wants at least 1 GiB free beside the store", () => {
    expect(checkDisk("/data", 2 * GiB).ok).toBe(true);
    const low = checkDisk("/data", 100 * 1024 ** 2);
    expect(low.ok).toBe(false);
    expect(low.text).toContain("Only 100.0 MiB free beside the store (/data)");
    expect(checkDisk("/data", null, "ENOENT").text).toContain(
      "Could not read the free space of /data (ENOENT)",
    );
  });
});

describe("checkMemory", () => {
  const base = {
    commands: { value: "6026MiB" },
    serve: { value: "512MB" },
    source: null,
    totalBytes: 24 * GiB,
    defaultCommands: "6026MiB",
  } as const;
  it("reports the limits in force and the RAM", () => {
    expect(checkMemory(base)).toEqual({
      name: "memory",
      ok: true,
      text: "Memory limit 6026MiB for commands, 512MB for sextant serve (defaults), of 24.0 GiB of RAM.",
    });
  });
  it("refuses a limit above the machine's RAM, naming where it was set", () => {
    const check = checkMemory({
      ...base,
      commands: { value: "100TB" },
      serve: { value: "100TB" },
      source: "SEXTANT_MEMORY_LIMIT",
    });
    expect(check.ok).toBe(false);
    expect(check.text).toContain(
      "The memory limit 100TB (from SEXTANT_MEMORY_LIMIT) is more than this machine's 24.0 GiB",
    );
    expect(check.text).toContain("set SEXTANT_MEMORY_LIMIT to at most 24.0 GiB");
  });
  it("passes on the reason a limit cannot be read", () => {
    const check = checkMemory({ ...base, commands: { error: "not a memory size" } });
    expect(check).toEqual({ name: "memory", ok: false, text: "not a memory size" });
  });
});

describe("checkClickhouse and checkCluster", () => {
  it("is OK when ClickHouse is not used, but not with a cluster named alone", () => {
    expect(checkClickhouse({ kind: "unused", cluster: null }).ok).toBe(true);
    expect(checkClickhouse({ kind: "unused", cluster: "c1" }).text).toContain(
      "A cluster is named (c1) but no ClickHouse URL",
    );
  });
  it("says a server does not answer, without printing the password", () => {
    const check = checkClickhouse({
      kind: "server",
      url: "http://u:secret@db:8123/sextant",
      database: "sextant",
      error: "connection refused",
      version: null,
    });
    expect(check.ok).toBe(false);
    expect(check.text).toContain(
      "Cannot reach ClickHouse at http://u:***@db:8123/sextant (connection refused)",
    );
    expect(check.text).not.toContain("secret");
  });
  it("asks for a database in the URL's path", () => {
    const check = checkClickhouse({
      kind: "server",
      url: "http://db:8123",
      database: null,
      error: null,
      version: "18.16.1",
    });
    expect(check.ok).toBe(false);
    expect(check.text).toContain(
      "the URL names no database: add one to its path (e.g. http://db:8123/sextant)",
    );
  });
  it("reports the version, and notes one that is not the tested 18.16", () => {
    const tested = checkClickhouse({
      kind: "server",
      url: "http://db:8123/s",
      database: "s",
      error: null,
      version: "18.16.1",
    });
    expect(tested).toEqual({
      name: "clickhouse",
      ok: true,
      text: "ClickHouse 18.16.1 answers at http://db:8123/s, database s.",
    });
    const newer = checkClickhouse({
      kind: "server",
      url: "http://db:8123/s",
      database: "s",
      error: null,
      version: "24.3.1",
    });
    expect(newer.ok).toBe(true);
    expect(newer.text).toContain("tested on 18.16");
  });
  it("lists the nodes of a cluster that do not answer", () => {
    expect(checkCluster({ kind: "none" })).toBeNull();
    const check = checkCluster({
      kind: "nodes",
      cluster: "c1",
      nodes: [
        { url: "http://10.0.0.1:8123", error: null },
        { url: "http://10.0.0.2:8123", error: "connection refused" },
      ],
    });
    expect(check?.ok).toBe(false);
    expect(check?.text).toContain(
      "1 of 2 nodes of c1 do not answer on HTTP: http://10.0.0.2:8123 (connection refused)",
    );
    expect(checkCluster({ kind: "nodes", cluster: "c1", nodes: [] })?.text).toContain(
      'no cluster named "c1"',
    );
  });
});

describe("output and exit code", () => {
  const checks: Check[] = [
    { name: "node", ok: true, text: "fine." },
    { name: "memory", ok: false, text: "lower it." },
  ];
  it("prints one line per check, OK or FIX, names aligned", () => {
    expect(renderChecks(checks)).toBe("OK   node    fine.\nFIX  memory  lower it.");
  });
  it("exits 0 only when every check is OK", () => {
    expect(doctorExitCode(checks)).toBe(1);
    expect(doctorExitCode(checks.slice(0, 1))).toBe(0);
  });
  it("hides passwords in URLs", () => {
    expect(redact("http://u:pw@h:1/db")).toBe("http://u:***@h:1/db");
    expect(redact("http://h:1/db")).toBe("http://h:1/db");
  });
});
