import { addDays, bucketStart, daysBetween, type Interval, toIsoDate } from "../model/calendar.js";

export type ReportPeriod = "week" | "month" | "quarter";
export const REPORT_PERIODS: readonly ReportPeriod[] = ["week", "month", "quarter"];

export interface Range {
  readonly from: string;
  readonly to: string;
}

/** docs/reports.md#periodic-report: the period that contains `asOf`, up to `asOf` (month, 2026-04-30 → April 1–30). */
export function periodRange(period: ReportPeriod, asOf: string): Range {
  return { from: bucketStart(asOf, period), to: asOf };
}

/**
 * The previous period. A whole calendar period compares with the whole previous one (April 1–30 →
 * March 1–31, Q2 → January 1–March 31), not with as many days; a period still under way compares
 * with as far into the previous one as it goes (April 1–15 → March 1–15), cut at that period's end
 * (March 1–30 → February 1–28).
 */
export function previousRange(period: ReportPeriod, current: Range): Range {
  const from = bucketStart(addDays(current.from, -1), period);
  const end = addDays(current.from, -1);
  if (periodEnd(period, current.from) === current.to) return { from, to: end };
  const to = addDays(from, daysBetween(current.from, current.to) - 1);
  // biome-ignore lint/complexity/useMathMinMax: these are YYYY-MM-DD strings, compared as text
  return { from, to: to > end ? end : to };
}

/**
 * The same period a year before: the ISO week 52 weeks earlier (same weekdays), or the same
 * calendar dates of the year before for months and quarters (February 29 → 28).
 */
export function yearBeforeRange(period: ReportPeriod, current: Range): Range {
  if (period === "week") return { from: addDays(current.from, -364), to: addDays(current.to, -364) };
  return { from: minusYear(current.from), to: minusYear(current.to) };
}

/** The last day of the period starting on `from`. */
function periodEnd(period: ReportPeriod, from: string): string {
  if (period === "week") return addDays(from, 6);
  const [y, m] = from.split("-").map(Number) as [number, number];
  const months = period === "quarter" ? 3 : 1;
  return toIsoDate(new Date(Date.UTC(y, m - 1 + months, 0)));
}

function minusYear(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
  return `${y - 1}-${String(m).padStart(2, "0")}-${String(Math.min(d, lastDay)).padStart(2, "0")}`;
}

/** The interval of a period report's trend chart: days for a week or month, weeks for a quarter. */
export function trendInterval(period: ReportPeriod): Interval {
  return period === "quarter" ? "week" : "day";
}
