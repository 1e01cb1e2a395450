import { runKpiSuitesOn } from "./kpi-suite.js";
import { startCluster } from "./servers.js";

// The hand-computed KPI cases of test/kpi, on a two-shard ClickHouse cluster (Distributed tables).
await runKpiSuitesOn(startCluster);
