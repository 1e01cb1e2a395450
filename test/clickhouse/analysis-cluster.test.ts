import { runAnalysisSuitesOn } from "./analysis-suite.js";
import { startCluster } from "./servers.js";

// The hand-computed analysis cases of test/analysis, on a two-shard ClickHouse cluster (Distributed tables).
await runAnalysisSuitesOn(startCluster);
