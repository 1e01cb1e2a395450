import { addDays } from "../model/calendar.js";
import type { Random } from "./random.js";
import { ORDER_COMPLETED, PAGEVIEW, SIGNED_UP } from "./session.js";
import { SITE } from "./site.js";

type Row = Record<string, string>;

/** A demo A/B test: who is exposed (first view of `page` within its dates) and what converts. */
export interface DemoExperiment {
  readonly id: string;
  readonly page: string;
  readonly conversion: string;
  readonly from: string;
  /** Absent while it runs. */
  readonly to?: string;
  /** Conversions in treatment per conversion in control (1: no difference). */
  readonly lift: number;
}

export const CONTROL = "control";
export const TREATMENT = "treatment";

/** Columns of the exposure rows (extra columns become event properties on import). */
export const EXPOSURE_COLUMNS = [
  "timestamp",
  "event",
  "type",
  "visitor_id",
  "url",
  "device",
  "country",
  "experiment_id",
  "variation_id",
] as const;

/**
 * The demo's two experiments, dated back from its last day: a finished test of the pricing page
 * with a clear winner (orders), and one still running on product pages with none (sign-ups).
 */
export function demoExperiments(endDate: string, days: number): DemoExperiment[] {
  const first = addDays(endDate, -(days - 1));
  const span = Math.max(days, 4);
  return [
    {
      id: "pricing-page-v2",
      page: "/pricing",
      conversion: ORDER_COMPLETED,
      from: addDays(first, Math.floor(span / 6)),
      to: addDays(endDate, -Math.floor(span / 6)),
      lift: 1.7,
    },
    {
      id: "free-shipping-banner",
      page: "/products/",
      conversion: SIGNED_UP,
      from: addDays(endDate, -Math.floor(span / 4)),
      lift: 1,
    },
  ];
}

/**
 * "Experiment Viewed" events for each experiment, at each visitor's first view of its page in its
 * dates. Variations are assigned so that the split is 50/50 while the visitors who later convert
 * lean `lift` : 1 to treatment: the demo data carries a real difference (or none), which the
 * statistics find or do not, as they would on a site.
 */
export function generateExposures(
  events: readonly Row[],
  experiments: readonly DemoExperiment[],
  random: Random,
): Row[] {
  const rows: { ms: number; row: Row }[] = [];
  for (const experiment of experiments) {
    const exposures = new Map<string, Row>();
    const converted = new Set<string>();
    for (const event of events) {
      const day = (event.timestamp ?? "").slice(0, 10);
      if (day < experiment.from || (experiment.to !== undefined && day > experiment.to)) continue;
      const visitor = event.visitor_id ?? "";
      const first = exposures.get(visitor);
      if (!first && event.event === PAGEVIEW && pathOf(event.url ?? "").startsWith(experiment.page)) {
        exposures.set(visitor, event);
      } else if (first && event.event === experiment.conversion) {
        converted.add(visitor);
      }
    }
    // Exactly half of the visitors in treatment (no sample ratio mismatch), and the converters
    // split lift : 1 between treatment and control; who goes where is drawn at random.
    const visitors = [...exposures.keys()];
    const converters = shuffle(
      visitors.filter((v) => converted.has(v)),
      random,
    );
    const others = shuffle(
      visitors.filter((v) => !converted.has(v)),
      random,
    );
    const half = Math.round(visitors.length / 2);
    const treatedConverters = Math.min(
      half,
      Math.round((converters.length * experiment.lift) / (1 + experiment.lift)),
    );
    const treated = new Set([
      ...converters.slice(0, treatedConverters),
      ...others.slice(0, Math.max(0, half - treatedConverters)),
    ]);
    for (const [visitor, event] of exposures) {
      const row: Row = {
        timestamp: event.timestamp ?? "",
        event: "Experiment Viewed",
        type: "track",
        visitor_id: visitor,
        url: event.url ?? SITE,
        device: event.device ?? "",
        country: event.country ?? "",
        experiment_id: experiment.id,
        variation_id: treated.has(visitor) ? TREATMENT : CONTROL,
      };
      rows.push({ ms: Date.parse(row.timestamp ?? ""), row });
    }
  }
  return rows.sort((a, b) => a.ms - b.ms).map((r) => r.row);
}

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function pathOf(url: string): string {
  return url.startsWith(SITE) ? (url.slice(SITE.length).split("?")[0] ?? "") : url;
}
