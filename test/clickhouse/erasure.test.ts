import { join } from "node:path";
import { afterAll } from "vitest";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { useKitStore } from "../kpi/fixture.js";
import { startCluster } from "./servers.js";

/*
 * test/people/erasure.test.ts on a two-shard cluster as the store under test (mutations on each
 * shard, its rollups derived again), with the embedded store's raw path as the store that never
 * had the person's or the old rows.
 */

const server = await startCluster();
afterAll(() => server.stop());
let databases = 0;
useKitStore(async (dir, options) => {
  if (options.rollups === false) return DuckdbStore.open(join(dir, "kpi.duckdb"), options);
  databases += 1;
  return ClickhouseStore.open(`${server.url}/erasure_${databases}`, server.cluster);
}, "clickhouse");
await import("../people/erasure.test.js");
