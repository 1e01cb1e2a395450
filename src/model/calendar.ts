import { UserError } from "../errors.js";

export const INTERVALS = ["day", "week", "month", "quarter", "year"] as const;
export type Interval = (typeof INTERVALS)[number];

/** One bucket of a query: its label and the dates it covers inside the range (inclusive). */
export interface Bucket {
  readonly label: string | null;
  readonly from: string;
  readonly to: string;
  /** The equal-length range just before it, for retention. */
  readonly previousFrom: string;
  readonly previousTo: string;
}

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The dates a query may name. */
export const FIRST_DATE = "1900-01-01";
export const LAST_DATE = "2999-12-31";

/** The most buckets one query may have (about 27 years by day); docs/http-api.md. */
export const MAX_BUCKETS = 10_000;
const MIN_DAYS: Readonly<Record<Interval, number>> = { day: 1, week: 7, month: 28, quarter: 89, year: 365 };

/** Parses a calendar date `YYYY-MM-DD`, rejecting impossible ones like 2026-02-30. */
export function parseDate(value: string, field: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  if (!DATE_PATTERN.test(value) || Number.isNaN(date.getTime()) || toIsoDate(date) !== value) {
    throw new UserError(`${field} "${value}" is not a date written YYYY-MM-DD.`, [
      { field, reason: "expected YYYY-MM-DD" },
    ]);
  }
  // Ranges, their previous periods and the day after them must stay 4-digit years, which the
  // stores' SQL reads: 0001-01-01 to 9999-12-31 failed in SQL with a 500.
  if (value < FIRST_DATE || value > LAST_DATE) {
    throw new UserError(`${field} ${value} is outside ${FIRST_DATE} to ${LAST_DATE}.`, [
      { field, reason: `before ${FIRST_DATE} or after ${LAST_DATE}` },
    ]);
  }
  return value;
}

export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return toIsoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** First day of the bucket of `interval` that contains `date` (ISO weeks start on Monday). */
export function bucketStart(date: string, interval: Interval): string {
  const d = new Date(`${date}T00:00:00Z`);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  switch (interval) {
    case "day":
      return date;
    case "week":
      return addDays(date, -((d.getUTCDay() + 6) % 7));
    case "month":
      return toIsoDate(new Date(Date.UTC(year, month, 1)));
    case "quarter":
      return toIsoDate(new Date(Date.UTC(year, month - (month % 3), 1)));
    case "year":
      return `${year}-01-01`;
    default: {
      const unknown: never = interval;
      throw new Error(`unknown interval ${String(unknown)}`);
    }
  }
}

function nextBucketStart(start: string, interval: Interval): string {
  const d = new Date(`${start}T00:00:00Z`);
  switch (interval) {
    case "day":
      return addDays(start, 1);
    case "week":
      return addDays(start, 7);
    case "month":
      return toIsoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
    case "quarter":
      return toIsoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3, 1)));
    case "year":
      return `${d.getUTCFullYear() + 1}-01-01`;
    default: {
      const unknown: never = interval;
      throw new Error(`unknown interval ${String(unknown)}`);
    }
  }
}

function bucket(label: string | null, from: string, to: string): Bucket {
  const length = daysBetween(from, to);
  return { label, from, to, previousFrom: addDays(from, -length), previousTo: addDays(from, -1) };
}

/**
 * The buckets of a range: labelled by the calendar bucket's first date, covering only the part of
 * it inside the range. Without an interval, the whole range is one bucket labelled null.
 */
export function bucketsOf(from: string, to: string, interval: Interval | null): Bucket[] {
  if (interval === null) return [bucket(null, from, to)];
  // Each bucket is a row of every statement: 0001-01-01 to 9999-12-31 by day would be 3.6 million.
  if (daysBetween(from, to) / MIN_DAYS[interval] > MAX_BUCKETS) {
    throw new UserError(
      `The range ${from} to ${to} holds more than ${MAX_BUCKETS} ${interval}s; choose a shorter range or a longer interval.`,
      [{ field: "interval", reason: `more than ${MAX_BUCKETS} buckets` }],
    );
  }
  const buckets: Bucket[] = [];
  for (let start = bucketStart(from, interval); start <= to; start = nextBucketStart(start, interval)) {
    const end = addDays(nextBucketStart(start, interval), -1);
    buckets.push(bucket(start, start < from ? from : start, end > to ? to : end));
  }
  return buckets;
}

/** Today's date in a time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}
