import type { Lang } from "../model/lang.js";
import type { Unit } from "./catalog.js";

/** A KPI value for people: grouped digits, units, "—" when there is no value. */
export function formatValue(value: number | null, unit: Unit, locale: Lang, currency: string): string {
  if (value === null) return "—";
  const number = (digits: number) =>
    new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: digits }).format(value);
  switch (unit) {
    case "count":
      return number(Number.isInteger(value) ? 0 : 2);
    case "percent":
      return `${number(2)} %`;
    case "money":
      return new Intl.NumberFormat(locale, { style: "currency", currency }).format(value);
    case "ratio":
      return number(2);
    case "seconds":
      return formatDuration(value);
    default: {
      const unknown: never = unit;
      throw new Error(`unknown unit ${String(unknown)}`);
    }
  }
}

/** 125 → "2m 05s", 3725 → "1h 02m 05s". */
export function formatDuration(seconds: number): string {
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}
