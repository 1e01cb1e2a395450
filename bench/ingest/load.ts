/**
 * The load generator of the ingestion benchmark, as its own process so that it does not share
 * the server's event loop: `node dist/bench/ingest/load.js '<json LoadSpec>'` runs the load and
 * prints one JSON LoadResult on stdout.
 *
 * Flat out (no `overallRate`), autocannon's closed loop: each connection sends its next request
 * when the previous one is answered. At a fixed rate, an open loop of our own: autocannon's rate
 * limit lets each connection send its share of a second back to back at the start of the second,
 * so "1 000 requests/s" arrive as a burst of 1 000 and the latencies measure the burst. Here the
 * requests are spread evenly (one every 1/rate s) and each latency runs from the moment its
 * request was due, so a stalled server cannot hide its stall by delaying the sender
 * (coordinated omission).
 */
import { Agent, request as httpRequest } from "node:http";
import autocannon from "autocannon";
import {
  BROWSER_UA,
  basicAuth,
  ID_PLACEHOLDER,
  plausibleEvent,
  segmentBatchTemplate,
} from "../../test/support/payloads.js";
import { quantile } from "../stats.js";

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
  /**
   * With `overallRate`: seconds of load at that rate before the measured `durationSeconds`, whose
   * requests are sent but not counted (a fresh server compiles its code and reads its key filter).
   */
  readonly warmupSeconds?: number;
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
  const { headers, makeBody } = requestShape(spec);
  return spec.overallRate
    ? pacedLoad(spec, spec.overallRate, headers, makeBody)
    : closedLoad(spec, headers, makeBody);
}

function requestShape(spec: LoadSpec): { headers: Record<string, string>; makeBody: () => string } {
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
  return { headers, makeBody };
}

async function closedLoad(
  spec: LoadSpec,
  headers: Record<string, string>,
  makeBody: () => string,
): Promise<LoadResult> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSeconds,
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

/**
 * Open loop: request i is due at start + i/rate and is sent then (or as soon as the sender's
 * timer wakes, on keep-alive sockets, at most `connections` open); its latency is counted from
 * when it was due until its response ends.
 */
async function pacedLoad(
  spec: LoadSpec,
  rate: number,
  headers: Record<string, string>,
  makeBody: () => string,
): Promise<LoadResult> {
  const target = new URL(spec.path, spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const warmup = Math.round(rate * (spec.warmupSeconds ?? 0));
  const total = warmup + Math.round(rate * spec.durationSeconds);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let timeouts = 0;
  let sent = 0;
  let settled = 0;
  let cpu = process.cpuUsage();
  const started = performance.now();
  const measuredFrom = started + (warmup * 1000) / rate;
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++settled === total) resolve();
    };
    const send = (due: number) => {
      const counted = due >= measuredFrom;
      const body = makeBody();
      const req = httpRequest(
        target,
        {
          method: "POST",
          agent,
          headers: { ...headers, "content-length": Buffer.byteLength(body) },
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (!counted) return finish();
            const code = String(res.statusCode ?? 0);
            statusCodes[code] = (statusCodes[code] ?? 0) + 1;
            if (code.startsWith("2")) {
              ok++;
              latencies.push(performance.now() - due);
            }
            finish();
          });
        },
      );
      req.on("timeout", () => {
        if (counted) timeouts++;
        req.destroy(new Error("timeout"));
      });
      req.on("error", () => {
        if (counted) errors++;
        finish();
      });
      req.end(body);
    };
    if (total === 0) return resolve();
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + (sent * 1000) / rate <= now) {
        if (sent === warmup) cpu = process.cpuUsage();
        send(started + (sent++ * 1000) / rate);
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + (sent * 1000) / rate - performance.now()));
    };
    tick();
  });
  const wallMs = performance.now() - measuredFrom;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const durationSeconds = wallMs / 1000;
  const requests = total - warmup;
  return {
    requests,
    ok,
    non2xx: requests - ok - errors,
    errors,
    timeouts,
    durationSeconds,
    requestsPerSecond: ok / durationSeconds,
    latencyMs: {
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? Number.NaN,
      mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    },
    statusCodes,
    loadGeneratorCores: (used.user + used.system) / 1000 / wallMs,
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
