import { createHash } from "node:crypto";
import { z } from "zod";
import type { Workspace } from "../model/workspace.js";
import type { ErasureRecord, PersonData, Store } from "../store/store.js";
import { parseOrThrow } from "../validation.js";

/** A person's id as given on the command line or in a URL: a user id or an anonymous id. */
export const personIdSchema = z.string().min(1, "must not be empty").max(1000);

/** Everything stored about one person (GDPR article 15), as `people show` prints it. */
export interface PersonExport extends PersonData {
  readonly workspace: string;
  readonly id: string;
  /** The ids the person's rows are stored under (Store.personIdentities). */
  readonly ids: readonly string[];
}

/** What `people erase` answers: the erasure record (a hash of the id, never the id). */
export type ErasureResult = ErasureRecord & { readonly workspace: string };

/** The hash an erasure is recorded under: sha256 of the workspace and the id, never the id. */
export function personHash(workspace: string, id: string): string {
  return createHash("sha256").update(`${workspace}\u0000${id}`).digest("hex");
}

export async function showPerson(store: Store, workspace: Workspace, id: string): Promise<PersonExport> {
  const valid = parseOrThrow(personIdSchema, id, "id");
  const ids = await store.personIdentities(workspace, valid);
  return { workspace: workspace.name, id: valid, ids, ...(await store.personData(workspace.name, ids)) };
}

/**
 * Erases one person (GDPR article 17): their events, orders and identity links and every row
 * derived from them, on the store's write path, so ingestion may go on meanwhile.
 */
export async function erasePerson(store: Store, workspace: Workspace, id: string): Promise<ErasureResult> {
  const valid = parseOrThrow(personIdSchema, id, "id");
  const ids = await store.personIdentities(workspace, valid);
  const record = await store.erasePerson(workspace, ids, personHash(workspace.name, valid));
  return { workspace: workspace.name, ...record };
}
