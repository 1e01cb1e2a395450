import { describe, expect, it } from "vitest";
import { lastCompletePeriod, previousPeriod, runTimeAsOf, startOfDayIn } from "./periods.js";

describe("start of a day in a time zone", () => {
  it.each([
    ["2026-03-10", "UTC", "2026-03-10T00:00:00.000Z"],
    ["2026-03-10", "Europe/Paris", "2026-03-09T23:00:00.000Z"],
    ["2026-07-10", "Europe/Paris", "2026-07-09T22:00:00.000Z"],
    ["2026-03-29", "Europe/Paris", "2026-03-28T23:00:00.000Z"], // the day clocks go forward at 02:00
    ["2026-03-30", "Europe/Paris", "2026-03-29T22:00:00.000Z"], // the day after
    ["2026-03-10", "America/New_York", "2026-03-10T04:00:00.000Z"],
    ["2026-01-01", "Pacific/Auckland", "2025-12-31T11:00:00.000Z"],
    ["2026-03-10", "Asia/Kolkata", "2026-03-09T18:30:00.000Z"],
    // Chile moves its clocks at midnight: 2026-09-06 00:00 does not exist, the day starts at 01:00 (−03).
    ["2026-09-06", "America/Santiago", "2026-09-06T04:00:00.000Z"],
  ])("%s in %s starts at %s", (date, zone, expected) => {
    expect(startOfDayIn(date, zone).toISOString()).toBe(expected);
  });

  it("--as-of D runs at the start of D + 1", () => {
    expect(runTimeAsOf("2026-03-31", "Europe/Paris").toISOString()).toBe("2026-03-31T22:00:00.000Z");
  });
});

describe("last complete period before a run", () => {
  it.each([
    // run time, zone, period, from, to
    ["2026-03-11T00:00:00Z", "UTC", "day", "2026-03-10", "2026-03-10"],
    ["2026-03-10T23:30:00Z", "UTC", "day", "2026-03-09", "2026-03-09"],
    // 23:30 UTC is already the 11th in Paris
    ["2026-03-10T23:30:00Z", "Europe/Paris", "day", "2026-03-10", "2026-03-10"],
    // Monday 2026-03-09: the last complete ISO week is Mon 2 – Sun 8 March
    ["2026-03-09T08:00:00Z", "UTC", "week", "2026-03-02", "2026-03-08"],
    // Sunday evening: the week containing it is not complete
    ["2026-03-08T20:00:00Z", "UTC", "week", "2026-02-23", "2026-03-01"],
    // Sunday 23:30 UTC is Monday in Paris
    ["2026-03-08T23:30:00Z", "Europe/Paris", "week", "2026-03-02", "2026-03-08"],
    ["2026-03-01T00:00:00Z", "UTC", "month", "2026-02-01", "2026-02-28"],
    ["2026-01-15T12:00:00Z", "UTC", "month", "2025-12-01", "2025-12-31"],
    ["2026-02-28T20:00:00Z", "America/Los_Angeles", "month", "2026-01-01", "2026-01-31"],
  ] as const)("at %s in %s, the last %s is %s – %s", (run, zone, period, from, to) => {
    expect(lastCompletePeriod(new Date(run), zone, period)).toEqual({ from, to });
  });

  it.each([
    ["day", { from: "2026-03-01", to: "2026-03-01" }, { from: "2026-02-28", to: "2026-02-28" }],
    ["week", { from: "2026-03-02", to: "2026-03-08" }, { from: "2026-02-23", to: "2026-03-01" }],
    ["month", { from: "2026-03-01", to: "2026-03-31" }, { from: "2026-02-01", to: "2026-02-28" }],
  ] as const)("the %s before %o is %o", (period, range, expected) => {
    expect(previousPeriod(range, period)).toEqual(expected);
  });
});
