import { resolvePersons } from "../identity/resolve-persons.js";
import { clickhouseDialect as d } from "./dialect.js";

/**
 * Persons on ClickHouse (docs/concepts.md, "Persons"; docs/clickhouse.md). Sessions and the rollups
 * they feed are kept per *device* (`DEVICE`: the Segment `anonymousId`, else the visitor id), which
 * never changes once an event is stored, and events are sharded by device, so a device's sessions
 * live on one shard. Which person a device belongs to changes with every new link, on any shard:
 * it is resolved by the embedded store's own code (identity/resolve-persons.ts) from the links of
 * all events, and applied where persons are counted, with `personOf`, as a constant of the query,
 * so that every shard maps ids alike and nothing derived has to be rewritten when a late identify
 * joins two persons.
 */

/** The device of an event of `events`: the key of its sessions and of the rollups. */
export const DEVICE = "ifNull(anonymous_id, visitor_id)";

/** Every linked id whose person is another id, sorted by id; an id not listed is its own person. */
export interface PersonMap {
  readonly ids: readonly string[];
  readonly persons: readonly string[];
}

export const NO_PERSONS: PersonMap = { ids: [], persons: [] };

/** The links of a workspace's events: each (device, user id) pair once, with its first time. */
export function linksSql(workspace: string): string {
  return `SELECT device, uid, toString(min(ts_us)) AS first_us FROM (
      SELECT ${DEVICE} AS device, assumeNotNull(user_id) AS uid, ts_us FROM events
      WHERE workspace = ${d.literal(workspace)} AND user_id IS NOT NULL
    ) WHERE device != uid GROUP BY device, uid`;
}

/** The person map of the rows of `linksSql`. */
export function personMap(rows: readonly Record<string, unknown>[]): PersonMap {
  const links = rows.map((row) => ({
    anonymousId: String(row.device),
    userId: String(row.uid),
    firstUs: BigInt(String(row.first_us)),
  }));
  const moved = [...resolvePersons(links)]
    .filter(([id, person]) => id !== person)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return { ids: moved.map(([id]) => id), persons: moved.map(([, person]) => person) };
}

/** The person of `id` (a String expression: a device, user or customer id). */
export function personOf(map: PersonMap, id: string): string {
  if (map.ids.length === 0) return id;
  const list = (values: readonly string[]) => `[${values.map((v) => d.literal(v)).join(", ")}]`;
  return `transform(${id}, ${list(map.ids)}, ${list(map.persons)}, ${id})`;
}

/** The person of a Nullable(String) expression, NULL staying NULL. */
export function nullablePersonOf(map: PersonMap, id: string): string {
  if (map.ids.length === 0) return id;
  return `if(isNull(${id}), CAST(NULL AS Nullable(String)), toNullable(${personOf(map, `assumeNotNull(${id})`)}))`;
}
