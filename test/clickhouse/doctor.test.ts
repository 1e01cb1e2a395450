import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { type ClickhouseFixture, startCluster } from "./servers.js";

/** `sextant doctor` against a real two-shard ClickHouse 18.16 cluster (started on loopback). */
describe("sextant doctor with a ClickHouse cluster", () => {
  let cluster: ClickhouseFixture;
  let dir: string;
  beforeAll(async () => {
    cluster = await startCluster();
    dir = await mkdtemp(join(tmpdir(), "sextant-doctor-ch-"));
  });
  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const doctor = (env: Record<string, string>) => runCli(["doctor"], dir, env);

  it("reports the server's version, the database and every node of the cluster reachable on HTTP", async () => {
    const result = await doctor({
      SEXTANT_CLICKHOUSE_URL: `${cluster.url}/sextant`,
      SEXTANT_CLICKHOUSE_CLUSTER: cluster.cluster ?? "",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^OK {3}clickhouse {2}ClickHouse 18\\.16\\.\\d+ answers at ${cluster.url}/sextant, database sextant\\.$`,
        "m",
      ),
    );
    const nodes = cluster.nodes.join(", ");
    expect(result.stdout).toContain(`OK   cluster     sextant_test: 2 nodes answer on HTTP (${nodes}).`);
  });

  it("asks for a database in the URL, and for a cluster the servers declare", async () => {
    const result = await doctor({ SEXTANT_CLICKHOUSE_URL: cluster.url, SEXTANT_CLICKHOUSE_CLUSTER: "nope" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^FIX {2}clickhouse {2}ClickHouse 18\.16\.\d+ answers at .*, but the URL names no database/m,
    );
    expect(result.stdout).toContain(
      `FIX  cluster     ClickHouse has no cluster named "nope": declare it in every node's <remote_servers>`,
    );
  });
});
