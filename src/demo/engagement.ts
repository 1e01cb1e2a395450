import { ENGAGEMENT_NAME, ENGAGEMENT_TYPE, engagementProperties } from "../model/engagement.js";
import type { Random } from "./random.js";
import { PAGEVIEW } from "./session.js";

type Row = Record<string, string>;

/** Columns of the engagement rows: the figures go in `properties`, as the tracker's do. */
export const ENGAGEMENT_COLUMNS = ["timestamp", "event", "type", "visitor_id", "url", "properties"] as const;

/** Share of page views whose engagement reaches the site (the rest: closed tabs, blockers). */
const REPORTED = 0.35;

/**
 * What a tracker would report for some page views, one second after each: scroll depth and engaged
 * time (docs/sending-events.md), so that time_on_page and scroll_depth have values in the demo.
 */
export function generateEngagement(events: readonly Row[], random: Random): Row[] {
  const rows: Row[] = [];
  for (const event of events) {
    if (event.event !== PAGEVIEW || !random.chance(REPORTED)) continue;
    const ms = Date.parse(event.timestamp ?? "") + 1000;
    const figures = engagementProperties(random.int(15, 100), Math.round(random.logNormal(35_000, 0.8)));
    rows.push({
      timestamp: new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"),
      event: ENGAGEMENT_NAME,
      type: ENGAGEMENT_TYPE,
      visitor_id: event.visitor_id ?? "",
      url: event.url ?? "",
      properties: JSON.stringify(figures),
    });
  }
  return rows;
}
