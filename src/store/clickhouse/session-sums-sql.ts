import type { SessionDimension } from "../../model/dimensions.js";
import type { Workspace } from "../../model/workspace.js";
import type { SessionSums } from "../sql/measure-sql.js";
import { bySessionDimensionsOnly, trackNameIn } from "../sql/measure-sql.js";
import { SESSION_COLUMN_LIST, SESSION_COLUMNS } from "../sql/session-columns.js";
import type { MeasureQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { NO_PERSONS, type PersonMap, personOf } from "./persons-sql.js";
import { sessionEventsSubquery } from "./session-sql.js";

/**
 * `rollup_sessions`: one row per session and local day it has events on (one row for most), with
 * the session's start (`session_us`) and entry attributes (the session dimensions of its first
 * event: campaign, channel, UTM tags, landing page, device, browser, OS, country); the row of the
 * start's day counts the session, its bounce and duration, and every row the page views,
 * conversions and leads of its day, as the query-time path counts them on the events' own day.
 * Events outside sessions (identify…) add a row each with their own attributes and no measures,
 * as they add a visitor there. Every event KPI grouped or filtered by session dimensions is a sum
 * over these rows, visitors a distinct count, so the numbers are those of `session_events`
 * (duckdb/session-sql.ts) without sessionizing at query time; the rows counting a session are the
 * sessions orders are attributed to (orders-sql.ts).
 *
 * Adding events can change a session's first event, so a visitor's rows are not replaced key by
 * key: each derivation writes all of a visitor's rows under one `version` = the number of its
 * events seen × 2³² + a random number of the derivation (two derivations of the same events:
 * readers take exactly one), and readers keep, per visitor, the rows of its greatest version. A
 * visitor has a row on every day it has events in every version, so that greatest version is found
 * among its rows in any date range. ReplacingMergeTree, keyed by the row's position in the visitor's
 * list, folds older versions away in the background; readers never depend on it.
 */

const DIMENSIONS = Object.keys(SESSION_COLUMNS) as SessionDimension[];
const COLUMNS = SESSION_COLUMN_LIST.map((c) => c.column);
// Named apart from the measures: in ClickHouse an alias would replace a column of its name.
const SUMS = ["n_sessions", "n_pageviews", "n_bounces", "duration_us", "n_conversions", "n_leads"] as const;

/**
 * Writes the session sums of the visitors chosen by `where` (a condition on events, `1` for all)
 * into `rollup_sessions`, run on each node with `local` naming its tables; `salt` (below 2³²)
 * tells this derivation from another of the same events.
 */
export function sessionSumsInsert(
  workspace: Workspace,
  generation: string,
  where: string,
  local: (table: string) => string,
  salt: number,
): string {
  if (!Number.isInteger(salt) || salt < 0 || salt >= 2 ** 32) throw new Error("the salt must be below 2^32");
  const { conversion_events, lead_events } = workspace.settings;
  const sessions = sessionEventsSubquery(
    local("events"),
    workspace,
    { where },
    { dimensions: DIMENSIONS, properties: [], page: false, engagement: false, sessionTime: true },
    // Kept per device: a device's person may change with any later link (persons-sql.ts).
    NO_PERSONS,
  );
  // The same expressions as the query-time path (measure-sql.ts eventsSql), per session (or event
  // outside sessions) and day. With session dimensions every row is an event (a session start
  // too): count() counts them. An event outside sessions has its own row (its time is its key).
  const perEntry = `SELECT visitor_id, session_us, local_date, ${COLUMNS.join(", ")},
      ${d.countIf("session_start = 1")} AS n_sessions,
      ${d.countIf("type = 'page'")} AS n_pageviews,
      ${d.countIf("session_start = 1 AND session_bounce = 1")} AS n_bounces,
      toInt64(ifNull(sumIf(toInt64(round(session_seconds * 1000000)), session_start = 1), 0)) AS duration_us,
      ${d.countIf(trackNameIn(d, conversion_events))} AS n_conversions,
      ${d.countIf(trackNameIn(d, lead_events))} AS n_leads,
      count() AS events
    FROM ${sessions} GROUP BY visitor_id, session_us, local_date, ${COLUMNS.join(", ")}`;
  const fields = ["session_us", "local_date", ...COLUMNS, ...SUMS];
  // Per visitor: its rows and its events seen, in one read so that the version matches the rows.
  const perVisitor = `SELECT visitor_id, groupArray(tuple(${fields.join(", ")})) AS entries,
      toUInt64(sum(events)) * 4294967296 + ${salt} AS version
    FROM (${perEntry}) GROUP BY visitor_id`;
  return `INSERT INTO ${local("rollup_sessions")} (workspace, generation, visitor_id, entry, ${fields.join(", ")}, version)
  SELECT ${d.literal(workspace.name)}, ${d.literal(generation)}, visitor_id, toUInt32(k),
    ${fields.map((_, i) => `row.${i + 1}`).join(", ")}, version
  FROM (SELECT visitor_id, entries, arrayEnumerate(entries) AS positions, version FROM (${perVisitor}))
  ARRAY JOIN entries AS row, positions AS k`;
}

/** Whether the session sums answer a query's event measures: grouped and filtered by session dimensions only. */
export function sessionSumsAnswerEvents(query: MeasureQuery): boolean {
  return query.facts.includes("events") && bySessionDimensionsOnly(query);
}

/**
 * The condition that keeps, of generation `generation`, the rows of each visitor's greatest
 * version among its rows matching `among` (a condition on `rollup_sessions`), found on the
 * visitor's own shard (`local` names the node's table: a subquery of IN runs on each shard).
 */
export function newestSessionRows(
  workspace: string,
  generation: string,
  among: string,
  local: (table: string) => string,
): string {
  const current = `workspace = ${d.literal(workspace)} AND generation = ${d.literal(generation)}`;
  return `generation = ${d.literal(generation)} AND (visitor_id, version) IN (
    SELECT visitor_id, max(version) FROM ${local("rollup_sessions")}
    WHERE ${current} AND ${among} GROUP BY visitor_id)`;
}

const daysBetween = (from: string, to: string) => `local_date BETWEEN ${from} AND ${to}`;

/** Where the compiler reads the session sums of generation `generation` over the query's range. */
export function sessionSumsSource(
  query: MeasureQuery,
  generation: string,
  local: (table: string) => string,
  persons: PersonMap,
): SessionSums {
  const first = query.buckets[0];
  const last = query.buckets[query.buckets.length - 1];
  if (!first || !last) throw new Error("a measure query needs at least one bucket");
  return {
    table: "rollup_sessions",
    visitor: personOf(persons, "visitor_id"),
    where: [
      newestSessionRows(
        query.workspace.name,
        generation,
        daysBetween(d.date(first.from), d.date(last.to)),
        local,
      ),
    ],
  };
}

/**
 * The sessions of generation `generation` that start on days `from`…`to` (a day either side
 * covers every time zone), as orders-sql.ts attributes orders to them: `person` (the device's
 * person in `persons`), `s_ts` (the start, microseconds) and the session dimensions.
 */
export function sessionStartsSource(
  workspace: string,
  generation: string,
  from: string,
  to: string,
  local: (table: string) => string,
  persons: PersonMap,
): string {
  const [lo, hi] = [`${d.date(from)} - 1`, `${d.date(to)} + 1`];
  return `(SELECT ${personOf(persons, "visitor_id")} AS person, session_us AS s_ts, ${COLUMNS.join(", ")} FROM rollup_sessions
    WHERE workspace = ${d.literal(workspace)} AND n_sessions = 1 AND ${daysBetween(lo, hi)}
      AND ${newestSessionRows(workspace, generation, daysBetween(lo, hi), local)})`;
}
