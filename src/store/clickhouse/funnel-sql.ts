import { stepMatchSql } from "../sql/funnel-steps.js";
import { SESSION_COLUMNS } from "../sql/session-columns.js";
import type { FunnelQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";
import { DEVICE, type PersonMap, personOf } from "./persons-sql.js";
import { sessionEventsSubquery } from "./session-sql.js";

/** Larger than any time in microseconds: "not reached". */
const NEVER = "toInt64(9000000000000000000)";

/**
 * The funnel of duckdb/funnel-sql.ts without window functions or inequality joins (18.16): each
 * visitor's matching events as one array of (time, in range, step flags…, seq, property); the entry
 * is the least in-range step-1 time (ties by seq), each next step the least time of a matching
 * event strictly after the previous step and within the window (NEVER when none). Medians as the
 * mean of the two middle values of the sorted differences, as DuckDB's quantile_cont(…, 0.5).
 *
 * With `groupBy`, one row per value `g` at the entry: the entry event's property, or the session
 * dimension of the entry event's row in the derived session events (session-sql.ts), joined by
 * (visitor, seq).
 */
export function clickhouseFunnelSql(q: FunnelQuery, persons: PersonMap): string {
  const ws = d.literal(q.workspace.name);
  const k = q.steps.length;
  const windowUs = Math.round(q.windowSeconds * 1_000_000);
  const local = d.localDate("ts", q.workspace.settings.timezone);
  const group = q.groupBy;
  const flags = q.steps.map((step) => `toUInt8(ifNull(${stepMatchSql(d, step)}, 0))`);
  const any = q.steps.map((step) => `ifNull(${stepMatchSql(d, step)}, 0)`).join(" OR ");
  const inRange = `toUInt8(${local} BETWEEN ${d.date(q.from)} AND ${d.date(q.to)})`;
  // Tuple positions: 1 time, 2 in range, 3.. step flags, then seq and the entry's property.
  const seqAt = k + 3;
  const extra =
    group === undefined
      ? []
      : ["seq", ...(group.kind === "property" ? [d.jsonText("properties", group.property)] : [])];
  const times = [`arrayReduce('min', arrayMap(x -> if(x.2 = 1 AND x.3 = 1, x.1, ${NEVER}), e)) AS t1`];
  for (let i = 2; i <= k; i++) {
    times.push(
      `arrayReduce('min', arrayMap(x -> if(x.${i + 2} = 1 AND x.1 > t${i - 1} AND x.1 <= t1 + ${windowUs}, x.1, ${NEVER}), e)) AS t${i}`,
    );
  }
  if (group !== undefined) {
    times.push(
      `arrayReduce('min', arrayMap(x -> if(x.2 = 1 AND x.3 = 1 AND x.1 = t1, x.${seqAt}, toUInt64(18446744073709551615)), e)) AS e1`,
    );
    if (group.kind === "property")
      times.push(`tupleElement(arrayFirst(x -> x.1 = t1 AND x.${seqAt} = e1, e), ${seqAt + 1}) AS g`);
  }
  // A person goes through the funnel, whichever device each step was done on (persons-sql.ts).
  let perVisitor = `SELECT person, ${times.join(", ")} FROM (
      SELECT ${personOf(persons, DEVICE)} AS person, groupArray(tuple(ts_us, ${inRange}, ${[...flags, ...extra].join(", ")})) AS e
      FROM events WHERE workspace = ${ws} AND (${any}) GROUP BY person
    ) WHERE t1 < ${NEVER}`;
  if (group?.kind === "session") {
    const { column } = SESSION_COLUMNS[group.name];
    const sessions = sessionEventsSubquery(
      "events",
      q.workspace,
      { from: q.from, to: q.to },
      { dimensions: [group.name], properties: [], page: false, engagement: false },
      persons,
    );
    perVisitor = `SELECT * FROM (${perVisitor}) ANY LEFT JOIN (
        SELECT visitor_id AS person, toUInt64(seq) AS e1, ${column} AS g FROM ${sessions}
        WHERE local_date BETWEEN ${d.date(q.from)} AND ${d.date(q.to)}
      ) USING (person, e1)`;
  }
  const reached = Array.from({ length: k }, (_, j) => `countIf(t${j + 1} < ${NEVER}) AS r${j + 1}`);
  const lists = Array.from(
    { length: k - 1 },
    (_, j) => `arraySort(groupArrayIf(t${j + 2} - t${j + 1}, t${j + 2} < ${NEVER})) AS l${j + 2}`,
  );
  const medians = Array.from(
    { length: k - 1 },
    (_, j) =>
      `if(length(l${j + 2}) = 0, NULL, (l${j + 2}[intDiv(length(l${j + 2}) + 1, 2)] + l${j + 2}[intDiv(length(l${j + 2}), 2) + 1]) / 2) AS m${j + 2}`,
  );
  const g = group === undefined ? [] : ["g"];
  return `SELECT ${[...g, ...reached.map((_, j) => `r${j + 1}`), ...medians].join(", ")} FROM (
    SELECT ${[...g, ...reached, ...lists].join(", ")} FROM (${perVisitor})${group === undefined ? "" : " GROUP BY g"}
  )`;
}
