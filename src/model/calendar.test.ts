import { describe, expect, it } from "vitest";
import { bucketStart, bucketsOf, daysBetween, parseDate, todayIn } from "./calendar.js";

describe("buckets", () => {
  it.each([
    ["2026-11-22", "week", "2026-11-16"], // a Sunday belongs to the week starting the Monday before
    ["2026-11-16", "week", "2026-11-16"],
    ["2026-01-01", "week", "2025-12-29"], // ISO weeks cross years
    ["2026-05-31", "month", "2026-05-01"],
    ["2026-08-15", "quarter", "2026-07-01"],
    ["2026-12-31", "year", "2026-01-01"],
    ["2026-03-07", "day", "2026-03-07"],
  ] as const)("%s in a %s starts on %s", (date, interval, start) => {
    expect(bucketStart(date, interval)).toBe(start);
  });

  it("labels partial buckets by their calendar start and clips them to the range", () => {
    const buckets = bucketsOf("2026-01-15", "2026-03-10", "month");
    expect(buckets.map((b) => [b.label, b.from, b.to])).toEqual([
      ["2026-01-01", "2026-01-15", "2026-01-31"],
      ["2026-02-01", "2026-02-01", "2026-02-28"],
      ["2026-03-01", "2026-03-01", "2026-03-10"],
    ]);
  });

  it("gives each bucket the equal-length range just before it", () => {
    const [whole] = bucketsOf("2026-03-01", "2026-03-31", null);
    expect(whole).toMatchObject({ label: null, previousFrom: "2026-01-29", previousTo: "2026-02-28" });
    expect(daysBetween("2026-01-29", "2026-02-28")).toBe(31);
  });

  it("rejects impossible dates", () => {
    expect(() => parseDate("2026-02-30", "from")).toThrow(/not a date/);
    expect(() => parseDate("26-1-1", "from")).toThrow(/YYYY-MM-DD/);
    expect(parseDate("2024-02-29", "from")).toBe("2024-02-29");
  });

  it("knows today in a time zone", () => {
    const now = new Date("2026-03-01T23:30:00Z");
    expect(todayIn("UTC", now)).toBe("2026-03-01");
    expect(todayIn("Europe/Paris", now)).toBe("2026-03-02");
    expect(todayIn("America/New_York", now)).toBe("2026-03-01");
  });
});
