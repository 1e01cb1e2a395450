import type { Workspace } from "../../workspace/settings.js";
import { channelExpr } from "../sql/channel-sql.js";
import { SESSION_COLUMN_LIST, SESSION_EVENT_TYPES } from "../sql/session-columns.js";
import { clickhouseDialect as d } from "./dialect.js";

/** Dates (inclusive, `YYYY-MM-DD`) whose visitors a query needs; all their events are sessionized. */
export interface VisitorRange {
  readonly from: string;
  readonly to: string;
}

/** The per-event fields carried through sessionization, in tuple order (ClickHouse tuples are 1-based). */
const FIELDS = [
  "ts_us",
  "seq",
  "dedup_key",
  "type",
  "name",
  "user_id",
  "order_id",
  "revenue",
  "properties_keys",
  "properties_values",
  ...SESSION_COLUMN_LIST.map(({ source }) => source),
] as const;

const at = (field: (typeof FIELDS)[number]) => FIELDS.indexOf(field) + 1;

/**
 * `session_events` (see duckdb/schema.ts) derived when a query runs, as a subquery: ClickHouse
 * 18.16 has no window functions, so each visitor's events are gathered into one array, sorted by
 * (time, seq), de-duplicated by their key (a message stored twice by two racing writers counts
 * once), cut into sessions where the gap exceeds the timeout, and unfolded again with their
 * session's first-event dimensions. The same rules as the DuckDB SQL, so the same numbers.
 *
 * Only visitors with an event in `range` are derived (with all of their events, so sessions that
 * began earlier keep their first event's dimensions).
 */
export function sessionEventsSubquery(events: string, workspace: Workspace, range: VisitorRange): string {
  const { settings } = workspace;
  const ws = d.literal(workspace.name);
  const types = SESSION_EVENT_TYPES.map((t) => d.literal(t)).join(", ");
  const timeoutUs = settings.session_timeout_minutes * 60 * 1_000_000;
  const localDate = (tsUs: string) =>
    d.localDate(`toDateTime(intDiv(${tsUs}, 1000000), 'UTC')`, settings.timezone);
  // A day either side of the range covers every time zone's calendar day.
  const visitors = `visitor_id IN (SELECT visitor_id FROM ${events} WHERE workspace = ${ws}
      AND toDate(ts) BETWEEN ${d.date(range.from)} - 1 AND ${d.date(range.to)} + 1)`;
  const withChannel = `SELECT *, ${channelExpr(d, settings)} AS channel FROM ${events} WHERE workspace = ${ws}`;
  const tuple = `tuple(${FIELDS.join(", ")})`;
  const first = "e[sidx[sno[i]]]";
  const sessionDims = SESSION_COLUMN_LIST.map(({ column, source }) => `${first}.${at(source)} AS ${column}`);
  const ownDims = SESSION_COLUMN_LIST.map(({ column, source }) => `${source} AS ${column}`);
  return `(
  SELECT ${ws} AS workspace, ${localDate(`e[i].${at("ts_us")}`)} AS local_date, e[i].${at("ts_us")} AS ts_us,
    e[i].${at("seq")} AS seq, e[i].${at("type")} AS type, e[i].${at("name")} AS name, visitor_id,
    e[i].${at("user_id")} AS user_id, e[i].${at("order_id")} AS order_id, e[i].${at("revenue")} AS revenue,
    e[i].${at("properties_keys")} AS properties_keys, e[i].${at("properties_values")} AS properties_values,
    toUInt8(starts[i]) AS session_start,
    if(starts[i] = 1, (${`e[send[sno[i]]].${at("ts_us")}`} - ${first}.${at("ts_us")}) / 1000000, CAST(NULL AS Nullable(Float64))) AS session_seconds,
    if(starts[i] = 1, toUInt8(sidx[sno[i]] = send[sno[i]] AND ${first}.${at("type")} = 'page'), CAST(NULL AS Nullable(UInt8))) AS session_bounce,
    ${sessionDims.join(", ")}
  FROM (
    SELECT visitor_id, e, starts, sno, sidx, send FROM (
      SELECT visitor_id,
        arrayMap(j -> raw[j], arraySort(j -> (raw[j].${at("ts_us")}, raw[j].${at("seq")}), arrayEnumerate(raw))) AS sorted,
        arrayFilter((x, j) -> indexOf(arrayMap(y -> y.${at("dedup_key")}, sorted), x.${at("dedup_key")}) = j, sorted, arrayEnumerate(sorted)) AS e,
        arrayMap(j -> toUInt8(j = 1 OR e[j].${at("ts_us")} - e[j - 1].${at("ts_us")} > ${timeoutUs}), arrayEnumerate(e)) AS starts,
        arrayCumSum(starts) AS sno,
        arrayFilter(j -> starts[j] = 1, arrayEnumerate(e)) AS sidx,
        arrayMap(k -> if(k < length(sidx), toUInt64(sidx[k + 1] - 1), length(e)), arrayEnumerate(sidx)) AS send
      FROM (
        SELECT visitor_id, groupArray(${tuple}) AS raw
        FROM (${withChannel} AND type IN (${types}) AND ${visitors})
        GROUP BY visitor_id
      )
    )
  )
  ARRAY JOIN arrayEnumerate(e) AS i
  UNION ALL
  SELECT ${ws} AS workspace, ${localDate("ts_us")} AS local_date, ts_us, seq, type, name, visitor_id, user_id, order_id,
    revenue, properties_keys, properties_values, toUInt8(0) AS session_start,
    CAST(NULL AS Nullable(Float64)) AS session_seconds, CAST(NULL AS Nullable(UInt8)) AS session_bounce,
    ${ownDims.join(", ")}
  FROM (${withChannel} AND type NOT IN (${types}) AND ${visitors})
)`;
}
