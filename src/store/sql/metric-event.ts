import type { Dialect } from "../dialect.js";

/**
 * The condition choosing a metric's events: `pageview` names every page view (type page), as the
 * KPIs count them; any other name is an event's.
 */
export function metricEventSql(d: Dialect, event: string): string {
  return event.toLowerCase() === "pageview" ? "type = 'page'" : `name = ${d.literal(event)}`;
}
