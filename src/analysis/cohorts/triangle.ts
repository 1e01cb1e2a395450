import { bucketStart, daysBetween } from "../../model/calendar.js";
import type { CohortBy, CohortRow } from "../../store/store.js";

export const COHORT_BYS: readonly CohortBy[] = ["first_order_month", "first_visit_week"];
export const COHORT_KPIS = ["retention", "revenue", "orders"] as const;
export type CohortKpi = (typeof COHORT_KPIS)[number];

/** One cohort: its first period, its members, and the KPI in each period since (0 = the first). */
export interface Cohort {
  cohort: string;
  size: number;
  values: (number | null)[];
}

export interface Triangle {
  by: CohortBy;
  kpi: CohortKpi;
  /** "month" or "week": what a period since the cohort's start is. */
  period: "month" | "week";
  from: string;
  to: string;
  /** Periods of the oldest cohort: the triangle's width. */
  periods: number;
  cohorts: Cohort[];
}

/** Whole periods from `start` to `date` (both first days of their month or ISO week). */
export function periodsSince(period: "month" | "week", start: string, date: string): number {
  if (period === "week") return Math.round((daysBetween(start, date) - 1) / 7);
  const [y1, m1] = start.split("-").map(Number) as [number, number];
  const [y2, m2] = date.split("-").map(Number) as [number, number];
  return (y2 - y1) * 12 + (m2 - m1);
}

/**
 * The triangle of cohort rows: one line per cohort, one column per period since its start, up to
 * the period holding `to` (a younger cohort has fewer). Retention is the percentage of the cohort
 * active in the period (100 in period 0 for visitors; customers are active by ordering); revenue
 * and orders are the cohort's totals in the period. A period without activity is 0.
 */
export function cohortTriangle(
  rows: readonly CohortRow[],
  options: { by: CohortBy; kpi: CohortKpi; from: string; to: string },
): Triangle {
  const period = options.by === "first_order_month" ? "month" : "week";
  const last = bucketStart(options.to, period);
  const starts = [...new Set(rows.map((r) => r.cohort))].sort();
  const cohorts = starts.map((cohort): Cohort => {
    const own = rows.filter((r) => r.cohort === cohort);
    const size = own.find((r) => r.period === cohort)?.active ?? 0;
    const width = periodsSince(period, cohort, last) + 1;
    const values = Array.from({ length: width }, (_, k): number | null => {
      const row = own.find((r) => periodsSince(period, cohort, r.period) === k);
      switch (options.kpi) {
        case "retention":
          return size > 0 ? ((row?.active ?? 0) / size) * 100 : null;
        case "revenue":
          return row?.revenue ?? 0;
        case "orders":
          return row?.orders ?? 0;
        default: {
          const unknown: never = options.kpi;
          throw new Error(`unknown cohort KPI ${String(unknown)}`);
        }
      }
    });
    return { cohort, size, values };
  });
  return {
    by: options.by,
    kpi: options.kpi,
    period,
    from: options.from,
    to: options.to,
    periods: Math.max(0, ...cohorts.map((c) => c.values.length)),
    cohorts,
  };
}
