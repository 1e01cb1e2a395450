import { parseArgs } from "node:util";
import { benchAnalysis } from "./analysis-bench.js";
import { benchErasure } from "./erasure-bench.js";
import { benchIdentity } from "./identity-bench.js";
import { benchIngestBudget } from "./ingest/budget.js";
import { benchIngestCommand } from "./ingest/command.js";
import { benchRefreshGrowth } from "./ingest/refresh-growth.js";
import { benchStoreKnobs } from "./ingest/store-knobs.js";
import { benchReportOnly, benchSuite, SUITE_USAGE } from "./run.js";
import { benchSoak } from "./soak/hostile-soak.js";
import { log } from "./util.js";

/**
 * The one entry point of the benchmarks (programs, not tests): `npm run bench -- [SUBCOMMAND]
 * [options]`, after a build. Without a subcommand it runs the default set; each subcommand runs one
 * benchmark alone. Every figure and the command that measured it: docs/performance.md.
 */

const USAGE = `usage: npm run bench -- [SUBCOMMAND] [options]   (after npm run build: node dist/bench/main.js ...)
  (none)          the default set: import, overview, goals, report, serve memory, dashboard, ingestion
  report          the monthly report against its KPI queries alone (--prepare: import only)
  analysis        funnels, breakdown and experiment against hand-written SQL [--visitors N]
  ingest          the ingestion benchmark alone: /v1/batch, /api/event, stalls, kill cycles, phases
  budget          CPU per event of each step of a /v1/batch request, no HTTP
  refresh-growth  refresh CPU per new event as history grows
  store-knobs     DuckDB storage settings in a store-only append loop
  identity        what identity stitching costs: ingest CPU, derivation, a late identify [--events N]
  erasure         the erasure of one person against reading its rows [--events N --people N]
  soak            hostile and valid requests with SIGKILLs (opt-in, loopback; --requests --rate --kills)
  help            this text; SUBCOMMAND --help for a subcommand's options

${SUITE_USAGE}`;

/** `analysis [--visitors N]`: node's own parser, which refuses a flag it does not know. */
async function analysis(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { visitors: { type: "string" } } });
  const visitors = values.visitors === undefined ? undefined : Number(values.visitors);
  if (visitors !== undefined && !(Number.isInteger(visitors) && visitors > 0)) {
    log("bench analysis: --visitors needs a whole number of visitors, e.g. --visitors 200000.");
    return 2;
  }
  await benchAnalysis(visitors);
  return 0;
}

/** A subcommand that returns nothing: 0 once done. */
const done =
  (run: (argv: readonly string[]) => Promise<void>) =>
  async (argv: readonly string[]): Promise<number> => {
    await run(argv);
    return 0;
  };

const SUBCOMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  report: benchReportOnly,
  analysis,
  ingest: benchIngestCommand,
  budget: done(benchIngestBudget),
  "refresh-growth": done(benchRefreshGrowth),
  "store-knobs": done(benchStoreKnobs),
  identity: benchIdentity,
  soak: benchSoak,
  erasure: benchErasure,
};

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith("-")) return benchSuite(argv);
  if (first === "help") {
    log(USAGE);
    return 0;
  }
  const run = SUBCOMMANDS[first];
  if (!run) {
    log(`bench: unknown subcommand "${first}"\n${USAGE}`);
    return 2;
  }
  return run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
