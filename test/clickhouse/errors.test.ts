import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUserError } from "../../src/errors.js";
import { runKpiQuery } from "../../src/kpi/run-query.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { type CliResult, runCli } from "../cli/run-cli.js";
import { type ClickhouseFixture, startCluster } from "./servers.js";

/**
 * A misconfigured ClickHouse as a user meets it: each mistake is one sentence on stderr saying what
 * is wrong and what to do, with exit code 3 — never "unexpected error" and a client stack trace.
 */
function expectSentence(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(3);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(result.stderr.trim().split("\n")).toHaveLength(1);
}

describe("a misconfigured ClickHouse", () => {
  let cluster: ClickhouseFixture;
  let dir: string;
  const create = (...flags: string[]) => runCli([...flags, "workspace", "create", "shop"], dir);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sextant-ch-errors-"));
    cluster = await startCluster();
  });

  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("says a URL without a database names none, and how to write one", async () => {
    expectSentence(await create("--clickhouse", cluster.url), /names no database.*\/sextant/);
  });

  it("says a server that is not listening cannot be reached", async () => {
    expectSentence(
      await create("--clickhouse", "http://127.0.0.1:9/sextant"),
      /could not reach.*ECONNREFUSED/,
    );
  });

  it("says a cluster name that remote_servers lacks is unknown", async () => {
    const result = await create("--clickhouse", `${cluster.url}/shop`, "--clickhouse-cluster", "nope");
    expectSentence(result, /no cluster named "nope"/);
  });

  it("says credentials were refused, without printing the password", async () => {
    const url = cluster.url.replace("http://", "http://nobody:s3cret@");
    const result = await create("--clickhouse", `${url}/shop`);
    expectSentence(result, /refused the user name or password/);
    expect(result.stderr).not.toContain("s3cret");
  });

  it("says which table is missing on a node, and that a restart recreates it", async () => {
    const url = `${cluster.url}/missing`;
    const store = await ClickhouseStore.open(url, cluster.cluster);
    try {
      const workspace = { name: "shop", settings: validateSettings({}) };
      await store.createWorkspace(workspace);
      const second = createClient({ url: cluster.nodes[1] });
      await second.command({ query: "DROP TABLE missing.ad_costs_local" });
      await second.close();
      const failure = await runKpiQuery(store, workspace, { kpis: ["spend"] }).catch(
        (error: unknown) => error,
      );
      expect(isUserError(failure) && failure.exitCode).toBe(3);
      expect(String((failure as Error).message)).toMatch(
        /missing on a ClickHouse node.*ad_costs_local is missing on node.*creates missing tables/,
      );
    } finally {
      await store.close();
    }
    // As the sentence says: opening the store again puts the table back.
    const again = await runCli(
      [
        "--clickhouse",
        url,
        "--clickhouse-cluster",
        cluster.cluster ?? "",
        "kpi",
        "--kpis",
        "spend",
        "--format",
        "json",
      ],
      dir,
    );
    expect(again.code, again.stderr).toBe(0);
  });

  it("says a node of the cluster is down, naming it", async () => {
    await cluster.stopNode(1);
    const result = await create(
      "--clickhouse",
      `${cluster.url}/down`,
      "--clickhouse-cluster",
      cluster.cluster ?? "",
    );
    expectSentence(
      result,
      new RegExp(`could not reach the ClickHouse node ${cluster.nodes[1]}.*remote_servers`),
    );
  });
});
