import { ENGAGEMENT_TYPE, MAX_ENGAGED_MS, NON_INTERACTIVE_PROPERTY } from "../../model/engagement.js";
import type { WorkspaceSettings } from "../../model/workspace.js";
import type { Dialect } from "../dialect.js";
import { channelExpr } from "../sql/channel-sql.js";
import { SESSION_COLUMN_LIST, SESSION_EVENT_TYPES } from "../sql/session-columns.js";
import { deviceSql, personSql } from "./identities.js";

/**
 * Rows of `session_events` for the events of one workspace in `source` (all its events, or those of
 * the visitors that changed). A session is a visitor's page and track events with no gap longer than
 * the timeout; its dimensions are those of its first event; events outside sessions (identify…)
 * keep their own. Ties in time keep insertion order (seq).
 *
 * A session bounces when it holds exactly one page view and no other event but non-interactive
 * ones (`interactive: false`). Engagement events (model/engagement.ts) get no row: each is added
 * to the visitor's latest page view of the same URL at or before it — page views and engagements
 * of a (visitor, URL) are numbered by the page views before them — and a page view carries its
 * `page` (path), summed `engaged_seconds` and largest `scroll_depth`; an engagement without
 * figures (converted by `sextant migrate --engagement` from a custom event) adds nothing.
 */
