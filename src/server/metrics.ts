import { Counter, Histogram, Registry } from "prom-client";

/** Prometheus metrics of one server (its own registry, so tests can run several servers). */
export function createMetrics() {
  const registry = new Registry();
  const accepted = new Counter({
    name: "sextant_events_accepted_total",
    help: "Events committed",
    labelNames: ["route"],
    registers: [registry],
  });
  const rejected = new Counter({
    name: "sextant_events_rejected_total",
    help: "Requests rejected with a 4xx",
    labelNames: ["route", "status"],
    registers: [registry],
  });
  const bots = new Counter({
    name: "sextant_events_bot_total",
    help: "Events dropped as bot traffic",
    labelNames: ["route"],
    registers: [registry],
  });
  const deduplicated = new Counter({
    name: "sextant_events_deduplicated_total",
    help: "Events already stored (same message id)",
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: "sextant_batch_size",
    help: "Events per request",
    buckets: [1, 10, 50, 100, 250, 500, 1000, 5000],
    registers: [registry],
  });
  const commitSeconds = new Histogram({
    name: "sextant_commit_seconds",
    help: "Group commit latency",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const commitEvents = new Histogram({
    name: "sextant_commit_events",
    help: "Events per group commit",
    buckets: [1, 10, 100, 1000, 5000, 20000],
    registers: [registry],
  });
  const querySeconds = new Histogram({
    name: "sextant_query_seconds",
    help: "KPI query latency",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    accepted,
    rejected,
    bots,
    deduplicated,
    batchSize,
    commitSeconds,
    commitEvents,
    querySeconds,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
