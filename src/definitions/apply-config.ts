import { UserError } from "../errors.js";
import type { Lang } from "../model/lang.js";
import type { Workspace } from "../model/workspace.js";
import type { CustomKpiChange, DocumentChange, Store } from "../store/store.js";
import { type ConfigIssue, checkConfig } from "./check-config.js";
import { type ConfigSource, showPath } from "./config-source.js";
import { canonical, KINDS, loadDefinitions } from "./stored-definitions.js";

export interface ApplyOptions {
  /** Delete the definitions the file does not mention (default: keep them). */
  readonly prune?: boolean;
  /** Language of the warnings (default: the workspace locale). */
  readonly lang?: Lang;
  /** Accept webhook URLs on loopback, private and link-local hosts (SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1). */
  readonly allowPrivateTargets?: boolean;
}

export interface DefinitionChange {
  readonly kind: string;
  readonly id: string;
  readonly action: "created" | "updated" | "deleted";
}

/** What an apply did: every change, how many definitions were already as the file says, warnings. */
export interface ApplyResult {
  readonly workspace: string;
  readonly changes: DefinitionChange[];
  readonly unchanged: number;
  readonly warnings: string[];
}

/** The workspace the file names, if it names one as text (checked against the target by the caller). */
export function fileWorkspace(source: ConfigSource): string | undefined {
  const value = source.value;
  if (value && typeof value === "object" && "workspace" in value && typeof value.workspace === "string") {
    return value.workspace;
  }
  return undefined;
}

/**
 * Applies a configuration (docs/configuration.md#apply-semantics): checks all of it first, then writes every definition and
 * custom KPI that differs from what is stored, in one transaction. A file with one error changes
 * nothing; applying the same file twice changes nothing the second time. Definitions the file does
 * not mention are kept, unless `prune`.
 */
export async function applyConfig(
  store: Store,
  workspace: Workspace,
  source: ConfigSource,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const prune = options.prune ?? false;
  const named = fileWorkspace(source);
  if (named !== undefined && named !== workspace.name) {
    throw configError(source, [
      { path: ["workspace"], reason: `the file is for workspace "${named}", not "${workspace.name}"` },
    ]);
  }
  const stored = await loadDefinitions(store, workspace.name);
  const checked = checkConfig(
    source,
    {
      customKpis: stored.kpis.map((k) => k.id),
      channels: (stored.documents.get("channel") ?? []).map((d) => d.id),
      goals: (stored.documents.get("goal") ?? []).map((d) => d.id),
    },
    {
      prune,
      lang: options.lang ?? workspace.settings.locale,
      allowPrivateTargets: options.allowPrivateTargets === true,
    },
  );
  if ("issues" in checked) throw configError(source, checked.issues);
  const { state } = checked;

  const changes: DefinitionChange[] = [];
  const documentWrites: DocumentChange[] = [];
  let unchanged = 0;
  const wanted = new Set(state.documents.map((d) => `${d.kind}\u0000${d.id}`));
  for (const doc of state.documents) {
    const before = (stored.documents.get(doc.kind as (typeof KINDS)[number]) ?? []).find(
      (d) => d.id === doc.id,
    );
    if (before && canonical(before.body) === canonical(doc.body)) {
      unchanged++;
      continue;
    }
    documentWrites.push(doc);
    changes.push({ kind: doc.kind, id: doc.id, action: before ? "updated" : "created" });
  }
  if (prune) {
    for (const kind of KINDS) {
      for (const doc of stored.documents.get(kind) ?? []) {
        if (wanted.has(`${kind}\u0000${doc.id}`)) continue;
        documentWrites.push({ kind, id: doc.id, body: null });
        changes.push({ kind, id: doc.id, action: "deleted" });
      }
    }
  }
  const kpiWrites: CustomKpiChange[] = [];
  for (const [id, formula] of state.kpis) {
    const before = stored.kpis.find((k) => k.id === id);
    if (before?.formula === formula) {
      unchanged++;
      continue;
    }
    kpiWrites.push({ id, formula });
    changes.push({ kind: "kpi", id, action: before ? "updated" : "created" });
  }
  if (prune) {
    for (const kpi of stored.kpis) {
      if (state.kpis.has(kpi.id)) continue;
      kpiWrites.push({ id: kpi.id, formula: null });
      changes.push({ kind: "kpi", id: kpi.id, action: "deleted" });
    }
  }
  // Deleting a custom KPI a stored goal still uses would leave that goal unreadable.
  if (prune) {
    for (const doc of state.documents) {
      const body = doc.body as { kpi?: string };
      if (body.kpi && kpiWrites.some((k) => k.id === body.kpi && k.formula === null)) {
        throw configError(source, [
          { path: [], reason: `--prune would delete the KPI ${body.kpi} that ${doc.id} uses` },
        ]);
      }
    }
  }
  await store.writeDefinitions(workspace.name, documentWrites, kpiWrites);
  // The one setting the file carries (a privacy policy belongs with the definitions), written once
  // the definitions are.
  const retention = state.retentionDays;
  if (retention !== undefined && retention !== workspace.settings.retention_days) {
    await store.updateSettings(workspace.name, { ...workspace.settings, retention_days: retention });
    changes.push({ kind: "setting", id: "retention_days", action: "updated" });
  } else if (retention !== undefined) unchanged++;
  return { workspace: workspace.name, changes, unchanged, warnings: [...state.warnings] };
}

/** One error naming every problem with its line and path; nothing was applied. */
export function configError(source: ConfigSource, issues: readonly ConfigIssue[]): UserError {
  const details = issues.map((issue) => {
    const line = source.lineOf(issue.path);
    return {
      field: showPath(issue.path) || "(file)",
      ...(line === undefined ? {} : { line }),
      reason: issue.reason,
    };
  });
  const lines = details.map(
    (d) => `  ${d.line === undefined ? "" : `line ${d.line}, `}${d.field}: ${d.reason}`,
  );
  const count = issues.length === 1 ? "an error" : `${issues.length} errors`;
  return new UserError(`${source.name} has ${count}; nothing was applied:\n${lines.join("\n")}`, details);
}
