import type { SessionDimension } from "../../model/dimensions.js";
import { ENGAGEMENT_TYPE, MAX_ENGAGED_MS, NON_INTERACTIVE_PROPERTY } from "../../model/engagement.js";
import { ENGAGEMENT_MEASURES } from "../../model/measures.js";
import type { Workspace } from "../../model/workspace.js";
import { channelExpr } from "../sql/channel-sql.js";
import { SESSION_COLUMNS, SESSION_EVENT_TYPES } from "../sql/session-columns.js";
import type { MeasureQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { DEVICE, type PersonMap, personOf } from "./persons-sql.js";

/** Dates (inclusive, `YYYY-MM-DD`) whose visitors a query needs; all their events are sessionized. */
export interface VisitorRange {
  readonly from: string;
  readonly to: string;
}

/**
 * Or the visitors chosen by a condition on their events' columns (`1`: every visitor), as the
 * rollups' maintenance derives them: those of a batch of events, or all.
 */
export interface VisitorCondition {
  readonly where: string;
}

/**
 * The columns a query reads beyond the measures' own: the session dimensions it groups or filters
 * on, and the properties. Derivation carries only these (ClickHouse reads only the columns named,
 * and the channel's regular expressions run only when the channel is asked for).
 */
export interface SessionNeeds {
  readonly dimensions: readonly SessionDimension[];
  /** Names of the event properties grouped or filtered on. */
  readonly properties: readonly string[];
  /** Whether `page` (a page view's path) is grouped or filtered on. */
  readonly page: boolean;
  /** Whether page views need their engagement (`engaged_seconds`, `scroll_depth`). */
  readonly engagement: boolean;
  /**
   * Whether each row needs `session_us`: its session's start (microseconds), which with the visitor
   * names the session; an event outside sessions has its own time. Only with session dimensions.
   */
  readonly sessionTime?: boolean;
}

export function sessionNeeds(query: MeasureQuery): SessionNeeds {
  const used = [...query.groupBy, ...query.filters.map((f) => f.dimension)];
  const dimensions = new Set<SessionDimension>();
  for (const dim of used) if (dim.kind === "session") dimensions.add(dim.name);
  const properties = new Set<string>();
  for (const dim of used) if (dim.kind === "property") properties.add(dim.property);
  return {
    dimensions: [...dimensions],
    properties: [...properties],
    page: used.some((dim) => dim.kind === "page"),
    engagement: query.measures.some((m) => ENGAGEMENT_MEASURES.has(m)),
  };
}

/**
 * `session_events` (see duckdb/schema.ts) derived when a query runs, as a subquery: ClickHouse
 * 18.16 has no window functions, so each visitor's events are gathered into one array, sorted by
 * (time, seq), de-duplicated by their key (a message stored twice by two racing writers counts
 * once), numbered into sessions where the gap exceeds the timeout (arrayDifference, arrayCumSum)
 * and unfolded again; each event then meets its session's figures and first-event dimensions by a
 * join on (visitor, session number). The same rules as the DuckDB SQL, so the same numbers.
 *
 * No lambda captures an array (ClickHouse copies a captured array for every element, which made
 * derivation quadratic in a visitor's events). Only visitors with an event in `range` are derived,
 * with all of their events, so sessions that began earlier keep their first event's dimensions.
 * Sessions are per device (`vkey`, persons-sql.ts `DEVICE`), and `visitor_id` is the device's
 * person in `persons` (with `NO_PERSONS`, the device itself, as the rollups keep it).
 * Columns: workspace, local_date, ts_us, seq, type, name, vkey, visitor_id, session_start,
 * session_seconds, session_bounce, then the needed `s_*` dimensions, `page` when needed, and
 * `properties_keys` and `properties_values` holding the needed properties only; with engagement,
 * also `engaged_seconds` and `scroll_depth` (see `withEngagement`).
 *
 * As in the DuckDB SQL, a session bounces when it holds one page view and no other event but
 * non-interactive ones (`ni`), and engagement events have no row.
 */
export function sessionEventsSubquery(
  events: string,
  workspace: Workspace,
  range: VisitorRange | VisitorCondition,
  needs: SessionNeeds,
  persons: PersonMap,
): string {
  const { settings } = workspace;
  const ws = d.literal(workspace.name);
  const types = SESSION_EVENT_TYPES.map((t) => d.literal(t)).join(", ");
  const timeoutUs = settings.session_timeout_minutes * 60 * 1_000_000;
  const dims = needs.dimensions.map((name) => SESSION_COLUMNS[name]);
  // Each needed property travels as its own text field; the arrays are rebuilt from them at the end
  // (arrays inside tuples through ARRAY JOIN and JOIN crashed 18.16).
  const props = needs.properties.map((_, k) => `property_${k}`);
  const propertyValue = (name: string) => d.jsonText("properties", name);
  // The per-event fields carried through derivation, in tuple order (tuples are 1-based).
  const fields = [
    ...new Set([
      "ts_us",
      "seq",
      "dedup_key",
      "type",
      "name",
      "ni",
      ...(needs.page ? ["path"] : []),
      ...dims.map((c) => c.source),
      ...props,
    ]),
  ];
  const at = (field: string) => fields.indexOf(field) + 1;
  const localDate = (tsUs: string) =>
    d.localDate(`toDateTime(intDiv(${tsUs}, 1000000), 'UTC')`, settings.timezone);
  // A day either side of the range covers every time zone's calendar day.
  const visitors =
    "where" in range
      ? range.where === "1"
        ? "1"
        : `${DEVICE} IN (SELECT ${DEVICE} FROM ${events} WHERE workspace = ${ws} AND ${range.where})`
      : `${DEVICE} IN (SELECT ${DEVICE} FROM ${events} WHERE workspace = ${ws}
      AND toDate(ts) BETWEEN ${d.date(range.from)} - 1 AND ${d.date(range.to)} + 1)`;
  const stored = [
    `${DEVICE} AS vkey`,
    ...new Set(fields.filter((f) => f !== "channel" && f !== "ni" && !props.includes(f))),
  ];
  const nonInteractive = `toUInt8(type != 'page' AND ifNull(${propertyValue(NON_INTERACTIVE_PROPERTY)} = 'false', 0)) AS ni`;
  const channel = dims.some((c) => c.source === "channel") ? [`${channelExpr(d, settings)} AS channel`] : [];
  const propertyFields = needs.properties.map((name, k) => `${propertyValue(name)} AS property_${k}`);
  // Engagement events are read by withEngagement only: they are neither session nor other events.
  const read = (typeFilter: string) =>
    `SELECT ${[...stored, ...channel, nonInteractive, ...propertyFields].join(", ")} FROM ${events}
      WHERE workspace = ${ws} AND type ${typeFilter} (${typeFilter === "IN" ? types : `${types}, ${d.literal(ENGAGEMENT_TYPE)}`}) AND ${visitors}`;
  const ev = (field: string) => `ev.${at(field)}`;
  // Per visitor: the events sorted and de-duplicated (e), which start a session (starts), session numbers (sno).
  const perVisitor = `SELECT vkey, e,
        arrayMap((gap, j) -> toUInt8(j = 1 OR gap > ${timeoutUs}), arrayDifference(arrayMap(x -> x.${at("ts_us")}, e)), arrayEnumerate(e)) AS starts,
        arrayCumSum(starts) AS sno
      FROM (
        SELECT vkey, arrayFilter((x, n) -> n = 1, sorted, arrayEnumerateUniq(arrayMap(x -> x.${at("dedup_key")}, sorted))) AS e
        FROM (
          SELECT vkey, arraySort(x -> (x.${at("ts_us")}, x.${at("seq")}), groupArray(tuple(${fields.join(", ")}))) AS sorted
          FROM (${read("IN")}) GROUP BY vkey
        )
      )`;
  const propertyArrays = (value: (field: string) => string) =>
    needs.properties.length === 0
      ? []
      : [
          `[${needs.properties.map((name) => d.literal(name)).join(", ")}] AS properties_keys`,
          `[${props.map(value).join(", ")}] AS properties_values`,
        ];
  const noPage = needs.page ? ["CAST(NULL AS Nullable(String)) AS page"] : [];
  const others = `SELECT ${ws} AS workspace, ${localDate("ts_us")} AS local_date, ts_us, seq, type, name, vkey,
    toUInt8(0) AS session_start, CAST(NULL AS Nullable(Float64)) AS session_seconds,
    CAST(NULL AS Nullable(UInt8)) AS session_bounce
    ${[...dims.map(({ column, source }) => `${source} AS ${column}`), ...noPage, ...propertyArrays((p) => p), ...(needs.sessionTime ? ["ts_us AS session_us"] : [])].map((c) => `, ${c}`).join("")}
  FROM (${read("NOT IN")})`;
  // Sessions are a device's (`vkey`); each row then takes its device's person as `visitor_id`.
  const engaged = (subquery: string) =>
    `(SELECT *, ${personOf(persons, "vkey")} AS visitor_id FROM ${needs.engagement ? withEngagement(subquery, events, ws, visitors) : subquery})`;
  if (needs.sessionTime && dims.length === 0)
    throw new Error("the session start is derived with session dimensions only");
  if (dims.length === 0)
    return engaged(
      `(${withoutSessionDimensions(perVisitor, fields, needs, ws, localDate)}\n  UNION ALL\n  ${others}\n)`,
    );
  // One row per session event: its fields (ev), whether it starts a session (st), its session number (sn).
  const numbered = `SELECT vkey, ev, st, sn FROM (${perVisitor}) ARRAY JOIN e AS ev, starts AS st, sno AS sn`;
  // The first event's type and dimensions as one tuple: a tuple is never NULL, so argMin keeps NULL values.
  const firstOf = ["type", ...dims.map((c) => c.source)].map(ev);
  const sessions = `SELECT vkey, sn, argMin(tuple(${firstOf.join(", ")}), (${ev("ts_us")}, ${ev("seq")})) AS first,
      count() AS events, countIf(${ev("type")} = 'page') AS pages, sum(${ev("ni")}) AS quiet,
      (max(${ev("ts_us")}) - min(${ev("ts_us")})) / 1000000 AS seconds${needs.sessionTime ? `, min(${ev("ts_us")}) AS session_us` : ""}
    FROM (${numbered}) GROUP BY vkey, sn`;
  const sessionDims = dims.map(({ column }, k) => `first.${k + 2} AS ${column}`);
  const page = needs.page ? [`if(${ev("type")} = 'page', ${ev("path")}, NULL) AS page`] : [];
  return engaged(`(
  SELECT ${ws} AS workspace, ${localDate(ev("ts_us"))} AS local_date, ${ev("ts_us")} AS ts_us, ${ev("seq")} AS seq,
    ${ev("type")} AS type, ${ev("name")} AS name, vkey, st AS session_start,
    if(st = 1, seconds, CAST(NULL AS Nullable(Float64))) AS session_seconds,
    if(st = 1, toUInt8(pages = 1 AND events - pages - quiet = 0), CAST(NULL AS Nullable(UInt8))) AS session_bounce
    ${[...sessionDims, ...page, ...propertyArrays(ev), ...(needs.sessionTime ? ["session_us"] : [])].map((c) => `, ${c}`).join("")}
  FROM (${numbered}) ALL INNER JOIN (${sessions}) USING (vkey, sn)
  UNION ALL
  ${others}
)`);
}

/**
 * Without session dimensions no event needs its session's: each visitor's arrays give one row per
 * event (never a session start) and one row per session (type '', its first event's time and
 * properties, duration and bounce), unfolded together. Every measure counts the same rows as with
 * the DuckDB table, in one pass and without a join.
 */
function withoutSessionDimensions(
  perVisitor: string,
  fields: readonly string[],
  needs: SessionNeeds,
  ws: string,
  localDate: (tsUs: string) => string,
): string {
  const { properties } = needs;
  const at = (field: string) => fields.indexOf(field) + 1;
  const props = properties.map((_, k) => `property_${k}`);
  const ofStarts = (expr: string) => `arrayFilter((v, s) -> s = 1, ${expr}, starts)`;
  const ofEnds = (expr: string) => `arrayFilter((v, z) -> z = 1, ${expr}, ends)`;
  const column = (field: string) => `arrayMap(x -> x.${at(field)}, e)`;
  // Rows: (ts_us, type, name, session_start, seconds, bounce, seq, page, properties…), one type for
  // both kinds. A session's page views and interactive non-page events are counted from running
  // sums: the sum at its last event, less the sum at its first, plus its first event's own.
  const eventRow = `x -> tuple(x.${at("ts_us")}, x.${at("type")}, x.${at("name")}, toUInt8(0),
      CAST(NULL AS Nullable(Float64)), CAST(NULL AS Nullable(UInt8)), x.${at("seq")},
      ${needs.page ? `if(x.${at("type")} = 'page', toNullable(x.${at("path")}), NULL)` : "CAST(NULL AS Nullable(String))"}${props.map((p) => `, toNullable(x.${at(p)})`).join("")})`;
  const sessionArgs = [
    "first_ts",
    "last_ts",
    "pages_first",
    "pages_end",
    "pages_own",
    "loud_first",
    "loud_end",
    "loud_own",
    ...props.map((_, k) => `p${k}`),
  ];
  const sessionRow = `(${sessionArgs.join(", ")}) -> tuple(first_ts, '', '', toUInt8(1),
      toNullable((last_ts - first_ts) / 1000000),
      toNullable(toUInt8(pages_end - pages_first + pages_own = 1 AND loud_end - loud_first + loud_own = 0)),
      toUInt64(0), CAST(NULL AS Nullable(String))${props.map((_, k) => `, toNullable(p${k})`).join("")})`;
  const isPage = `arrayMap(x -> toUInt8(x.${at("type")} = 'page'), e)`;
  const isLoud = `arrayMap(x -> toUInt8(x.${at("type")} != 'page' AND x.${at("ni")} = 0), e)`;
  const sessionInputs = [
    ofStarts(column("ts_us")),
    ofEnds(column("ts_us")),
    ofStarts(`arrayCumSum(${isPage})`),
    ofEnds(`arrayCumSum(${isPage})`),
    ofStarts(isPage),
    ofStarts(`arrayCumSum(${isLoud})`),
    ofEnds(`arrayCumSum(${isLoud})`),
    ofStarts(isLoud),
    ...props.map((p) => ofStarts(column(p))),
  ];
  const r = (k: number) => `r.${k}`;
  return `SELECT ${ws} AS workspace, ${localDate(r(1))} AS local_date, ${r(1)} AS ts_us, ${r(7)} AS seq,
    ${r(2)} AS type, ${r(3)} AS name, vkey, ${r(4)} AS session_start, ${r(5)} AS session_seconds,
    ${r(6)} AS session_bounce${needs.page ? `, ${r(8)} AS page` : ""}${
      props.length === 0
        ? ""
        : `, [${properties.map((name) => d.literal(name)).join(", ")}] AS properties_keys, [${props.map((_, k) => r(9 + k)).join(", ")}] AS properties_values`
    }
  FROM (
    SELECT vkey, arrayConcat(arrayMap(${eventRow}, e), arrayMap(${sessionRow}, ${sessionInputs.join(", ")})) AS rows
    FROM (SELECT vkey, e, starts, arrayPushBack(arrayPopFront(starts), toUInt8(1)) AS ends FROM (${perVisitor}))
  ) ARRAY JOIN rows AS r`;
}

/**
 * The derived events with each page view's engagement (`engaged_seconds`, `scroll_depth`; NULL for
 * a page view that received none and for other events), as the DuckDB SQL gives them: a visitor's
 * page views and engagements of one URL are sorted (and de-duplicated by key), numbered by the
 * page views up to each (arrayCumSum, as 18.16 has no window functions), and the engagements of
 * number n are summed onto the n-th page view, found by (visitor, time, seq).
 */
function withEngagement(subquery: string, events: string, ws: string, visitors: string): string {
  const engagement = d.literal(ENGAGEMENT_TYPE);
  // Clamped to what a tracker reports, as the DuckDB SQL does (NaN and Infinity included).
  const figure = (key: string, max: number) =>
    `least(greatest(toFloat64OrZero(ifNull(${d.jsonText("properties", key)}, '')), 0), ${max})`;
  const numberedViews = `SELECT vkey, u, x, n FROM (
      SELECT vkey, u, e, arrayCumSum(arrayMap(x -> toUInt8(x.3 = 'page'), e)) AS vno
      FROM (
        SELECT vkey, u, arrayFilter((x, k) -> k = 1, sorted, arrayEnumerateUniq(arrayMap(x -> x.4, sorted))) AS e
        FROM (
          SELECT ${DEVICE} AS vkey, assumeNotNull(url) AS u, arraySort(x -> (x.1, x.2), groupArray(tuple(ts_us, seq, type, dedup_key, ${figure("e", MAX_ENGAGED_MS)}, ${figure("sd", 100)}))) AS sorted
          FROM ${events}
          WHERE workspace = ${ws} AND (type = 'page' OR (type = ${engagement} AND isNotNull(${d.jsonText("properties", "e")})))
            AND isNotNull(url) AND ${visitors}
          GROUP BY vkey, u
        )
      )
    ) ARRAY JOIN e AS x, vno AS n`;
  const engaged = `SELECT vkey, anyIf(x.1, x.3 = 'page') AS ts_us, anyIf(x.2, x.3 = 'page') AS seq,
      toUInt8(1) AS g_engaged, sumIf(x.5, x.3 = ${engagement}) / 1000 AS g_seconds, maxIf(x.6, x.3 = ${engagement}) AS g_depth
    FROM (${numberedViews})
    WHERE n > 0
    GROUP BY vkey, u, n
    HAVING countIf(x.3 = ${engagement}) > 0`;
  return `(
  SELECT *, if(g_engaged = 1 AND type = 'page', toNullable(g_seconds), NULL) AS engaged_seconds,
    if(g_engaged = 1 AND type = 'page', toNullable(g_depth), NULL) AS scroll_depth
  FROM ${subquery} ANY LEFT JOIN (${engaged}) USING (vkey, ts_us, seq)
)`;
}
