import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_MAIN, type CliResult, CliSandbox } from "./run-cli.js";

/** A loopback port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

/** The pid of a process that has exited (a stale lock file's owner after a crash). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (child.pid === undefined) throw new Error("could not start node");
  return child.pid;
}

/** doctor's line for a check, e.g. "FIX  serve  …". */
function line(result: CliResult, name: string): string {
  const found = result.stdout.split("\n").find((l) => new RegExp(`^(OK |FIX)  ${name}\\s`).test(l));
  expect(found, `no ${name} line in:\n${result.stdout}\n${result.stderr}`).toBeDefined();
  return found as string;
}

describe("sextant doctor", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("on a fresh directory: every check OK, exit code 0, and nothing created", async () => {
    const result = await cli.run(["doctor"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual([
      "node",
      "store",
      "serve",
      "disk",
      "memory",
      "clickhouse",
    ]);
    for (const l of lines) expect(l).toMatch(/^OK {3}/);
    expect(line(result, "store")).toContain(`No store yet at ${cli.db}`);
    expect(line(result, "clickhouse")).toContain("Not used: the store is the embedded DuckDB file.");
    expect(await readdir(cli.dir)).toEqual([]);
  });

  it("a file where the store's directory should be, and a memory limit above the machine's RAM", async () => {
    const file = await cli.file("not-a-dir", "x");
    const result = await cli.run(["--db", join(file, "s.duckdb"), "--memory-limit", "100TB", "doctor"], {
      db: false,
    });
    expect(result.code).toBe(1);
    expect(line(result, "store")).toBe(
      `FIX  store       ${file} is a file, so the store ${join(file, "s.duckdb")} cannot be created under it: pass --db (or SEXTANT_DB) with a path in a directory.`,
    );
    expect(line(result, "memory")).toMatch(
      /^FIX {2}memory {6}The memory limit 100TB \(from --memory-limit\) is more than this machine's [\d.]+ GiB of RAM: .*set --memory-limit to at most [\d.]+ GiB/,
    );
    expect(line(result, "node")).toMatch(/^OK /);
    expect(result.stderr).toBe("sextant: 2 of 6 checks need doing: see the FIX lines above.\n");
  });

  it("a memory limit that is not a size gets the CLI's own explanation", async () => {
    const result = await cli.run(["doctor"], { env: { SEXTANT_MEMORY_LIMIT: "lots" } });
    expect(result.code).toBe(1);
    expect(line(result, "memory")).toBe(
      'FIX  memory      SEXTANT_MEMORY_LIMIT "lots" is not a memory size: write it like 4GB or 512MB (units KB, MB, GB, TB, KiB, MiB, GiB, TiB).',
    );
  });

  describe("with a store and a lock file beside it", () => {
    let lockPath: string;
    beforeAll(async () => {
      await cli.ok(["workspace", "create", "shop"]);
      lockPath = `${cli.db}.serve.json`;
    });

    it("a lock file of a process that died is stale: remove it", async () => {
      const pid = deadPid();
      await writeFile(lockPath, JSON.stringify({ pid, port: await closedPort(), token: "t" }));
      const result = await cli.run(["doctor"]);
      expect(result.code).toBe(1);
      expect(line(result, "serve")).toBe(
        `FIX  serve       Stale lock file ${lockPath}: its sextant serve (pid ${pid}) is not running (a crash leaves the file): remove it (rm ${lockPath}).`,
      );
      expect(line(result, "store")).toBe(`OK   store       ${cli.db} opens.`);
    });

    it("a lock file naming a live process whose port is closed: nothing answers /healthz", async () => {
      const port = await closedPort();
      await writeFile(lockPath, JSON.stringify({ pid: process.pid, port, token: "t" }));
      const result = await cli.run(["doctor"]);
      expect(result.code).toBe(1);
      expect(line(result, "serve")).toContain(
        `FIX  serve       The lock file ${lockPath} names pid ${process.pid} on port ${port}, but http://127.0.0.1:${port}/healthz does not answer (connection refused)`,
      );
    });

    it("a lock file that is not JSON: remove it", async () => {
      await writeFile(lockPath, "{half");
      const result = await cli.run(["doctor"]);
      expect(result.code).toBe(1);
      expect(line(result, "serve")).toContain(`then remove it (rm ${lockPath})`);
    });

    describe("while sextant serve holds the store", () => {
      let server: ChildProcess;
      beforeAll(async () => {
        // The unreadable lock file of the test before would stop the server from starting cleanly.
        await rm(lockPath, { force: true });
        server = spawn(process.execPath, [CLI_MAIN, "--db", cli.db, "serve", "--port", "0", "--no-demo"], {
          cwd: cli.dir,
          stdio: "ignore",
        });
        // The server writes the lock file once it listens; the test's timeout bounds the wait.
        while (!existsSync(lockPath)) {
          if (server.exitCode !== null) throw new Error(`sextant serve exited with ${server.exitCode}`);
          await sleep(50);
        }
      });
      afterAll(async () => {
        if (server.exitCode === null) {
          const exited = new Promise((resolve) => server.once("exit", resolve));
          server.kill("SIGTERM");
          await exited;
        }
      });

      it("doctor is not forwarded to the server: it reports the server and the held store, exit 0", async () => {
        const result = await cli.run(["doctor"]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(line(result, "serve")).toMatch(
          new RegExp(
            `^OK {3}serve {7}sextant serve \\(pid ${server.pid}\\) answers on http://127\\.0\\.0\\.1:\\d+/healthz\\.$`,
          ),
        );
        expect(line(result, "store")).toBe(
          `OK   store       ${cli.db} is held by sextant serve (pid ${server.pid}): other commands are forwarded to it.`,
        );
      });
    });
  });

  it("a ClickHouse URL to a closed port: reach it or fix the URL", async () => {
    const port = await closedPort();
    const result = await cli.run(["doctor"], {
      db: false,
      env: { SEXTANT_CLICKHOUSE_URL: `http://sextant:secret@127.0.0.1:${port}/sextant` },
    });
    expect(result.code).toBe(1);
    expect(line(result, "clickhouse")).toBe(
      `FIX  clickhouse  Cannot reach ClickHouse at http://sextant:***@127.0.0.1:${port}/sextant (connection refused): start clickhouse-server, or fix the host, port (HTTP, 8123 by default) or credentials in SEXTANT_CLICKHOUSE_URL.`,
    );
    expect(result.stdout).not.toContain("secret");
    expect(line(result, "store")).toContain("ClickHouse at");
    expect(result.stdout).not.toMatch(/^(OK |FIX) {2}serve/m);
  });
});
