/**
 * Dates as ad platforms write them: "2026-03-01", "3/1/2026" (US), "01/03/2026" or "01.03.2026"
 * (European), "Mar 1, 2026", "Sun, Mar 1, 2026", "Mar 03, 2026 09:00 am" (Mailchimp), "1 Mar 2026".
 * A time after the date is ignored: rows are per day. Numeric day/month order is one per file
 * (see `dateOrderEvidence`).
 */

export type DateOrder = "MDY" | "DMY";

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};

const TIME = String.raw`(?:[ T,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[aApP][mM])?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?`;
const ISO = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${TIME}$`);
const NUMERIC = new RegExp(String.raw`^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})${TIME}$`);
const MONTH_FIRST = new RegExp(
  String.raw`^(?:[A-Za-z]{3,9},?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})${TIME}$`,
);
const DAY_FIRST = new RegExp(
  String.raw`^(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})${TIME}$`,
);

/** The calendar date of a cell as YYYY-MM-DD, or a reason why it is not one. */
export function parseDate(raw: string, order: DateOrder): { date: string } | { error: string } {
  const text = raw.trim();
  const ymd = readParts(text, order);
  if (ymd === null) {
    return {
      error: `"${text}" is not a date this export writes (for example 2026-03-01, 3/1/2026 or Mar 1, 2026)`,
    };
  }
  const [y, m, d] = ymd;
  const check = new Date(Date.UTC(y, m - 1, d));
  if (
    m < 1 ||
    m > 12 ||
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== m - 1 ||
    check.getUTCDate() !== d
  ) {
    const how = NUMERIC.test(text)
      ? ` (read as ${order === "DMY" ? "day/month/year" : "month/day/year"})`
      : "";
    return { error: `"${text}" is not a calendar date${how}` };
  }
  return {
    date: `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
  };
}

/** Year, month and day as written, before checking that they make a calendar date. */
function readParts(text: string, order: DateOrder): [number, number, number] | null {
  const iso = ISO.exec(text);
  if (iso) return [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const numeric = NUMERIC.exec(text);
  if (numeric) {
    const [a, b] = [Number(numeric[1]), Number(numeric[3])];
    // A dotted date (31.03.2026) is day first in every locale that writes it.
    const dayFirst = numeric[2] === "." || order === "DMY";
    return [Number(numeric[4]), dayFirst ? b : a, dayFirst ? a : b];
  }
  const monthFirst = MONTH_FIRST.exec(text);
  const month1 = MONTHS[(monthFirst?.[1] ?? "").toLowerCase()];
  if (monthFirst && month1) return [Number(monthFirst[3]), month1, Number(monthFirst[2])];
  const dayFirst = DAY_FIRST.exec(text);
  const month2 = MONTHS[(dayFirst?.[2] ?? "").toLowerCase()];
  if (dayFirst && month2) return [Number(dayFirst[3]), month2, Number(dayFirst[1])];
  return null;
}

/** What a numeric date says about day/month order: "13/03/2026" is day first, "3/13/2026" month first. */
export function dateOrderEvidence(raw: string): DateOrder | null {
  const match = NUMERIC.exec(raw.trim());
  if (!match || match[2] === ".") return null;
  const [a, b] = [Number(match[1]), Number(match[3])];
  if (a > 12 && b <= 12) return "DMY";
  if (b > 12 && a <= 12) return "MDY";
  return null;
}