export function sessionEventsSelect(
  d: Dialect,
  workspace: string,
  settings: WorkspaceSettings,
  source: string,
): string {
  const sessionTypes = SESSION_EVENT_TYPES.map((t) => d.literal(t)).join(", ");
  const engagement = d.literal(ENGAGEMENT_TYPE);
  const timeoutSeconds = settings.session_timeout_minutes * 60;
  const own = SESSION_COLUMN_LIST.map(({ column, source }) => `${source} AS ${column}`);
  const localDate = d.localDate("ts", settings.timezone);
  const nonInteractive = `coalesce(${d.jsonText("properties", NON_INTERACTIVE_PROPERTY)} = 'false', FALSE)`;
  const figure = (key: string) => `TRY_CAST(${d.jsonText("properties", key)} AS DOUBLE)`;
  const ws = d.literal(workspace);
  // Within what a tracker reports, whatever an import stored: KPI sums are DECIMAL(38, 9), and one
  // engagement of 1e308 ms would make every time-on-page query of its day fail.
  const clamp = (figure: string, max: number) => `least(greatest(coalesce(${figure}, 0), 0), ${max})`;
  // Inside, `visitor_id` is the device: sessions never span two devices. Each row then takes its
  // device's person (identities.ts) as `visitor_id`, and keeps the device as `device_id`.
  const ev = `(SELECT * REPLACE (${deviceSql()} AS visitor_id) FROM ${source} WHERE workspace = ${ws})`;
  const person = `LEFT JOIN identity_persons ip ON ip.workspace = ${ws} AND ip.id = `;
  // The windows sort only what sessionizing needs (visitor, time, seq and two flags): sorting the
  // whole rows twice was most of the derivation's time. The rows are joined back by seq (unique),
  // and a session's dimensions (the channel's patterns included) are computed for its first event only.
  return `WITH marked AS (
    SELECT seq, visitor_id, ts, type = 'page' AS is_page,
      CASE WHEN type <> 'page' THEN NOT ${nonInteractive} ELSE FALSE END AS interacts,
      CASE WHEN epoch(ts) - lag(epoch(ts)) OVER w <= ${timeoutSeconds} THEN 0 ELSE 1 END AS is_start
    FROM ${ev} WHERE type IN (${sessionTypes})
    WINDOW w AS (PARTITION BY visitor_id ORDER BY ts, seq)
  ),
  numbered AS (
    SELECT *,
      sum(is_start) OVER (PARTITION BY visitor_id ORDER BY ts, seq ROWS UNBOUNDED PRECEDING) AS session_no
    FROM marked
  ),
  sessions AS (
    SELECT visitor_id, session_no,
      epoch(max(ts)) - epoch(min(ts)) AS seconds,
      count(*) FILTER (WHERE is_page) = 1 AND count(*) FILTER (WHERE interacts) = 0 AS bounce,
      any_value(seq) FILTER (WHERE is_start = 1) AS start_seq
    FROM numbered GROUP BY visitor_id, session_no
  ),
  firsts AS (
    SELECT s.visitor_id AS f_visitor, s.session_no AS f_session, s.seconds, s.bounce, e.*
    FROM sessions s JOIN (SELECT seq, ${own.join(", ")} FROM (
      SELECT *, ${channelExpr(d, settings)} AS channel FROM ${ev} WHERE type IN (${sessionTypes}))) e
      ON e.seq = s.start_seq
  ),
  -- Only the (visitor, URL) pairs that received engagement: most page views never do.
  viewed AS (
    SELECT visitor_id, url, seq, type, ${figure("e")} AS ms, ${figure("sd")} AS depth,
      count(*) FILTER (WHERE type = 'page') OVER (PARTITION BY visitor_id, url ORDER BY ts, seq ROWS UNBOUNDED PRECEDING) AS view_no
    FROM ${ev} SEMI JOIN (SELECT DISTINCT visitor_id, url FROM ${ev} WHERE type = ${engagement}) USING (visitor_id, url)
    WHERE type IN ('page', ${engagement}) AND url IS NOT NULL
  ),
  engaged AS (
    SELECT p.visitor_id AS g_visitor, p.seq AS g_seq, g.seconds AS g_seconds, g.depth AS g_depth
    FROM (
      SELECT visitor_id, url, view_no, sum(${clamp("ms", MAX_ENGAGED_MS)}) / 1000 AS seconds, max(${clamp("depth", 100)}) AS depth
      FROM viewed WHERE type = ${engagement} AND view_no > 0 AND ms IS NOT NULL GROUP BY visitor_id, url, view_no
    ) g
    JOIN viewed p ON p.type = 'page' AND p.visitor_id = g.visitor_id AND p.url = g.url AND p.view_no = g.view_no
  )
  SELECT e.workspace, ${d.localDate("e.ts", settings.timezone)} AS local_date, e.ts, e.seq, type, name, ${personSql("e.visitor_id", "ip")}, user_id, order_id, revenue, properties,
    is_start = 1 AS session_start,
    CASE WHEN is_start = 1 THEN f.seconds END AS session_seconds,
    CASE WHEN is_start = 1 THEN f.bounce END AS session_bounce,
    ${SESSION_COLUMN_LIST.map(({ column }) => `f.${column}`).join(", ")},
    CASE WHEN type = 'page' THEN path END AS page, g_seconds AS engaged_seconds, g_depth AS scroll_depth,
    e.visitor_id AS device_id
  FROM numbered n JOIN ${ev} e ON e.seq = n.seq
  JOIN firsts f ON f.f_visitor = n.visitor_id AND f.f_session = n.session_no
  LEFT JOIN engaged ON g_visitor = n.visitor_id AND g_seq = n.seq
  ${person}e.visitor_id
  UNION ALL
  SELECT x.workspace, ${localDate}, ts, seq, type, name, ${personSql("x.visitor_id", "ip")}, user_id, order_id, revenue, properties,
    FALSE, NULL, NULL, ${own.join(", ")}, NULL, NULL, NULL, x.visitor_id
  FROM (SELECT *, ${channelExpr(d, settings)} AS channel FROM ${ev} WHERE type NOT IN (${sessionTypes}, ${engagement})) x
  ${person}x.visitor_id`;
}

/**
 * `source` (a table or subquery of `events` rows) in as few parts as keep each under
 * `chunkEvents` of its `events`, split by a hash of the device: a session never spans devices,
 * so deriving the parts one after the other gives the rows of one derivation of the whole.
 */
export function visitorParts(source: string, events: number, chunkEvents: number): string[] {
  const parts = Math.max(1, Math.ceil(events / chunkEvents));
  if (parts === 1) return [source];
  return Array.from(
    { length: parts },
    (_, part) => `(SELECT * FROM ${source} WHERE hash(${deviceSql()}) % ${parts} = ${part})`,
  );
}

