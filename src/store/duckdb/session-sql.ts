import type { WorkspaceSettings } from "../../workspace/settings.js";
import type { Dialect } from "../dialect.js";
import { channelExpr } from "../sql/channel-sql.js";
import { SESSION_COLUMN_LIST, SESSION_EVENT_TYPES } from "../sql/session-columns.js";

/**
 * Rows of `session_events` for the events of one workspace in `source` (all its events, or those of
 * the visitors that changed). A session is a visitor's page and track events with no gap longer than
 * the timeout; its dimensions are those of its first event; events outside sessions (identify…)
 * keep their own. Ties in time keep insertion order (seq).
 */
export function sessionEventsSelect(
  d: Dialect,
  workspace: string,
  settings: WorkspaceSettings,
  source: string,
): string {
  const sessionTypes = SESSION_EVENT_TYPES.map((t) => d.literal(t)).join(", ");
  const timeoutSeconds = settings.session_timeout_minutes * 60;
  const firstOf = SESSION_COLUMN_LIST.map(
    ({ column, source }) => `any_value(${source}) FILTER (WHERE is_start = 1) AS ${column}`,
  );
  const own = SESSION_COLUMN_LIST.map(({ column, source }) => `${source} AS ${column}`);
  const localDate = d.localDate("ts", settings.timezone);
  return `WITH ev AS (
    SELECT *, ${channelExpr(d, settings)} AS channel FROM ${source} WHERE workspace = ${d.literal(workspace)}
  ),
  marked AS (
    SELECT *, CASE WHEN epoch(ts) - lag(epoch(ts)) OVER w <= ${timeoutSeconds} THEN 0 ELSE 1 END AS is_start
    FROM ev WHERE type IN (${sessionTypes})
    WINDOW w AS (PARTITION BY visitor_id ORDER BY ts, seq)
  ),
  numbered AS (
    SELECT *, sum(is_start) OVER (PARTITION BY visitor_id ORDER BY ts, seq ROWS UNBOUNDED PRECEDING) AS session_no
    FROM marked
  ),
  sessions AS (
    SELECT visitor_id, session_no,
      epoch(max(ts)) - epoch(min(ts)) AS seconds,
      count(*) = 1 AND count(*) FILTER (WHERE type = 'page') = 1 AS bounce,
      ${firstOf.join(",\n      ")}
    FROM numbered GROUP BY visitor_id, session_no
  )
  SELECT workspace, ${localDate} AS local_date, ts, seq, type, name, visitor_id, user_id, order_id, revenue, properties,
    is_start = 1 AS session_start,
    CASE WHEN is_start = 1 THEN s.seconds END AS session_seconds,
    CASE WHEN is_start = 1 THEN s.bounce END AS session_bounce,
    ${SESSION_COLUMN_LIST.map(({ column }) => `s.${column}`).join(", ")}
  FROM numbered n JOIN sessions s USING (visitor_id, session_no)
  UNION ALL
  SELECT workspace, ${localDate}, ts, seq, type, name, visitor_id, user_id, order_id, revenue, properties,
    FALSE, NULL, NULL, ${own.join(", ")}
  FROM ev WHERE type NOT IN (${sessionTypes})`;
}

/** A key that changes when a setting that shapes sessions changes, forcing a full rebuild. */
export function sessionSettingsKey(settings: WorkspaceSettings): string {
  return JSON.stringify([settings.timezone, settings.session_timeout_minutes, settings.domains]);
}
