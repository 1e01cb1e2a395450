import { UserError } from "../errors.js";

/**
 * Dimensions a KPI can be grouped or filtered by (docs/concepts.md#kpis). Session dimensions take the value of
 * the session's first event; `props.NAME` reads an event property; any other name is a breakdown
 * column of imported ad costs (age, gender, ad set…).
 */
export const SESSION_DIMENSIONS = [
  "campaign",
  "channel",
  "utm_source",
  "utm_medium",
  "utm_content",
  "utm_term",
  "landing_page",
  "device",
  "browser",
  "os",
  "country",
] as const;

export type SessionDimension = (typeof SESSION_DIMENSIONS)[number];

export type Dimension =
  | { readonly kind: "session"; readonly name: SessionDimension }
  | { readonly kind: "network"; readonly name: "network" }
  /** The path of a page view's URL: an event-level dimension (PAGE_KPIS only). */
  | { readonly kind: "page"; readonly name: "page" }
  | { readonly kind: "property"; readonly name: string; readonly property: string }
  | { readonly kind: "breakdown"; readonly name: string };

/** The KPIs that `page` groups and filters (docs/concepts.md#kpis); any other KPI by page is refused. */
export const PAGE_KPIS = ["pageviews", "visitors", "time_on_page", "scroll_depth"] as const;

/** The label of rows whose fact has no value for a dimension (unattributed, or not applicable). */
export const NONE = "(none)";

const SESSION_SET: ReadonlySet<string> = new Set(SESSION_DIMENSIONS);
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_ .-]{0,99}$/;

/** Parses a dimension name as typed by a user; breakdown names are checked later against the data. */
export function parseDimension(raw: string): Dimension {
  const name = raw.trim();
  if (SESSION_SET.has(name)) return { kind: "session", name: name as SessionDimension };
  if (name === "network") return { kind: "network", name };
  if (name === "page") return { kind: "page", name };
  if (name.startsWith("props.") && name.length > 6) {
    return { kind: "property", name, property: name.slice(6) };
  }
  if (!NAME_PATTERN.test(name)) {
    throw new UserError(`"${raw}" is not a dimension name.`, [
      { field: "dimension", reason: "invalid name" },
    ]);
  }
  return { kind: "breakdown", name };
}

/** A filter `dimension=value`; several values of one dimension mean "any of them". */
export interface Filter {
  readonly dimension: Dimension;
  readonly values: readonly string[];
}

/** Parses repeated `d=v` filters, merging values of the same dimension. */
export function parseFilters(raw: readonly string[]): Filter[] {
  const byName = new Map<string, { dimension: Dimension; values: string[] }>();
  for (const item of raw) {
    const eq = item.indexOf("=");
    if (eq <= 0) {
      throw new UserError(`Filter "${item}" is not dimension=value, for example channel=paid.`, [
        { field: "where", reason: "expected dimension=value" },
      ]);
    }
    const dimension = parseDimension(item.slice(0, eq));
    const entry = byName.get(dimension.name) ?? { dimension, values: [] };
    entry.values.push(item.slice(eq + 1));
    byName.set(dimension.name, entry);
  }
  return [...byName.values()];
}

/** Campaign key of docs/concepts.md#campaign-keys-and-channels: trimmed and lower-cased, so spellings meet. */
export function campaignKey(name: string): string {
  return name.trim().toLowerCase();
}
