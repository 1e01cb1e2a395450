import type { Unit } from "../kpi/catalog.js";
import type { Lang } from "../model/lang.js";
import type { Figure } from "./model.js";

/**
 * A figure as docs/reports.md#languages-and-numbers writes it: never abbreviated, in the report language's number format
 * (Intl), at least two decimals for money and ratios below 1 000 and whole units from 1 000;
 * counts whole (two decimals when fractional); "—" when there is no value.
 */
export function formatFigure(figure: Figure, lang: Lang, currency: string): string {
  return formatNumber(figure.value, figure.unit, lang, currency);
}

export function formatNumber(value: number | null, unit: Unit, lang: Lang, currency: string): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const decimals = unit === "count" ? (Number.isInteger(value) ? 0 : 2) : Math.abs(value) >= 1000 ? 0 : 2;
  const options: Intl.NumberFormatOptions = {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: true,
  };
  switch (unit) {
    case "money":
      return new Intl.NumberFormat(lang, { ...options, style: "currency", currency }).format(value);
    case "percent":
      return new Intl.NumberFormat(lang, { ...options, style: "percent" }).format(value / 100);
    case "count":
    case "ratio":
      return new Intl.NumberFormat(lang, options).format(value);
    case "seconds":
      return `${new Intl.NumberFormat(lang, options).format(value)} s`;
    default: {
      const unknown: never = unit;
      throw new Error(`unknown unit ${String(unknown)}`);
    }
  }
}

/** A signed percent change (+12.50 %), or "—". */
export function formatChange(change: number | null, lang: Lang): string {
  if (change === null || !Number.isFinite(change)) return "—";
  const decimals = Math.abs(change) >= 1000 ? 0 : 2;
  return new Intl.NumberFormat(lang, {
    style: "percent",
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    signDisplay: "exceptZero",
  }).format(change / 100);
}

/** Percent change from `before` to `now`; null when there is nothing to compare. */
export function percentChange(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return ((now - before) / Math.abs(before)) * 100;
}

/** A calendar date in the report language (4 avril 2026 / April 4, 2026). */
export function formatDate(date: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(`${date}T00:00:00Z`),
  );
}
