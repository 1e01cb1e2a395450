import { runAnalysisSuitesOn } from "./analysis-suite.js";
import { startSingle } from "./servers.js";

// The store-level analysis cases of test/analysis, on one ClickHouse server.
await runAnalysisSuitesOn(startSingle);
