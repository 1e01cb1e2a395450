/**
 * The load generator of the ingestion benchmark, as its own process so that it does not share
 * the server's event loop: `node dist/bench/ingest/load.js '<json LoadSpec>'` runs autocannon and
 * prints one JSON LoadResult on stdout.
 */
import autocannon from "autocannon";
import { BROWSER_UA, basicAuth, ID_PLACEHOLDER, plausibleEvent, segmentBatchTemplate } from "./payloads.js";

export interface LoadSpec {
  readonly url: string;
  readonly path: string;
  readonly payload:
    | { readonly kind: "segment-batch"; readonly events: number; readonly writeKey: string }
    | { readonly kind: "plausible"; readonly domain: string };
  readonly connections: number;
  readonly durationSeconds: number;
  /** Requests per second over all connections (autocannon `overallRate`); unlimited when absent. */
  readonly overallRate?: number;
  /** Prefix of the message ids, unique per run. */
  readonly runId: string;
}

export interface LoadResult {
  readonly requests: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly durationSeconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly statusCodes: Record<string, number>;
  /** CPU of the load generator itself, in cores (user + system time ÷ wall time). */
  readonly loadGeneratorCores: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let n = 0;
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": BROWSER_UA };
  let makeBody: () => string;
  if (spec.payload.kind === "segment-batch") {
    headers.authorization = basicAuth(spec.payload.writeKey);
    headers["user-agent"] = "analytics-node/3.1.0";
    const template = segmentBatchTemplate(spec.payload.events);
    makeBody = () => template.replaceAll(ID_PLACEHOLDER, `${spec.runId}-${n++}`);
  } else {
    const domain = spec.payload.domain;
    makeBody = () => plausibleEvent(domain, n++);
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSeconds,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: spec.path,
        headers,
        // A new body (new message ids) for every request.
        setupRequest: (request) => ({ ...request, body: makeBody() }),
      },
    ],
  });
  const used = process.cpuUsage(cpu);
  const loadGeneratorCores = (used.user + used.system) / 1000 / (performance.now() - started);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(r.statusCodeStats ?? {}))
    statusCodes[code] = (stat as { count?: number }).count ?? 0;
  return {
    requests: r.requests.total,
    ok: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationSeconds: r.duration,
    requestsPerSecond: r["2xx"] / r.duration,
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      mean: r.latency.average,
    },
    statusCodes,
    loadGeneratorCores,
  };
}

const isMain = process.argv[1]?.endsWith("/load.js") ?? false;
if (isMain) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
  runLoad(spec).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
