import { join } from "node:path";
import { afterAll } from "vitest";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { useKitStore } from "../kpi/fixture.js";
import { startCluster } from "./servers.js";

/*
 * test/kpi/rollups.test.ts with ClickHouse's rollups (src/store/clickhouse/rollup-sql.ts) on a
 * two-shard cluster as the store under test, and the embedded store's raw path (no rollups) as
 * the reference: the same random data, new events, new orders and settings changes must give
 * DuckDB's numbers to the last digit, grouped and filtered queries included.
 */

const server = await startCluster();
afterAll(() => server.stop());
let databases = 0;
useKitStore(async (dir, options) => {
  if (options.rollups === false) return DuckdbStore.open(join(dir, "kpi.duckdb"), options);
  databases += 1;
  return ClickhouseStore.open(`${server.url}/rollups_${databases}`, server.cluster);
}, "clickhouse");
await import("../kpi/rollups.test.js");
