import type { Dialect } from "../dialect.js";

/**
 * Conditions on the raw tables choosing one person's rows (Store.personIdentities gives the ids): an
 * event by its visitor, user or anonymous id, an order by its customer or visitor id. The same
 * SQL on both stores.
 */
export function personEventsWhere(d: Dialect, ids: readonly string[]): string {
  const list = idList(d, ids);
  return `(visitor_id IN (${list}) OR user_id IN (${list}) OR anonymous_id IN (${list}))`;
}

export function personOrdersWhere(d: Dialect, ids: readonly string[]): string {
  const list = idList(d, ids);
  return `(customer_id IN (${list}) OR visitor_id IN (${list}))`;
}

function idList(d: Dialect, ids: readonly string[]): string {
  if (ids.length === 0) throw new Error("a person has at least one id");
  return ids.map((id) => d.literal(id)).join(", ");
}
