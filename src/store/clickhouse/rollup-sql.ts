import { createHash } from "node:crypto";
import type { Workspace } from "../../model/workspace.js";
import { rollupSettingsKey } from "../duckdb/rollup-sql.js";
import type { MeasureQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { DEVICE, type PersonMap, personOf } from "./persons-sql.js";
import { newestSessionRows } from "./session-sums-sql.js";

/**
 * ClickHouse rollups: the embedded store's (duckdb/rollup-sql.ts) without updating anything in place,
 * so that several `sextant serve` processes may share a cluster.
 *
 * `rollup_visitor_days` holds one row per (device, local day: `visitor_id` is the device,
 * persons-sql.ts) with that day's additive measures
 * (durations as whole microseconds: integer sums are exact, and 18.16 crashes on decimals in tuples) and
 * the visitor's previous active and previous converting day (`1970-01-01` for none), under a
 * `generation` (a hash of the settings that shape them). When a visitor's events change, all its
 * days are written again with `version` = the number of its events seen: events are only ever
 * added, so a later derivation saw at least as many, and readers take the newest version of each
 * (visitor, day) — ReplacingMergeTree folds the older ones away in the background. A device's
 * events and days live on one shard, so each node derives and folds its own devices.
 *
 * `rollup_day_gaps` holds snapshots of the person-days counted by (day, previous day, converted,
 * previous converting day), as in DuckDB: distinct visitors over any range are a sum. A snapshot
 * is taken when the visitor-days changed since the newest one (`rollup_marks` count the batches of
 * events derived) and is announced by a mark once every node wrote its rows; readers read the
 * newest announced one.
 *
 * `rollup_orders` holds snapshots of every order once with its customer's first-order flag
 * (orders-sql.ts `ordersFirstSql`), taken when events were derived or orders imported since the
 * newest one.
 *
 * `rollup_marks`: `begin` (a batch of events is about to be inserted, times `lo`…`hi`), `done` (its
 * visitors were derived under `generation`), `built` (every visitor was), `snapshot` (day gaps `id`
 * are complete and cover `covered` done marks), `orders` (orders were imported), `orders_snapshot`
 * (rollup_orders `id`, covering `covered` done and orders marks). A batch begun without done (a writer that
 * stopped between) is derived again by the next reader.
 */

/**
 * What the rollups hold, as a version: 2 added the session sums (session-sums-sql.ts), 3 keys them
 * by device and counts persons in the snapshots (persons-sql.ts).
 */
const ROLLUP_VERSION = 3;

/**
 * The generation of a workspace's rollups: changes with any setting that shapes them, and with
 * what they hold (a store kept by an older Sextant builds a new generation).
 */
export function rollupGeneration(workspace: Workspace): string {
  return createHash("sha256")
    .update(JSON.stringify([ROLLUP_VERSION, rollupSettingsKey(workspace.settings)]))
    .digest("hex")
    .slice(0, 16);
}

const NONE_DATE = "toDate(0)";

/**
 * Writes the visitor-days of the visitors chosen by `where` (a condition on events, `1` for all)
 * into `rollup_visitor_days`, run on each node with `local` naming its tables, from the newest
 * version of those visitors' session rows (session-sums-sql.ts `sessionSumsInsert`, written
 * just before): sessionizing once serves both.
 */
export function visitorDaysInsert(
  workspace: Workspace,
  generation: string,
  where: string,
  local: (table: string) => string,
): string {
  const ws = d.literal(workspace.name);
  const visitors =
    where === "1"
      ? "1"
      : `visitor_id IN (SELECT ${DEVICE} FROM ${local("events")} WHERE workspace = ${ws} AND ${where})`;
  // Per visitor and day, the sums of its session rows; the version's high part is its events seen.
  const perDay = `SELECT visitor_id, local_date, sum(n_sessions) AS sessions, sum(n_pageviews) AS pageviews,
      sum(n_bounces) AS bounces, sum(duration_us) AS day_us, sum(n_conversions) AS conversions,
      sum(n_leads) AS leads, any(intDiv(version, 4294967296)) AS events
    FROM ${local("rollup_sessions")}
    WHERE workspace = ${ws} AND ${newestSessionRows(workspace.name, generation, visitors, local)}
    GROUP BY visitor_id, local_date`;
  // Per visitor: its days sorted; the day before each; the running count of converting days, which
  // indexes the list of converting days (with none in front) to give the one before.
  const perVisitor = `SELECT visitor_id, days, version,
      arrayPushFront(arrayPopBack(arrayMap(x -> x.1, days)), ${NONE_DATE}) AS prevs,
      arrayCumSum(arrayMap(x -> toUInt8(x.6 > 0), days)) AS ranks,
      arrayPushFront(arrayMap(x -> x.1, arrayFilter(x -> x.6 > 0, days)), ${NONE_DATE}) AS converting
    FROM (
      SELECT visitor_id, arraySort(x -> x.1, groupArray(tuple(local_date, sessions, pageviews, bounces, day_us, conversions, leads))) AS days,
        toUInt64(any(events)) AS version
      FROM (${perDay}) GROUP BY visitor_id
    )`;
  return `INSERT INTO ${local("rollup_visitor_days")} (workspace, generation, visitor_id, local_date, prev_date,
    converted, prev_converted, sessions, pageviews, bounces, duration_us, conversions, leads, version)
  SELECT ${ws}, ${d.literal(generation)}, visitor_id, day.1, prev, toUInt8(day.6 > 0),
    if(day.6 > 0, converting[rank], ${NONE_DATE}), day.2, day.3, day.4, day.5, day.6, day.7, version
  FROM (${perVisitor}) ARRAY JOIN days AS day, prevs AS prev, ranks AS rank`;
}

const SUMS = ["sessions", "pageviews", "bounces", "duration_us", "conversions", "leads"] as const;

/**
 * Writes snapshot `snapshot` of the day gaps, counted by person: the newest version of each
 * device-day (a device's days live on its shard; the Distributed table reads every shard), summed
 * per person of `persons` and day, then each person's previous active and converting day as
 * `visitorDaysInsert` finds them for one visitor. One statement for the whole store: a person's
 * devices may sit on different shards.
 */
export function dayGapsInsert(
  workspace: string,
  generation: string,
  snapshot: bigint,
  persons: PersonMap,
): string {
  const newest = `SELECT visitor_id, local_date, argMax(tuple(${SUMS.join(", ")}), version) AS v
    FROM rollup_visitor_days
    WHERE workspace = ${d.literal(workspace)} AND generation = ${d.literal(generation)}
    GROUP BY visitor_id, local_date`;
  // Per person and day (columns named apart from the sums: an alias would replace a column of its name).
  const perDay = `SELECT person, local_date, ${SUMS.map((_, i) => `sum(v.${i + 1}) AS s${i + 1}`).join(", ")}
    FROM (SELECT ${personOf(persons, "visitor_id")} AS person, local_date, v FROM (${newest}))
    GROUP BY person, local_date`;
  // Day tuples: (date, sessions, pageviews, bounces, duration, conversions, leads), as in visitorDaysInsert.
  const perPerson = `SELECT person, days,
      arrayPushFront(arrayPopBack(arrayMap(x -> x.1, days)), ${NONE_DATE}) AS prevs,
      arrayCumSum(arrayMap(x -> toUInt8(x.6 > 0), days)) AS ranks,
      arrayPushFront(arrayMap(x -> x.1, arrayFilter(x -> x.6 > 0, days)), ${NONE_DATE}) AS converting
    FROM (
      SELECT person, arraySort(x -> x.1, groupArray(tuple(local_date, ${SUMS.map((_, i) => `s${i + 1}`).join(", ")}))) AS days
      FROM (${perDay}) GROUP BY person
    )`;
  const rows = `SELECT day.1 AS g_date, prev AS g_prev, toUInt8(day.6 > 0) AS g_converted,
      if(day.6 > 0, converting[rank], ${NONE_DATE}) AS g_prev_converted,
      ${SUMS.map((_, i) => `day.${i + 2} AS g${i + 1}`).join(", ")}
    FROM (${perPerson}) ARRAY JOIN days AS day, prevs AS prev, ranks AS rank`;
  return `INSERT INTO rollup_day_gaps (workspace, generation, snapshot, local_date, prev_date, converted,
    prev_converted, visitor_days, ${SUMS.join(", ")})
  SELECT ${d.literal(workspace)}, ${d.literal(generation)}, ${snapshot}, g_date, g_prev, g_converted,
    g_prev_converted, count(), ${SUMS.map((_, i) => `sum(g${i + 1})`).join(", ")}
  FROM (${rows})
  GROUP BY g_date, g_prev, g_converted, g_prev_converted`;
}

/** Whether the rollups answer a query's event measures: only without grouping and filters. */
export function rollupAnswersEvents(query: MeasureQuery): boolean {
  return query.facts.includes("events") && query.groupBy.length === 0 && query.filters.length === 0;
}

/**
 * The event measures of an ungrouped, unfiltered query from snapshot `snapshot` of the day gaps:
 * the same columns and numbers as measure-sql.ts's eventsSql over sessions (see the DuckDB
 * version, `eventsRollupStatements`), one statement for the buckets and one for the totals.
 */
export function eventsRollupStatements(query: MeasureQuery, generation: string, snapshot: bigint): string[] {
  const first = query.buckets[0];
  const last = query.buckets[query.buckets.length - 1];
  if (!first || !last) throw new Error("a measure query needs at least one bucket");
  const statement = (from: string, to: string, interval: MeasureQuery["interval"], total: boolean) => {
    // A visitor counts in a bucket on its first day there: the day whose previous one is before it.
    const bucketFrom =
      interval === null
        ? d.date(from)
        : `greatest(${d.bucketStart(interval, "local_date")}, ${d.date(from)})`;
    const period =
      interval === null ? d.nullText : `toNullable(toString(${d.bucketStart(interval, "local_date")}))`;
    const count = (condition: string) => `CAST(sumIf(visitor_days, ${condition}) AS Float64)`;
    const sum = (column: string) => `CAST(sum(${column}) AS Float64)`;
    return `SELECT ${total ? "toUInt8(1) AS is_total, " : ""}${period} AS period,
  ${count(`prev_date < ${bucketFrom}`)} AS visitors,
  ${sum("sessions")} AS sessions,
  ${sum("pageviews")} AS pageviews,
  ${sum("bounces")} AS bounces,
  CAST(sum(duration_us) / 1000000 AS Float64) AS duration_sum,
  ${sum("conversions")} AS conversions,
  ${count(`converted = 1 AND prev_converted < ${bucketFrom}`)} AS converted_visitors,
  ${sum("leads")} AS leads
FROM rollup_day_gaps
WHERE workspace = ${d.literal(query.workspace.name)} AND generation = ${d.literal(generation)}
  AND snapshot = ${snapshot} AND local_date BETWEEN ${d.date(from)} AND ${d.date(to)}
${total ? "" : "GROUP BY period"}`;
  };
  const statements = [statement(first.from, last.to, query.interval, false)];
  if (query.totals) statements.push(statement(query.totals.from, query.totals.to, null, true));
  return statements;
}

/** Snapshot `snapshot` of a workspace's orders (`ordersFirst`: orders-sql.ts `ordersFirstSql`). */
export function ordersSnapshotInsert(
  workspace: string,
  generation: string,
  snapshot: bigint,
  ordersFirst: string,
): string {
  return `INSERT INTO rollup_orders (workspace, generation, snapshot, order_id, ts_us, customer_id, revenue,
    own_campaign, visitor_id, local_date, is_first)
  SELECT ${d.literal(workspace)}, ${d.literal(generation)}, ${snapshot}, toString(order_id), ts_us,
    toString(ifNull(customer_id, '')), toFloat64(revenue), own_campaign, visitor_id, local_date, is_first
  FROM (${ordersFirst})`;
}

/** The rows of snapshot `snapshot` of a workspace's orders, as `ordersFirstSql` gives them. */
export function ordersSnapshot(workspace: string, generation: string, snapshot: bigint): string {
  return `(SELECT order_id, ts_us, customer_id, revenue, own_campaign, visitor_id, local_date, is_first
    FROM rollup_orders WHERE workspace = ${d.literal(workspace)} AND generation = ${d.literal(generation)}
      AND snapshot = ${snapshot})`;
}
