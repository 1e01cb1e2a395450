/**
 * `npm run bench -- ingest [options]` — the ingestion benchmark (a program, not a test): prints
 * figures next to their targets, and with --json FILE writes them as JSON.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseCount as count } from "../util.js";
import { DEFAULT_OPTIONS, type IngestBenchOptions, QUICK_OPTIONS, runIngestBench } from "./ingest-bench.js";

const USAGE = `usage: npm run bench -- ingest [options]
  --quick              short runs: 5 s loads, 10 s stall run, 3 kill cycles, phases at 0 and 1M events
  --seconds N          length of the /v1/batch and no-op batch runs (default ${DEFAULT_OPTIONS.seconds})
  --connections N      connections of those runs (default ${DEFAULT_OPTIONS.connections})
  --batch N            events per /v1/batch request (default ${DEFAULT_OPTIONS.batchEvents})
  --rate N             /api/event requests per second (default ${DEFAULT_OPTIONS.eventRate})
  --event-seconds N    length of the /api/event runs (default ${DEFAULT_OPTIONS.eventSeconds})
  --event-warmup N     seconds at that rate before each /api/event run, not counted (default ${DEFAULT_OPTIONS.eventWarmupSeconds})
  --stall-seconds N    continuous ingestion into sextant serve, 0 to skip (default ${DEFAULT_OPTIONS.stallSeconds})
  --no-profile         do not run that server under node --cpu-prof
  --cycles N           kill/restart cycles, 0 to skip (default ${DEFAULT_OPTIONS.killCycles})
  --checkpoint-kills N extra cycles killed when DuckDB starts a checkpoint (default ${DEFAULT_OPTIONS.checkpointKills})
  --phase-sizes LIST   stored events for the commit phase timing, e.g. 0,1m,5m; "none" to skip
  --keep               keep the temporary stores, logs and CPU profile
  --json FILE          write the results as JSON`;

/** The flags that take a whole number (500k and 1m allowed), by the option each sets. */
const WHOLE = {
  seconds: "seconds",
  connections: "connections",
  batch: "batchEvents",
  rate: "eventRate",
  "event-seconds": "eventSeconds",
  "event-warmup": "eventWarmupSeconds",
  "stall-seconds": "stallSeconds",
  cycles: "killCycles",
  "checkpoint-kills": "checkpointKills",
} as const satisfies Record<string, keyof IngestBenchOptions>;

/** The options (`--quick` first, the other flags over it), or null for --help. */
function parseFlags(
  argv: readonly string[],
): { options: Partial<IngestBenchOptions>; json: string | null } | null {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(Object.keys(WHOLE).map((name) => [name, { type: "string" as const }])),
      "phase-sizes": { type: "string" },
      json: { type: "string" },
      quick: { type: "boolean" },
      "no-profile": { type: "boolean" },
      keep: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return null;
  const options: { -readonly [K in keyof IngestBenchOptions]?: IngestBenchOptions[K] } = values.quick
    ? { ...QUICK_OPTIONS }
    : {};
  for (const [flag, option] of Object.entries(WHOLE)) {
    const text = (values as Record<string, string | boolean | undefined>)[flag];
    if (typeof text !== "string") continue;
    const n = count(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} needs a whole number`);
    options[option] = n;
  }
  const phases = values["phase-sizes"];
  if (typeof phases === "string") options.phaseSizes = phases === "none" ? [] : phases.split(",").map(count);
  if (values["no-profile"]) options.profile = false;
  if (values.keep) options.keep = true;
  return { options, json: typeof values.json === "string" ? values.json : null };
}

/** `npm run bench -- ingest`: the exit code (2 and the usage for a wrong flag). */
export async function benchIngestCommand(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (!parsed) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const results = await runIngestBench(parsed.options);
  if (parsed.json) writeFileSync(parsed.json, `${JSON.stringify(results, null, 2)}\n`);
  return 0;
}
