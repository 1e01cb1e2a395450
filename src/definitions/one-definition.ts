import { isUserError, UserError } from "../errors.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";
import { type ApplyResult, applyConfig } from "./apply-config.js";
import { jsonConfigSource } from "./config-source.js";
import { exportConfig } from "./export-config.js";
import { DEFINITION_KINDS } from "./schemas.js";

/**
 * One definition at a time (PUT and DELETE /api/v1/goals/{id}…, docs/configuration.md): the
 * workspace's configuration is exported, the one definition replaced or removed in it, and the
 * result applied as a configuration file is, so the checks and their sentences are the same and a
 * refused definition changes nothing.
 */
export const EDITABLE_KINDS = ["objective", "goal", "funnel", "experiment", "alert_rule"] as const;
export type EditableKind = (typeof EDITABLE_KINDS)[number];

/** The section of the configuration file each kind is listed in (goals: inside their objective). */
const SECTION = { funnel: "funnels", experiment: "experiments", alert_rule: "alerts" } as const;

const NOUN: Record<EditableKind, string> = {
  objective: "objective",
  goal: "goal",
  funnel: "funnel",
  experiment: "experiment",
  alert_rule: "alert rule",
};

type Entry = Record<string, unknown> & { id?: unknown };
type ObjectiveEntry = Entry & { goals?: Entry[] };

export interface PutResult extends ApplyResult {
  /** The definition as stored. */
  readonly definition: unknown;
}

/** The stored definition of `kind` with this id, or a 404 sentence. */
export async function getDefinition(store: Store, workspace: string, kind: EditableKind, id: string) {
  const doc = (await store.listDocuments(workspace, kind)).find((d) => d.id === id);
  if (!doc) throw notFound(kind, id, workspace);
  return doc.body;
}

/** Creates or replaces one definition; the body's `id`, when given, must be the URL's. */
export async function putDefinition(
  store: Store,
  workspace: Workspace,
  kind: EditableKind,
  id: string,
  body: unknown,
): Promise<PutResult> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new UserError(`Send the ${NOUN[kind]} as a JSON object.`, [
      { field: "body", reason: "not an object" },
    ]);
  }
  const given = body as Entry;
  if (given.id !== undefined && given.id !== id) {
    throw new UserError(
      `The body's id "${String(given.id)}" is not the URL's "${id}"; to rename, PUT the new id and DELETE the old one.`,
      [{ field: "id", reason: "differs from the URL" }],
    );
  }
  const entry: Entry = { ...given, id };
  const config = await exportConfig(store, workspace.name);
  const objectives = (config.objectives ?? []) as ObjectiveEntry[];
  let prefix: string;
  if (kind === "objective") {
    const before = objectives.findIndex((o) => o.id === id);
    const goals = before >= 0 ? objectives[before]?.goals : undefined;
    const next = { ...entry, ...(goals ? { goals } : {}) };
    if ("goals" in given) {
      throw new UserError("Send an objective without its goals: PUT each goal to /api/v1/goals/{id}.", [
        { field: "goals", reason: "not taken here" },
      ]);
    }
    const at = before >= 0 ? before : objectives.length;
    objectives[at] = next;
    prefix = `objectives[${at}]`;
  } else if (kind === "goal") {
    const objective = typeof entry.objective === "string" ? entry.objective : undefined;
    for (const o of objectives) o.goals = (o.goals ?? []).filter((g) => g.id !== id);
    const owner = objectives.findIndex((o) => o.id === objective);
    if (objective !== undefined && owner < 0) {
      throw new UserError(
        `The goal's objective "${objective}" does not exist in ${workspace.name}: create it first (PUT /api/v1/objectives/${objective}).`,
        [{ field: "objective", reason: "unknown objective" }],
      );
    }
    if (owner < 0) {
      throw new UserError("Say which objective the goal serves: objective: ID.", [
        { field: "objective", reason: "required" },
      ]);
    }
    const { objective: _nested, ...goal } = entry;
    const list = objectives[owner]?.goals ?? [];
    list.push(goal);
    const target = objectives[owner];
    if (target) target.goals = list;
    prefix = `objectives[${owner}].goals[${list.length - 1}]`;
  } else {
    const key = SECTION[kind];
    const list = ((config[key] ?? []) as Entry[]).filter((e) => e.id !== id);
    list.push(entry);
    config[key] = list;
    prefix = `${key}[${list.length - 1}]`;
  }
  for (const o of objectives) if (o.goals?.length === 0) delete o.goals;
  if (objectives.length > 0) config.objectives = objectives;
  const result = await applyConfig(store, workspace, jsonConfigSource(config)).catch((error: unknown) => {
    throw relative(error, prefix, kind, id);
  });
  return { ...result, definition: await getDefinition(store, workspace.name, kind, id) };
}

/** Deletes one definition; refused (nothing changes) when others still refer to it. */
export async function deleteDefinition(
  store: Store,
  workspace: Workspace,
  kind: EditableKind,
  id: string,
): Promise<ApplyResult> {
  await getDefinition(store, workspace.name, kind, id);
  const config = await exportConfig(store, workspace.name);
  const objectives = (config.objectives ?? []) as ObjectiveEntry[];
  if (kind === "objective") {
    const goals = objectives.find((o) => o.id === id)?.goals ?? [];
    if (goals.length > 0) {
      throw new UserError(
        `The objective "${id}" still has goals (${goals.map((g) => String(g.id)).join(", ")}): delete them or move them to another objective first.`,
        [{ field: "objective", reason: "has goals" }],
        409,
      );
    }
    config.objectives = objectives.filter((o) => o.id !== id);
  } else if (kind === "goal") {
    for (const o of objectives) {
      o.goals = (o.goals ?? []).filter((g) => g.id !== id);
      if (o.goals.length === 0) delete o.goals;
    }
  } else {
    const key = SECTION[kind];
    config[key] = ((config[key] ?? []) as Entry[]).filter((e) => e.id !== id);
  }
  // The export holds everything else: pruning against it deletes this one definition only.
  return applyConfig(store, workspace, jsonConfigSource(config), { prune: true });
}

function notFound(kind: EditableKind, id: string, workspace: string): UserError {
  return new UserError(
    `No ${NOUN[kind]} "${id}" in ${workspace}.`,
    [{ field: "id", reason: "not found" }],
    404,
  );
}

/**
 * applyConfig names fields by their path in the whole file; the caller sent one definition, so the
 * issues about it are named from it (`target`, not `objectives[1].goals[0].target`).
 */
function relative(error: unknown, prefix: string, kind: EditableKind, id: string): unknown {
  if (!isUserError(error)) return error;
  const details = error.details.map((d) => {
    if (d.field === undefined) return d;
    const field =
      d.field === prefix
        ? "(body)"
        : d.field.startsWith(`${prefix}.`)
          ? d.field.slice(prefix.length + 1)
          : d.field;
    const { line: _line, ...rest } = d;
    return { ...rest, field };
  });
  const lines = details.map((d) => `  ${d.field ?? ""}: ${d.reason}`);
  const count = details.length === 1 ? "an error" : `${details.length} errors`;
  return new UserError(
    `The ${NOUN[kind]} "${id}" has ${count}; nothing was changed:\n${lines.join("\n")}`,
    details,
    error.status,
    error.exitCode,
  );
}

/** The zod schema of a kind, for the OpenAPI document. */
export function definitionSchema(kind: EditableKind) {
  return DEFINITION_KINDS[kind];
}
