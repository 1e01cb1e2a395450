import { type ClickHouseClient, createClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClickhouseFixture, startCluster, startSingle } from "./servers.js";

/**
 * The harness itself: real ClickHouse servers start, a two-shard cluster spreads a Distributed
 * table over both nodes, and a single server answers. .ci/run installs Debian's clickhouse-server;
 * without it the servers do not start and the tests fail, saying so.
 */
async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: "JSONEachRow" });
  return result.json<T>();
}

describe("two-shard cluster sextant_test", () => {
  let cluster: ClickhouseFixture;
  let clients: ClickHouseClient[] = [];

  beforeAll(async () => {
    cluster = await startCluster();
    clients = cluster.nodes.map((url) => createClient({ url }));
  });

  afterAll(async () => {
    // Close the clients first: a server waits for open keep-alive connections when it stops.
    await Promise.all(clients.map((client) => client.close()));
    await cluster?.stop();
  });

  it("has two nodes on different loopback addresses and the same ports", async () => {
    expect(cluster.cluster).toBe("sextant_test");
    expect(cluster.nodes).toHaveLength(2);
    const [one, two] = cluster.nodes.map((url) => new URL(url));
    expect(one?.hostname).toBe("127.0.0.1");
    expect(two?.hostname).toBe("127.0.0.2");
    expect(one?.port).toBe(two?.port);
    expect(cluster.url).toBe(cluster.nodes[0]);
    for (const client of clients) {
      const listed = await rows<{ host_name: string; host_address: string; port: number; shard_num: number }>(
        client,
        "SELECT host_name, host_address, port, shard_num FROM system.clusters WHERE cluster = 'sextant_test' ORDER BY shard_num",
      );
      expect(listed.map((row) => row.host_address)).toEqual(["127.0.0.1", "127.0.0.2"]);
      expect(listed.map((row) => row.host_name)).toEqual(["127.0.0.1", "127.0.0.2"]);
      expect(new Set(listed.map((row) => row.port)).size).toBe(1);
    }
  });

  it("spreads a Distributed table over both shards, each visitor on one shard", async () => {
    for (const client of clients) {
      await client.command({
        query:
          "CREATE TABLE hits_local (visitor String, n UInt32) ENGINE = MergeTree() ORDER BY (visitor, n)",
      });
      await client.command({
        query:
          "CREATE TABLE hits AS hits_local ENGINE = Distributed('sextant_test', currentDatabase(), hits_local, cityHash64(visitor))",
      });
    }
    const [first] = clients;
    if (!first) throw new Error("no client");
    // 100 visitors with 10 rows each, inserted through node 1; insert_distributed_sync makes the
    // INSERT return only once every shard has its rows (no background queue to wait for).
    const values = Array.from({ length: 1000 }, (_, i) => ({ visitor: `v${i % 100}`, n: i }));
    await first.insert({
      table: "hits",
      values,
      format: "JSONEachRow",
      clickhouse_settings: { insert_distributed_sync: 1 },
    });

    const perShard: Map<string, number>[] = [];
    for (const client of clients) {
      const local = await rows<{ visitor: string; c: number }>(
        client,
        "SELECT visitor, toUInt32(count()) AS c FROM hits_local GROUP BY visitor",
      );
      perShard.push(new Map(local.map((row) => [row.visitor, row.c])));
      const total = await rows<{ c: number }>(client, "SELECT toUInt32(count()) AS c FROM hits");
      expect(total).toEqual([{ c: 1000 }]);
    }
    const [shardOne, shardTwo] = perShard as [Map<string, number>, Map<string, number>];
    expect(shardOne.size).toBeGreaterThan(0);
    expect(shardTwo.size).toBeGreaterThan(0);
    for (let v = 0; v < 100; v++) {
      const visitor = `v${v}`;
      // Exactly one shard holds the visitor, with all ten of its rows.
      expect([shardOne.get(visitor), shardTwo.get(visitor)].filter((c) => c !== undefined)).toEqual([10]);
    }
  });
});

describe("single server", () => {
  let server: ClickhouseFixture;
  let client: ClickHouseClient;

  beforeAll(async () => {
    server = await startSingle();
    client = createClient({ url: server.url });
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it("round-trips rows", async () => {
    expect(server.cluster).toBeNull();
    expect(server.nodes).toEqual([server.url]);
    await client.command({
      query: "CREATE TABLE t (id UInt32, name String, at DateTime) ENGINE = MergeTree() ORDER BY id",
    });
    await client.insert({
      table: "t",
      values: [
        { id: 1, name: "a", at: "2024-01-02 03:04:05" },
        { id: 2, name: "b", at: "2024-06-30 23:59:59" },
      ],
      format: "JSONEachRow",
    });
    // <timezone>UTC</timezone>: 18.16 reports it by its tzdata name, Etc/UTC on Debian.
    expect(
      await rows(
        client,
        "SELECT id, name, toString(at) AS at, toUInt32(toUnixTimestamp(at)) AS ts FROM t ORDER BY id",
      ),
    ).toEqual([
      { id: 1, name: "a", at: "2024-01-02 03:04:05", ts: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000 },
      { id: 2, name: "b", at: "2024-06-30 23:59:59", ts: Date.UTC(2024, 5, 30, 23, 59, 59) / 1000 },
    ]);
    expect(await rows(client, "SELECT timezone() AS tz")).toEqual([
      { tz: expect.stringMatching(/^(Etc\/)?UTC$/) },
    ]);
  });

  it("stops: the port refuses connections, and a second stop is harmless", async () => {
    const other = await startSingle();
    await other.stop();
    await other.stop();
    await expect(fetch(`${other.url}/?query=SELECT%201`)).rejects.toThrow();
  });
});
