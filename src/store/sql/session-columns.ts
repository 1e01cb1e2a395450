import type { SessionDimension } from "../../model/dimensions.js";

/**
 * Where each session dimension lives: `column` in `session_events` (the value of the session's
 * first event) and `source`, the `events` column it is taken from. One table for the sessionizing
 * SQL and the KPI compiler.
 */
export const SESSION_COLUMNS: Readonly<
  Record<SessionDimension, { readonly column: string; readonly source: string }>
> = {
  campaign: { column: "s_campaign", source: "campaign_key" },
  channel: { column: "s_channel", source: "channel" },
  utm_source: { column: "s_utm_source", source: "utm_source" },
  utm_medium: { column: "s_utm_medium", source: "utm_medium" },
  utm_content: { column: "s_utm_content", source: "utm_content" },
  utm_term: { column: "s_utm_term", source: "utm_term" },
  landing_page: { column: "s_landing_page", source: "path" },
  device: { column: "s_device", source: "device" },
  browser: { column: "s_browser", source: "browser" },
  os: { column: "s_os", source: "os" },
  country: { column: "s_country", source: "country" },
};

export const SESSION_COLUMN_LIST = Object.values(SESSION_COLUMNS);

/** Events that make sessions; identify, group and alias calls do not (docs/concepts.md#kpis). */
export const SESSION_EVENT_TYPES = ["page", "track", "screen"] as const;

/** The campaign key of docs/concepts.md#campaign-keys-and-channels in SQL: trimmed, lower-cased, NULL when empty. */
export function campaignKeySql(expr: string): string {
  return `nullif(lower(trim(${expr})), '')`;
}