/**
 * The devices (`visitor_id` here: deviceSql) with events after `doneSeq`, each with the time from which its `session_events` rows
 * must be derived again (`cut_ts`, and its local day `cut_day`; NULL for the whole history).
 *
 * Events arrive mostly in time order, after everything the visitor did before. Rows before a cut
 * stay as they are when every new event is at or after it and a session starts there: the
 * sessions before it are closed, and no event after it changes them. Two cuts qualify: the new
 * events themselves when the visitor has no session yet, or when they come over the timeout after
 * its last session event (a returning visitor: a new session); else the start of the visitor's
 * last session (a session going on). Otherwise (a new event older than the last session's start)
 * the whole history is derived again. `unplacedEngagementsUpdate` then checks the engagements.
 */
export function changedVisitorsSelect(
  d: Dialect,
  workspace: string,
  settings: WorkspaceSettings,
  doneSeq: number,
): string {
  const ws = d.literal(workspace);
  const sessionTypes = SESSION_EVENT_TYPES.map((t) => d.literal(t)).join(", ");
  const timeoutSeconds = settings.session_timeout_minutes * 60;
  return `SELECT visitor_id, cut_ts, ${d.localDate("cut_ts", settings.timezone)} AS cut_day
  FROM (
    SELECT f.visitor_id, CASE
      WHEN o.last_ts IS NULL THEN f.first_new
      WHEN epoch(f.first_new) - epoch(o.last_ts) > ${timeoutSeconds} THEN f.first_new
      WHEN f.first_new >= o.start_ts THEN o.start_ts
    END AS cut_ts
    FROM (
      SELECT ${deviceSql()} AS visitor_id, min(ts) AS first_new FROM events WHERE workspace = ${ws} AND seq > ${doneSeq} GROUP BY 1
    ) f
    LEFT JOIN (
      SELECT device_id AS visitor_id, max(ts) FILTER (WHERE session_start) AS start_ts, max(ts) AS last_ts
      FROM session_events WHERE workspace = ${ws} AND type IN (${sessionTypes}) GROUP BY device_id
    ) o USING (visitor_id)
  ) cuts`;
}

/**
 * Clears the cut of the visitors in `changed_visitors` with an engagement after the cut that could
 * belong to a page view before it (docs/browser-clients.md#engagement-and-interactivity: an engagement goes to the latest page view of its URL
 * at or before it): an engagement is kept whole only if a page view of its URL precedes it after the
 * cut — before this refresh for one already stored (or it was added to an older page view), and now
 * for a new one. `since` bounds the events read: the earliest cut.
 */
export function unplacedEngagementsUpdate(
  d: Dialect,
  workspace: string,
  doneSeq: number,
  since: string,
): string {
  const engagement = d.literal(ENGAGEMENT_TYPE);
  return `UPDATE changed_visitors SET cut_ts = NULL, cut_day = NULL WHERE visitor_id IN (
    WITH tails AS (
      SELECT c.visitor_id, e.seq, e.ts, e.type, e.url
      FROM events e JOIN changed_visitors c ON ${deviceSql("e")} = c.visitor_id
      WHERE e.workspace = ${d.literal(workspace)} AND e.ts >= ${since} AND e.ts >= c.cut_ts
        AND e.type IN ('page', ${engagement}) AND e.url IS NOT NULL
    )
    SELECT g.visitor_id FROM tails g
    WHERE g.type = ${engagement} AND NOT EXISTS (
      SELECT 1 FROM tails p WHERE p.visitor_id = g.visitor_id AND p.url = g.url AND p.type = 'page'
        AND (p.ts < g.ts OR (p.ts = g.ts AND p.seq < g.seq))
        AND (p.seq <= ${doneSeq} OR g.seq > ${doneSeq})))`;
}

/**
 * A key that changes when a setting that shapes sessions changes, forcing a full rebuild; its
 * first element is the version of the derivation itself (2: pages and engagement; 3: sessions
 * per device, rows by person).
 */
export function sessionSettingsKey(settings: WorkspaceSettings): string {
  return JSON.stringify([3, settings.timezone, settings.session_timeout_minutes, settings.domains]);
}
