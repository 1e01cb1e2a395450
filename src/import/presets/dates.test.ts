import { describe, expect, it } from "vitest";
import { type DateOrder, dateOrderEvidence, parseDate } from "./dates.js";

describe("dates as exports write them", () => {
  it.each<[string, DateOrder, string]>([
    ["2026-03-01", "MDY", "2026-03-01"],
    ["2026/3/1", "DMY", "2026-03-01"],
    ["2026-03-01 00:00:00", "MDY", "2026-03-01"],
    ["3/1/2026", "MDY", "2026-03-01"],
    ["3/1/2026", "DMY", "2026-01-03"],
    ["01/03/2026", "DMY", "2026-03-01"],
    ["01.03.2026", "MDY", "2026-03-01"], // dotted dates are day first everywhere
    ["13-03-2026", "DMY", "2026-03-13"],
    ["Mar 1, 2026", "MDY", "2026-03-01"],
    ["Sun, Mar 1, 2026", "MDY", "2026-03-01"],
    ["March 31, 2026", "DMY", "2026-03-31"],
    ["Mar 03, 2026 09:00 am", "MDY", "2026-03-03"],
    ["Mar 3, 2026 9:00 PM", "MDY", "2026-03-03"],
    ["1 Mar 2026", "MDY", "2026-03-01"],
    ["3/1/2026 12:00:00 AM", "MDY", "2026-03-01"],
  ])("reads %j (%s) as %s", (raw, order, date) => {
    expect(parseDate(raw, order)).toEqual({ date });
  });

  it.each<[string, DateOrder]>([
    ["2026-02-30", "MDY"],
    ["13/1/2026", "MDY"],
    ["Foo 1, 2026", "MDY"],
    ["yesterday", "MDY"],
    ["", "MDY"],
  ])("refuses %j (%s)", (raw, order) => {
    expect(parseDate(raw, order)).toHaveProperty("error");
  });

  it.each<[string, DateOrder | null]>([
    ["13/03/2026", "DMY"],
    ["3/13/2026", "MDY"],
    ["3/1/2026", null],
    ["13.03.2026", null],
    ["2026-03-13", null],
  ])("%j says the order is %j", (raw, order) => {
    expect(dateOrderEvidence(raw)).toBe(order);
  });
});
