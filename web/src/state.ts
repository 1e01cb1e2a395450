import { signalLike } from "./signal";

/** Every control lives in the query string, so a link reproduces the view (docs/dashboard.md#pages). */
export interface ViewState {
  page: string;
  params: URLSearchParams;
}

export const view = signalLike<ViewState>({
  page: location.pathname,
  params: new URLSearchParams(location.search),
});

window.addEventListener("popstate", () => {
  view.set({ page: location.pathname, params: new URLSearchParams(location.search) });
});

/** Goes to a page and/or changes parameters (null removes one); keeps every other parameter. */
export function navigate(page: string | null, changes: Record<string, string | string[] | null> = {}): void {
  const params = new URLSearchParams(view.get().params);
  for (const [key, value] of Object.entries(changes)) {
    params.delete(key);
    if (value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  const path = page ?? view.get().page;
  const query = params.toString();
  history.pushState(null, "", query ? `${path}?${query}` : path);
  view.set({ page: path, params });
}

/** A link's href to a page with the current parameters (range, workspace, filters…). */
export function hrefTo(page: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(view.get().params);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const query = params.toString();
  return query ? `${page}?${query}` : page;
}

/** "YYYY-MM-DD" of today in a time zone. */
export function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());
}

export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The comparison range of docs/dashboard.md#pages: the period just before, of equal length, or the same dates a year before. */
export function comparisonRange(
  from: string,
  to: string,
  compare: string,
): { from: string; to: string } | null {
  if (compare === "previous_year") {
    const shift = (d: string) => `${Number(d.slice(0, 4)) - 1}${d.slice(4)}`.replace(/-02-29$/, "-02-28");
    return { from: shift(from), to: shift(to) };
  }
  if (compare === "previous_period") {
    const length = daysBetween(from, to) + 1;
    return { from: addDays(from, -length), to: addDays(from, -1) };
  }
  return null;
}

export const PRESETS = ["last_7", "last_28", "last_90", "this_month", "last_month"] as const;

export function presetRange(preset: string, today: string): { from: string; to: string } | null {
  switch (preset) {
    case "last_7":
      return { from: addDays(today, -6), to: today };
    case "last_28":
      return { from: addDays(today, -27), to: today };
    case "last_90":
      return { from: addDays(today, -89), to: today };
    case "this_month":
      return { from: `${today.slice(0, 8)}01`, to: today };
    case "last_month": {
      const firstThis = `${today.slice(0, 8)}01`;
      const lastPrev = addDays(firstThis, -1);
      return { from: `${lastPrev.slice(0, 8)}01`, to: lastPrev };
    }
    default:
      return null;
  }
}
