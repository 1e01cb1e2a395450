/**
 * Engagement (docs/browser-clients.md#engagement-and-interactivity): what a tracker reports when a page is hidden or left — the scroll depth
 * reached (`sd`, percent) and the engaged time (`e`, milliseconds). It is stored as an event of
 * type `engagement` in `events`, its figures as the properties `{"sd", "e"}`, and never counts as
 * an event of its own: the stores' session derivation excludes it from sessions and event KPIs
 * and adds it to the visitor's latest page view of the same URL (several add their `e` and keep
 * the largest `sd`), which is what `time_on_page` and `scroll_depth` read.
 *
 * Why a row of `events` rather than a table of its own, or columns updated on the page view:
 * ClickHouse never updates in place, so appending and aggregating at query time is the one shape
 * both stores share; the row takes the same durable group-commit path as every event (an
 * acknowledged engagement survives a crash); de-duplication, import, `sextant migrate` and the
 * ClickHouse copy need nothing new; and which page view an engagement belongs to is a question
 * of order that the session derivation, which sorts a visitor's events anyway, answers.
 */
export const ENGAGEMENT_TYPE = "engagement";
export const ENGAGEMENT_NAME = "engagement";

/**
 * The property that marks an event sent with `interactive: false` (Plausible's `i: false`): it is
 * stored and counted as usual but does not un-bounce its session. `$` keeps it apart from a site's
 * own props.
 */
export const NON_INTERACTIVE_PROPERTY = "$interactive";

/** The longest engaged time one engagement may report, in ms (a week): what the Plausible route takes. */
export const MAX_ENGAGED_MS = 7 * 86_400_000;

/** An engagement's figures as stored: scroll depth clamped to 0–100 %, engaged time in whole ms. */
export function engagementProperties(scrollDepth: number | undefined, engagedMs: number | undefined) {
  return {
    sd: Math.min(100, Math.max(0, Math.round(scrollDepth ?? 0))),
    e: Math.max(0, Math.round(engagedMs ?? 0)),
  };
}
