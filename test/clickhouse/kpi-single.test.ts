import { runKpiSuitesOn } from "./kpi-suite.js";
import { startSingle } from "./servers.js";

// The hand-computed KPI cases of test/kpi, on one ClickHouse server.
await runKpiSuitesOn(startSingle);
