import { UserError } from "../../errors.js";
import type { MetricSource } from "../../store/store.js";
import type { MetricScale } from "./sums.js";

/** The forms `--metric` takes (docs/funnels-and-experiments.md). */
export const METRIC_FORMS = [
  "revenue",
  "orders",
  "count:EVENT",
  "sum:EVENT.PROPERTY",
  "conversion:EVENT",
] as const;

/**
 * Reads a `--metric`: `revenue` and `orders` per visitor, `count:EVENT` (events per visitor;
 * `count:pageview` counts page views), `sum:EVENT.PROPERTY` (the property summed; the event name
 * may hold dots, the property is after the last one), `conversion:EVENT` (a proportion).
 */
export function parseMetric(text: string): MetricSource {
  const value = text.trim();
  if (value === "revenue" || value === "orders") return { kind: value };
  const colon = value.indexOf(":");
  const kind = colon > 0 ? value.slice(0, colon) : "";
  const rest = colon > 0 ? value.slice(colon + 1).trim() : "";
  if ((kind === "count" || kind === "conversion") && rest) return { kind, event: rest };
  if (kind === "sum") {
    const dot = rest.lastIndexOf(".");
    const event = dot > 0 ? rest.slice(0, dot).trim() : "";
    const property = dot > 0 ? rest.slice(dot + 1).trim() : "";
    if (event && property) return { kind: "sum", event, property };
  }
  throw new UserError(
    `--metric "${text}" is not a metric; write one of ${METRIC_FORMS.join(", ")} (for example --metric revenue or --metric "sum:Order Completed.revenue").`,
    [{ field: "metric", reason: "unknown metric" }],
  );
}

/** The metric as `--metric` writes it, the name its figures carry in JSON. */
export function metricName(metric: MetricSource): string {
  switch (metric.kind) {
    case "revenue":
    case "orders":
      return metric.kind;
    case "count":
    case "conversion":
      return `${metric.kind}:${metric.event}`;
    case "sum":
      return `sum:${metric.event}.${metric.property}`;
    default: {
      const unknown: never = metric;
      throw new Error(`unknown metric ${JSON.stringify(unknown)}`);
    }
  }
}

/** A conversion is 0 or 1 per visitor: a proportion, with the variance p(1 − p). */
export function scaleOf(metric: MetricSource): MetricScale {
  return metric.kind === "conversion" ? "proportion" : "mean";
}
