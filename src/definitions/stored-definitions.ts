import type { Store, StoredDocument } from "../store/store.js";
import { DEFINITION_KINDS, type DefinitionKind } from "./schemas.js";

export const KINDS = Object.keys(DEFINITION_KINDS) as DefinitionKind[];

/** Every definition document of a workspace, and its custom KPIs. */
export interface StoredDefinitions {
  readonly documents: ReadonlyMap<DefinitionKind, readonly StoredDocument[]>;
  readonly kpis: readonly { id: string; formula: string }[];
}

export async function loadDefinitions(store: Store, workspace: string): Promise<StoredDefinitions> {
  const lists = await Promise.all(KINDS.map((kind) => store.listDocuments(workspace, kind)));
  return {
    documents: new Map(KINDS.map((kind, i) => [kind, lists[i] ?? []])),
    kpis: await store.listCustomKpis(workspace),
  };
}

/** JSON with keys sorted at every level: two bodies are the same definition when these are equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
