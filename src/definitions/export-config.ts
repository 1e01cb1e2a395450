import { stringify } from "yaml";
import type { Store } from "../store/store.js";
import { type DefinitionKind, goalSchema } from "./schemas.js";
import { loadDefinitions } from "./stored-definitions.js";

/**
 * A workspace's definitions as the configuration file of docs/configuration.md#configuration-as-a-file: goals nested in their
 * objectives, sections in the order of the documentation, ids sorted. Applying it back changes
 * nothing.
 */
export async function exportConfig(store: Store, workspace: string): Promise<Record<string, unknown>> {
  const stored = await loadDefinitions(store, workspace);
  const settings = (await store.listWorkspaces()).find((w) => w.name === workspace)?.settings;
  const bodies = (kind: DefinitionKind) => (stored.documents.get(kind) ?? []).map((d) => d.body);
  const goals = bodies("goal").flatMap((body) => {
    const parsed = goalSchema.safeParse(body);
    return parsed.success ? [parsed.data] : [];
  });
  const objectives = bodies("objective").map((body) => {
    const objective = body as { id: string };
    const own = goals
      .filter((g) => g.objective === objective.id)
      .map(({ objective: _nested, ...goal }) => goal);
    return own.length > 0 ? { ...objective, goals: own } : objective;
  });
  const channels = Object.fromEntries((stored.documents.get("channel") ?? []).map((d) => [d.id, d.body]));
  const config: Record<string, unknown> = { workspace };
  if (settings && settings.retention_days !== null) config.retention_days = settings.retention_days;
  if (stored.kpis.length > 0) config.kpis = Object.fromEntries(stored.kpis.map((k) => [k.id, k.formula]));
  if (objectives.length > 0) config.objectives = objectives;
  if (Object.keys(channels).length > 0) config.channels = channels;
  const sections: [string, DefinitionKind][] = [
    ["alerts", "alert_rule"],
    ["funnels", "funnel"],
    ["experiments", "experiment"],
    ["reports", "report_schedule"],
  ];
  for (const [key, kind] of sections) {
    const list = bodies(kind);
    if (list.length > 0) config[key] = list;
  }
  return config;
}

/** The export as YAML text. */
export function configYaml(config: Record<string, unknown>): string {
  return `# Sextant configuration (sextant config export); apply with: sextant config apply FILE.yaml\n${stringify(config, { lineWidth: 0 })}`;
}
