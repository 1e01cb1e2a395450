import { stepMatchSql } from "../sql/funnel-steps.js";
import type { FunnelQuery } from "../store.js";
import { clickhouseDialect as d } from "./dialect.js";

/** Larger than any time in microseconds: "not reached". */
const NEVER = "toInt64(9000000000000000000)";

/**
 * The funnel of duckdb/funnel-sql.ts without window functions or inequality joins (18.16): each
 * visitor's matching events as one array of (time, in range, step flags…); the entry is the least
 * in-range step-1 time, each next step the least time of a matching event strictly after the
 * previous step and within the window (NEVER when none). Medians as the mean of the two middle
 * values of the sorted differences, as DuckDB's quantile_cont(…, 0.5).
 */
export function clickhouseFunnelSql(q: FunnelQuery): string {
  const ws = d.literal(q.workspace.name);
  const k = q.steps.length;
  const windowUs = Math.round(q.windowSeconds * 1_000_000);
  const local = d.localDate("ts", q.workspace.settings.timezone);
  const flags = q.steps.map((step) => `toUInt8(ifNull(${stepMatchSql(d, step)}, 0))`);
  const any = q.steps.map((step) => `ifNull(${stepMatchSql(d, step)}, 0)`).join(" OR ");
  const inRange = `toUInt8(${local} BETWEEN ${d.date(q.from)} AND ${d.date(q.to)})`;
  const times = [`arrayReduce('min', arrayMap(x -> if(x.2 = 1 AND x.3 = 1, x.1, ${NEVER}), e)) AS t1`];
  for (let i = 2; i <= k; i++) {
    times.push(
      `arrayReduce('min', arrayMap(x -> if(x.${i + 2} = 1 AND x.1 > t${i - 1} AND x.1 <= t1 + ${windowUs}, x.1, ${NEVER}), e)) AS t${i}`,
    );
  }
  const perVisitor = `SELECT visitor_id, ${times.join(", ")} FROM (
      SELECT visitor_id, groupArray(tuple(ts_us, ${inRange}, ${flags.join(", ")})) AS e
      FROM events WHERE workspace = ${ws} AND (${any}) GROUP BY visitor_id
    ) WHERE t1 < ${NEVER}`;
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
  return `SELECT ${[...reached.map((r, j) => `r${j + 1}`), ...medians].join(", ")} FROM (
    SELECT ${[...reached, ...lists].join(", ")} FROM (${perVisitor})
  )`;
}
