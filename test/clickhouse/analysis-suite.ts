import { afterAll } from "vitest";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { useKitStore } from "../kpi/fixture.js";
import type { ClickhouseFixture } from "./servers.js";

/** Runs the store-level analysis cases of test/analysis (experiments, funnels) against ClickHouse, as kpi-suite.ts does. */
export async function runAnalysisSuitesOn(start: () => Promise<ClickhouseFixture>): Promise<void> {
  const server = await start();
  afterAll(() => server.stop());
  let databases = 0;
  useKitStore(async () => {
    databases += 1;
    return ClickhouseStore.open(`${server.url}/analysis_${databases}`, server.cluster);
  });
  await import("../analysis/experiments.test.js");
  await import("../analysis/funnels.test.js");
  await import("../analysis/experiment-metrics.test.js");
  await import("../analysis/cohorts.test.js");
}
