/**
 * `npm run build && node dist/bench/ingest/main.js [options]` — the ingestion benchmark (a program,
 * not a test): prints figures next to their targets, and with --json FILE writes them as JSON.
 */
import { writeFileSync } from "node:fs";
import { DEFAULT_OPTIONS, type IngestBenchOptions, QUICK_OPTIONS, runIngestBench } from "./ingest-bench.js";

const USAGE = `usage: node dist/bench/ingest/main.js [options]
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
  --prototype-sizes L  stored events for the what-if commit variants, e.g. 0,1m; "none" to skip
  --keep               keep the temporary stores, logs and CPU profile
  --json FILE          write the results as JSON`;

function count(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a count such as 500k or 5m`);
  const scale = { "": 1, k: 1e3, m: 1e6 }[(match[2] ?? "").toLowerCase() as "" | "k" | "m"];
  return Math.round(Number(match[1]) * scale);
}

function parseArgs(
  argv: readonly string[],
): { options: Partial<IngestBenchOptions>; json: string | null } | null {
  const options: { -readonly [K in keyof IngestBenchOptions]?: IngestBenchOptions[K] } = {};
  let json: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    const whole = () => {
      const n = count(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a whole number`);
      return n;
    };
    switch (arg) {
      case "--quick":
        Object.assign(options, QUICK_OPTIONS);
        break;
      case "--seconds":
        options.seconds = whole();
        break;
      case "--connections":
        options.connections = whole();
        break;
      case "--batch":
        options.batchEvents = whole();
        break;
      case "--rate":
        options.eventRate = whole();
        break;
      case "--event-seconds":
        options.eventSeconds = whole();
        break;
      case "--event-warmup":
        options.eventWarmupSeconds = whole();
        break;
      case "--stall-seconds":
        options.stallSeconds = whole();
        break;
      case "--no-profile":
        options.profile = false;
        break;
      case "--cycles":
        options.killCycles = whole();
        break;
      case "--checkpoint-kills":
        options.checkpointKills = whole();
        break;
      case "--phase-sizes": {
        const list = value();
        options.phaseSizes = list === "none" ? [] : list.split(",").map(count);
        break;
      }
      case "--prototype-sizes": {
        const list = value();
        options.prototypeSizes = list === "none" ? [] : list.split(",").map(count);
        break;
      }
      case "--keep":
        options.keep = true;
        break;
      case "--json":
        json = value();
        break;
      case "--help":
      case "-h":
        return null;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return { options, json };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (!parsed) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const results = await runIngestBench(parsed.options);
  if (parsed.json) writeFileSync(parsed.json, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
