import type { CatalogKpi } from "./api";
import type { Lang } from "./i18n";

/** A KPI value for people, in the page's language, with Intl; "—" for null. */
export function formatKpi(
  value: number | null | undefined,
  unit: CatalogKpi["unit"] | undefined,
  lang: Lang,
  currency: string,
): string {
  if (value === null || value === undefined) return "—";
  switch (unit) {
    case "money":
      return new Intl.NumberFormat(lang, { style: "currency", currency }).format(value);
    case "percent":
      return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 2 }).format(value / 100);
    case "seconds":
      return formatDuration(value, lang);
    case "count":
      return new Intl.NumberFormat(lang, { maximumFractionDigits: Number.isInteger(value) ? 0 : 2 }).format(
        value,
      );
    default:
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value);
  }
}

function formatDuration(seconds: number, lang: Lang): string {
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  const s = total % 60;
  const unit = (n: number, u: "minute" | "second") =>
    new Intl.NumberFormat(lang, { style: "unit", unit: u, unitDisplay: "narrow" }).format(n);
  return m > 0 ? `${unit(m, "minute")} ${unit(s, "second")}` : unit(s, "second");
}

export function formatPercentChange(change: number | null, lang: Lang): string {
  if (change === null) return "—";
  return new Intl.NumberFormat(lang, {
    style: "percent",
    maximumFractionDigits: 1,
    signDisplay: "exceptZero",
  }).format(change / 100);
}

export function formatDate(date: string, lang: Lang): string {
  const [y, m, d] = date.split("-").map(Number);
  if (!y || !m || !d) return date;
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }).format(
    Date.UTC(y, m - 1, d),
  );
}

export function formatDateTime(iso: string, lang: Lang): string {
  const t = Date.parse(iso);
  return Number.isNaN(t)
    ? iso
    : new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(t);
}

export function formatNumber(value: number | null | undefined, lang: Lang, digits = 2): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
}
