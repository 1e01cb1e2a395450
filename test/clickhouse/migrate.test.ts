import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { type ClickhouseFixture, startCluster } from "./servers.js";

/**
 * `sextant migrate` as a user runs it: a demo in the embedded store, copied into a two-shard
 * cluster, then the same KPIs from both, and a second copy refused.
 */
describe("sextant migrate --to a ClickHouse cluster", () => {
  let cluster: ClickhouseFixture;
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sextant-migrate-"));
    db = join(dir, "s.duckdb");
    cluster = await startCluster();
  });

  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("copies every row and gives the same KPIs; a second run is refused", async () => {
    const demo = await runCli(["--db", db, "demo", "--days", "14", "--end", "2026-03-15"], dir);
    expect(demo.code, demo.stderr).toBe(0);
    const key = await runCli(["--db", db, "keys", "create", "--workspace", "demo", "--kind", "read"], dir);
    expect(key.code, key.stderr).toBe(0);
    const erased = await runCli(["--db", db, "people", "erase", "--workspace", "demo", "--id", "gone"], dir);
    expect(erased.code, erased.stderr).toBe(0);

    const to = `${cluster.url}/moved`;
    const args = ["--db", db, "migrate", "--to", to, "--to-cluster", cluster.cluster ?? ""];
    const migrated = await runCli(args, dir);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/^Copied \d+ rows/);
    expect(migrated.stdout).toMatch(/events\s+[1-9]\d*/);

    const kpis = [
      "kpi",
      "--workspace",
      "demo",
      "--interval",
      "week",
      "--group-by",
      "campaign",
      "--format",
      "json",
    ];
    const fromDuckdb = await runCli(["--db", db, ...kpis], dir);
    const fromClickhouse = await runCli(
      ["--clickhouse", to, "--clickhouse-cluster", cluster.cluster ?? "", ...kpis],
      dir,
    );
    expect(fromClickhouse.code, fromClickhouse.stderr).toBe(0);
    expect(JSON.parse(fromClickhouse.stdout)).toEqual(JSON.parse(fromDuckdb.stdout));
    // The record of an erasure moves with the data it speaks for.
    const erasures = ["people", "erasures", "--workspace", "demo"];
    const recorded = await runCli(["--db", db, ...erasures], dir);
    const moved = await runCli(
      ["--clickhouse", to, "--clickhouse-cluster", cluster.cluster ?? "", ...erasures],
      dir,
    );
    expect(JSON.parse(recorded.stdout)).toHaveLength(1);
    expect(JSON.parse(moved.stdout)).toEqual(JSON.parse(recorded.stdout));

    const keys = await runCli(
      ["--clickhouse", to, "--clickhouse-cluster", cluster.cluster ?? "", "keys", "list"],
      dir,
    );
    expect(keys.stdout).toContain("read");

    const again = await runCli(args, dir);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already has the workspace demo/);
  }, 180_000); // a demo built, migrated (rollups included) and queried through the CLI, on a busy machine
});
