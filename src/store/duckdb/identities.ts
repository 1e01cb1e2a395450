import { type IdentityLink, resolvePersons } from "../identity/resolve-persons.js";
import type { Transaction } from "./connection.js";
import { duckdbDialect as d } from "./dialect.js";

/**
 * The device of an event of `events` (the key of its sessions): the Segment `anonymousId`, else the
 * visitor (a Plausible or tracker hash, an imported `visitor_id`, a user id sent without an
 * anonymous id). An alias's `previousId` is its `anonymous_id`.
 */
export function deviceSql(alias = ""): string {
  const a = alias ? `${alias}.` : "";
  return `coalesce(${a}anonymous_id, ${a}visitor_id)`;
}

/** The person of an id (a device or user id) through `identity_persons` joined as `alias`. */
export function personSql(id: string, alias: string): string {
  return `coalesce(${alias}.person_id, ${id})`;
}

/** The links of the events matching `where`: each (device, user id) pair once, first seen. */
function linksSelect(ws: string, where: string): string {
  const device = deviceSql();
  return `SELECT ${device} AS anonymous_id, user_id, min(ts) AS first_ts FROM events
    WHERE workspace = ${ws} AND user_id IS NOT NULL AND ${device} <> user_id${where}
    GROUP BY ALL`;
}

/**
 * Rebuilds a workspace's identity links and persons from all its events (a full derivation).
 */
export async function rebuildIdentities(tx: Transaction, workspace: string): Promise<void> {
  const ws = d.literal(workspace);
  await tx.run(`DELETE FROM identity_links WHERE workspace = ${ws}`);
  await tx.run(`DELETE FROM identity_persons WHERE workspace = ${ws}`);
  await tx.run(`INSERT INTO identity_links SELECT ${ws}, * FROM (${linksSelect(ws, "")})`);
  const links = await readLinks(tx, `SELECT * FROM identity_links WHERE workspace = ${ws}`);
  await writePersons(tx, resolvePersons(links));
  await tx.run(`INSERT INTO identity_persons SELECT ${ws}, id, person_id FROM resolved`);
  await tx.run("DROP TABLE resolved");
}

/**
 * Adds the links of the events after `doneSeq` and resolves again only the persons they touch:
 * leaves the temporary table `remapped(id, old_person, person)` of the ids whose person changed
 * (an id with no row in `identity_persons` is its own person) and returns how many there are.
 */
export async function updateIdentities(tx: Transaction, workspace: string, doneSeq: number): Promise<number> {
  const ws = d.literal(workspace);
  await tx.run(`CREATE OR REPLACE TEMP TABLE remapped (id VARCHAR, old_person VARCHAR, person VARCHAR)`);
  // The links that are new, or seen earlier than stored (which may change who names the person).
  await tx.run(`CREATE OR REPLACE TEMP TABLE new_links AS
    SELECT n.* FROM (${linksSelect(ws, ` AND seq > ${doneSeq}`)}) n
    LEFT JOIN identity_links l ON l.workspace = ${ws} AND l.anonymous_id = n.anonymous_id AND l.user_id = n.user_id
    WHERE l.first_ts IS NULL OR n.first_ts < l.first_ts`);
  const touched = await tx.number("SELECT count(*) FROM new_links");
  if (touched === 0) {
    await tx.run("DROP TABLE new_links");
    return 0;
  }
  await tx.run(`DELETE FROM identity_links USING new_links n WHERE identity_links.workspace = ${ws}
    AND identity_links.anonymous_id = n.anonymous_id AND identity_links.user_id = n.user_id`);
  await tx.run(`INSERT INTO identity_links SELECT ${ws}, * FROM new_links`);
  // The persons touched, whole: the ids of the new links and every id of their persons so far.
  await tx.run(`CREATE OR REPLACE TEMP TABLE touched_ids AS
    WITH ends AS (SELECT anonymous_id AS id FROM new_links UNION SELECT user_id FROM new_links),
    persons AS (SELECT ${personSql("e.id", "p")} AS person FROM ends e
      LEFT JOIN identity_persons p ON p.workspace = ${ws} AND p.id = e.id)
    SELECT id FROM ends UNION
    SELECT p.id FROM identity_persons p JOIN persons t ON t.person = p.person_id WHERE p.workspace = ${ws}`);
  const links = await readLinks(
    tx,
    `SELECT l.* FROM identity_links l SEMI JOIN touched_ids t ON t.id = l.anonymous_id WHERE l.workspace = ${ws}
     UNION SELECT l.* FROM identity_links l SEMI JOIN touched_ids t ON t.id = l.user_id WHERE l.workspace = ${ws}`,
  );
  await writePersons(tx, resolvePersons(links));
  await tx.run(`INSERT INTO remapped
    SELECT r.id, ${personSql("r.id", "p")}, r.person_id FROM resolved r
    LEFT JOIN identity_persons p ON p.workspace = ${ws} AND p.id = r.id
    WHERE ${personSql("r.id", "p")} <> r.person_id`);
  await tx.run(`DELETE FROM identity_persons USING resolved r
    WHERE identity_persons.workspace = ${ws} AND identity_persons.id = r.id`);
  await tx.run(`INSERT INTO identity_persons SELECT ${ws}, id, person_id FROM resolved`);
  for (const table of ["new_links", "touched_ids", "resolved"]) await tx.run(`DROP TABLE ${table}`);
  return tx.number("SELECT count(*) FROM remapped");
}

/**
 * Every id of the person holding `id` (a device, user or alias id), sorted, `id` itself included
 * even when no link names it: what erasing or exporting one person covers.
 */
export async function personIds(tx: Transaction, workspace: string, id: string): Promise<string[]> {
  const ws = d.literal(workspace);
  const rows = await tx.all(`SELECT id FROM identity_persons WHERE workspace = ${ws} AND person_id = (
      SELECT person_id FROM identity_persons WHERE workspace = ${ws} AND id = ${d.literal(id)})
    UNION SELECT ${d.literal(id)} ORDER BY id`);
  return rows.map((row) => String(row.id));
}

async function readLinks(tx: Transaction, sql: string): Promise<IdentityLink[]> {
  const rows = await tx.all(
    `SELECT anonymous_id, user_id, CAST(epoch_us(first_ts) AS VARCHAR) AS first_us FROM (${sql})`,
  );
  return rows.map((row) => ({
    anonymousId: String(row.anonymous_id),
    userId: String(row.user_id),
    firstUs: BigInt(String(row.first_us)),
  }));
}

/** The resolved persons into the temporary table `resolved(id, person_id)`, in chunks of rows. */
async function writePersons(tx: Transaction, persons: Map<string, string>): Promise<void> {
  await tx.run("CREATE OR REPLACE TEMP TABLE resolved (id VARCHAR, person_id VARCHAR)");
  const rows = [...persons].map(([id, person]) => `(${d.literal(id)}, ${d.literal(person)})`);
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.run(`INSERT INTO resolved VALUES ${rows.slice(i, i + 1000).join(", ")}`);
  }
}
