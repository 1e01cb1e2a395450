import { UserError } from "../errors.js";

export const DAY_MS = 86_400_000;
export const HOUR_S = 3600;

/** The days a demo covers: `days` UTC calendar days starting at `startMs` (midnight). */
export interface DemoRange {
  readonly startMs: number;
  readonly days: number;
}

/** Parses a `YYYY-MM-DD` date to the epoch milliseconds of its UTC midnight. */
export function parseDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(ms) || formatDate(ms) !== text) {
    throw new UserError(`"${text}" is not a valid date.`, [
      { field: "endDate", reason: "expected YYYY-MM-DD" },
    ]);
  }
  return ms;
}

/** Formats epoch milliseconds as the `YYYY-MM-DD` UTC date. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const dateCache = new Map<number, string>();

/** Formats epoch milliseconds as an ISO 8601 UTC timestamp to the second, e.g. `2024-03-01T09:15:00Z`. */
export function formatTimestamp(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let date = dateCache.get(day);
  if (date === undefined) {
    if (dateCache.size > 20_000) dateCache.clear();
    date = formatDate(day * DAY_MS);
    dateCache.set(day, date);
  }
  const seconds = Math.floor((ms - day * DAY_MS) / 1000);
  return `${date}T${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}Z`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** The UTC midnight of day `index` of the range. */
export function dayStart(range: DemoRange, index: number): number {
  return range.startMs + index * DAY_MS;
}

/** Day of week of a UTC instant: 0 = Sunday … 6 = Saturday. */
export function weekday(ms: number): number {
  return new Date(ms).getUTCDay();
}

/** True on Saturday and Sunday. */
export function isWeekend(ms: number): boolean {
  const day = weekday(ms);
  return day === 0 || day === 6;
}

/** The ISO 8601 week number (1–53) of a UTC day. */
export function isoWeek(ms: number): number {
  const date = new Date(ms);
  const thursday = ms + (3 - ((date.getUTCDay() + 6) % 7)) * DAY_MS;
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return Math.floor((thursday - yearStart) / DAY_MS / 7) + 1;
}
