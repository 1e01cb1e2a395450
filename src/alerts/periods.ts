import { addDays, bucketStart, todayIn } from "../model/calendar.js";

/** The periods a threshold rule looks at (docs/alerts.md#rule-kinds). */
export type RulePeriod = "day" | "week" | "month";

/** A range of calendar dates in the workspace time zone, both inclusive. */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

/** Wall-clock milliseconds of an instant in a time zone, read as if that wall clock were UTC. */
function wallClockMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
}

/**
 * The first instant of a calendar day in a time zone. Where a daylight-saving change skips
 * midnight (the clock jumps from 23:59:59 to 01:00), the day starts at the first instant that
 * exists.
 */
export function startOfDayIn(date: string, timeZone: string): Date {
  const target = Date.parse(`${date}T00:00:00Z`);
  let instant = target;
  // Two corrections by the zone's offset converge everywhere but in a skipped midnight.
  for (let i = 0; i < 3; i++) instant -= wallClockMs(instant, timeZone) - target;
  // In a gap the wall clock reads the previous day or later than midnight: find the first instant of `date`.
  while (todayIn(timeZone, new Date(instant)) < date) instant += 15 * 60_000;
  while (todayIn(timeZone, new Date(instant - 15 * 60_000)) === date) instant -= 15 * 60_000;
  return new Date(instant);
}

/**
 * The time of a run "as of" day D (`sextant alerts run --as-of D`): the start of D + 1 in the
 * workspace time zone, so that the last complete day is D.
 */
export function runTimeAsOf(asOf: string, timeZone: string): Date {
  return startOfDayIn(addDays(asOf, 1), timeZone);
}

/** The last complete `period` before a run (a day, an ISO week from Monday, a calendar month). */
export function lastCompletePeriod(runTime: Date, timeZone: string, period: RulePeriod): DateRange {
  const today = todayIn(timeZone, runTime);
  const currentStart = bucketStart(today, period);
  const to = addDays(currentStart, -1);
  return { from: bucketStart(to, period), to };
}

/** The period of the same kind just before `range`. */
export function previousPeriod(range: DateRange, period: RulePeriod): DateRange {
  const to = addDays(range.from, -1);
  return { from: bucketStart(to, period), to };
}
