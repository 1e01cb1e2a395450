import { stepMatchSql } from "../sql/funnel-steps.js";
import { SESSION_COLUMNS } from "../sql/session-columns.js";
import type { FunnelQuery } from "../store.js";
import { duckdbDialect as d } from "./dialect.js";
import { deviceSql, personSql } from "./identities.js";

/**
 * A funnel in DuckDB, of persons: the matching events with a flag per step, the entry (first step-1 event in
 * the range, ties in time by seq), then each step as the earliest matching event strictly after the
 * previous step and no later than entry + window (greedy earliest match reaches the deepest step),
 * one join per step. Columns r1..rk (visitors) and m2..mk (median microseconds from the previous
 * step); with `groupBy`, one row per value `g` of the dimension at the entry (a property of the
 * entry event, or the session dimension of its row in `session_events`, kept fresh by the caller)
 * and the overall row (`is_total` = 1) from the same scan, by GROUPING SETS.
 */
export function duckdbFunnelSql(q: FunnelQuery): string {
  const ws = d.literal(q.workspace.name);
  const k = q.steps.length;
  const windowUs = Math.round(q.windowSeconds * 1_000_000);
  const local = d.localDate("ts", q.workspace.settings.timezone);
  const flags = q.steps.map((step, i) => `${stepMatchSql(d, step)} AS m${i + 1}`);
  const any = q.steps.map((step) => stepMatchSql(d, step)).join(" OR ");
  const group = q.groupBy;
  const entry =
    group === undefined
      ? `s1 AS (SELECT visitor_id, min(us) AS t1 FROM ev WHERE m1 AND in_range GROUP BY visitor_id)`
      : `e1 AS (SELECT visitor_id, min(us) AS t1, arg_min(seq, (us, seq)) AS seq FROM ev WHERE m1 AND in_range GROUP BY visitor_id),
  s1 AS (SELECT e1.visitor_id, e1.t1, ${
    group.kind === "property"
      ? `${d.jsonText("x.properties", group.property)} AS g FROM e1 LEFT JOIN ev x ON`
      : `x.${SESSION_COLUMNS[group.name].column} AS g FROM e1 LEFT JOIN session_events x ON x.workspace = ${ws} AND`
  } x.visitor_id = e1.visitor_id AND x.seq = e1.seq)`;
  const ctes = [
    // A person goes through the funnel, whichever device each step was done on (identities.ts).
    `ev AS (SELECT ${personSql("m.device", "ip")} AS visitor_id, m.* EXCLUDE (device) FROM (
      SELECT ${deviceSql()} AS device, seq, epoch_us(ts) AS us, ${local} BETWEEN ${d.date(q.from)} AND ${d.date(q.to)} AS in_range, ${flags.join(", ")}${group?.kind === "property" ? ", properties" : ""}
      FROM events WHERE workspace = ${ws} AND (${any})) m
      LEFT JOIN identity_persons ip ON ip.workspace = ${ws} AND ip.id = m.device)`,
    entry,
  ];
  const g = group === undefined ? "" : ", f.g";
  for (let i = 2; i <= k; i++) {
    const carried = Array.from({ length: i - 1 }, (_, j) => `f.t${j + 1}`).join(", ");
    ctes.push(`s${i} AS (SELECT f.visitor_id${g}, ${carried}, min(ev.us) AS t${i} FROM s${i - 1} f
      LEFT JOIN ev ON ev.visitor_id = f.visitor_id AND ev.m${i} AND ev.us > f.t${i - 1} AND ev.us <= f.t1 + ${windowUs}
      GROUP BY f.visitor_id${g}, ${carried})`);
  }
  const reached = Array.from({ length: k }, (_, j) => `count(t${j + 1}) AS r${j + 1}`);
  const medians = Array.from(
    { length: k - 1 },
    (_, j) => `quantile_cont(t${j + 2} - t${j + 1}, 0.5) AS m${j + 2}`,
  );
  const columns = [...reached, ...medians].join(", ");
  return `WITH ${ctes.join(",\n  ")}
  ${group === undefined ? `SELECT ${columns} FROM s${k}` : `SELECT g, grouping(g) AS is_total, ${columns} FROM s${k} GROUP BY GROUPING SETS ((g), ())`}`;
}
