import { afterAll } from "vitest";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { useKitStore } from "../kpi/fixture.js";
import type { ClickhouseFixture } from "./servers.js";

/**
 * Runs every hand-computed KPI case of test/kpi against a ClickHouse store: the suites there open
 * their stores through `openKit`, which this points at a fresh ClickHouse database per kit.
 */
export async function runKpiSuitesOn(start: () => Promise<ClickhouseFixture>): Promise<void> {
  const server = await start();
  afterAll(() => server.stop());
  let databases = 0;
  useKitStore(async () => {
    databases += 1;
    return ClickhouseStore.open(`${server.url}/kit_${databases}`, server.cluster);
  });
  await import("../kpi/traffic.test.js");
  await import("../kpi/orders.test.js");
  await import("../kpi/attribution.test.js");
  await import("../kpi/ads-email-social.test.js");
  await import("../kpi/grouping.test.js");
  await import("../kpi/columns.test.js");
  await import("../kpi/pages.test.js");
  await import("../kpi/persons.test.js");
}
