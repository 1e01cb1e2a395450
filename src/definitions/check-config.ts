import { Cron } from "croner";
import type { z } from "zod";
import { forbiddenHost } from "../delivery/address-policy.js";
import { isUserError } from "../errors.js";
import { canBeCumulative } from "../goals/kinds.js";
import { whereList } from "../goals/kpi-batch.js";
import { servesType, suggestKpis } from "../goals/suggest-kpis.js";
import { KPI_BY_ID } from "../kpi/catalog.js";
import { type CustomKpi, parseCustomKpi } from "../kpi/custom-kpis.js";
import { closestName } from "../kpi/suggest.js";
import { parseFilters } from "../model/dimensions.js";
import { parseFunnelSteps } from "../model/funnel-step.js";
import type { Lang } from "../model/lang.js";
import type { DocumentChange } from "../store/store.js";
import { type ConfigFile, configFileSchema } from "./config-schema.js";
import { type ConfigPath, type ConfigSource, showPath } from "./config-source.js";
import { scheduleIssues } from "./schedule-issues.js";

/** A problem in the file, at a path (and so a line). */
export interface ConfigIssue {
  readonly path: ConfigPath;
  readonly reason: string;
}

/** What is already stored, that the file may refer to (kept unless `--prune`). */
export interface StoredContext {
  readonly customKpis: readonly string[];
  readonly channels: readonly string[];
  readonly goals: readonly string[];
}

/** The state a valid file asks for. */
export interface DesiredState {
  readonly workspace: string | undefined;
  /** The retention setting the file asks for; undefined when it does not say. */
  readonly retentionDays: number | null | undefined;
  readonly kpis: ReadonlyMap<string, string>;
  readonly documents: readonly DocumentChange[];
  /** Sentences worth reading that do not stop the apply (a KPI that does not serve its objective). */
  readonly warnings: readonly string[];
}

/** A zod issue as a path and a sentence; an unknown key is reported at the key itself. */
function zodIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      return { path: [...path, issue.keys[0] ?? ""], reason: `unknown key (${issue.keys.join(", ")})` };
    }
    return { path, reason: issue.message };
  });
}

/** Whether a cron expression parses (five or six fields, as croner reads them). */
export function cronError(expression: string): string | null {
  try {
    new Cron(expression, { paused: true });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Validates a configuration: its shape (the schemas of schemas.ts), then what needs the workspace
 * (KPIs that exist, dates in order, cumulative goals on countable KPIs, unique ids, references
 * between definitions, cron syntax, webhook hosts). Returns the desired state, or the list of issues.
 */
export function checkConfig(
  source: ConfigSource,
  stored: StoredContext,
  options: { prune: boolean; lang: Lang; allowPrivateTargets?: boolean },
): { state: DesiredState } | { issues: ConfigIssue[] } {
  const parsed = configFileSchema.safeParse(source.value ?? {});
  if (!parsed.success) return { issues: zodIssues(parsed.error) };
  const file: ConfigFile = parsed.data;
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];

  const custom: CustomKpi[] = [];
  for (const [id, formula] of Object.entries(file.kpis ?? {})) {
    try {
      custom.push(parseCustomKpi(id, formula));
    } catch (error) {
      if (!isUserError(error)) throw error;
      issues.push({ path: ["kpis", id], reason: error.message });
    }
  }
  const knownKpis = new Set([
    ...KPI_BY_ID.keys(),
    ...Object.keys(file.kpis ?? {}),
    ...(options.prune ? [] : stored.customKpis),
  ]);
  const checkKpi = (kpi: string, path: ConfigPath) => {
    if (knownKpis.has(kpi)) return true;
    const hint = closestName(kpi, knownKpis);
    issues.push({
      path,
      reason: `unknown KPI "${kpi}".${hint ? ` Did you mean "${hint}"?` : ""} KPIs are the built-in ones (sextant kpi list) and those under kpis:.`,
    });
    return false;
  };
  const unique = (kind: string) => {
    const seen = new Set<string>();
    return (id: string, path: ConfigPath) => {
      if (seen.has(id)) issues.push({ path, reason: `the ${kind} id "${id}" is used twice` });
      seen.add(id);
    };
  };
  const documents: DocumentChange[] = [];

  const objectiveId = unique("objective");
  const goalId = unique("goal");
  const goalIds = new Set<string>();
  (file.objectives ?? []).forEach((objective, i) => {
    objectiveId(objective.id, ["objectives", i, "id"]);
    const { goals, ...body } = objective;
    documents.push({ kind: "objective", id: objective.id, body });
    (goals ?? []).forEach((goal, j) => {
      const at = (key: string): ConfigPath => ["objectives", i, "goals", j, key];
      goalId(goal.id, at("id"));
      goalIds.add(goal.id);
      const kpiOk = checkKpi(goal.kpi, at("kpi"));
      if (goal.deadline < goal.start) {
        issues.push({
          path: at("deadline"),
          reason: `the deadline ${goal.deadline} is before the start ${goal.start}`,
        });
      }
      if (kpiOk && goal.kind === "cumulative" && !canBeCumulative(goal.kpi)) {
        issues.push({
          path: at("kind"),
          reason: `a cumulative goal adds the KPI up day after day, which only a count or a sum allows (revenue, orders, conversions…); ${goal.kpi} is a level: write kind: level or leave kind out`,
        });
      }
      const kind = goal.kind ?? (canBeCumulative(goal.kpi) ? "cumulative" : "level");
      for (const key of ["baseline", "window_days"] as const) {
        if (kind === "cumulative" && goal[key] !== undefined) {
          issues.push({
            path: at(key),
            reason: `${key} applies to level goals only; this goal is cumulative`,
          });
        }
      }
      if (goal.where) {
        try {
          parseFilters(whereList(goal.where));
        } catch (error) {
          if (!isUserError(error)) throw error;
          issues.push({ path: at("where"), reason: error.message });
        }
      }
      if (kpiOk && !servesType(goal.kpi, objective.type, custom)) {
        const seeds = suggestKpis(objective.type, options.lang)
          .slice(0, 6)
          .map((s) => s.id)
          .join(", ");
        warnings.push(
          options.lang === "fr"
            ? `${showPath(at("kpi"))} : ${goal.kpi} ne sert pas habituellement un objectif ${objective.type} ; indicateurs suggérés : ${seeds}.`
            : `${showPath(at("kpi"))}: ${goal.kpi} does not usually serve the objective type ${objective.type}; suggested KPIs: ${seeds}.`,
        );
      }
      documents.push({ kind: "goal", id: goal.id, body: { ...goal, objective: objective.id } });
    });
  });

  const webhook = file.channels?.webhook;
  const refused = webhook && !options.allowPrivateTargets ? forbiddenHost(new URL(webhook.url)) : null;
  if (refused) {
    // Delivery checks the address a name resolves to; here only what the URL itself says.
    issues.push({
      path: ["channels", "webhook", "url"],
      reason: `the host is ${refused}, where webhooks may not go: use a public address, or have the operator set SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1 (docs/alerts.md)`,
    });
  }
  for (const [id, body] of Object.entries(file.channels ?? {})) {
    if (body !== undefined) documents.push({ kind: "channel", id, body });
  }
  const channels = new Set([
    ...Object.keys(file.channels ?? {}),
    ...(options.prune ? [] : stored.channels),
    "dashboard",
  ]);
  const knownGoals = new Set([...goalIds, ...(options.prune ? [] : stored.goals)]);

  const alertId = unique("alert");
  (file.alerts ?? []).forEach((rule, i) => {
    const at = (key: string): ConfigPath => ["alerts", i, key];
    alertId(rule.id, at("id"));
    if (rule.kpi !== undefined) checkKpi(rule.kpi, at("kpi"));
    const needs: Record<string, readonly (keyof typeof rule)[]> = {
      threshold: ["kpi", "period", "op", "value"],
      anomaly: ["kpi"],
      goal_status: [],
      no_data: [],
    };
    for (const key of needs[rule.kind] ?? []) {
      if (rule[key] === undefined) {
        issues.push({ path: ["alerts", i], reason: `a ${rule.kind} rule needs ${key}` });
      }
    }
    if (rule.goal !== undefined && !knownGoals.has(rule.goal)) {
      issues.push({ path: at("goal"), reason: `there is no goal "${rule.goal}"` });
    }
    if (rule.schedule !== undefined) {
      const error = cronError(rule.schedule);
      if (error)
        issues.push({ path: at("schedule"), reason: `"${rule.schedule}" is not a cron schedule: ${error}` });
    }
    rule.channels.forEach((channel, k) => {
      if (!channels.has(channel)) {
        issues.push({
          path: ["alerts", i, "channels", k],
          reason: `the channel ${channel} is not set up: add it under channels:`,
        });
      }
    });
    documents.push({ kind: "alert_rule", id: rule.id, body: rule });
  });

  const funnelId = unique("funnel");
  (file.funnels ?? []).forEach((funnel, i) => {
    funnelId(funnel.id, ["funnels", i, "id"]);
    try {
      parseFunnelSteps(funnel.steps);
    } catch (error) {
      issues.push({
        path: ["funnels", i, "steps"],
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    documents.push({ kind: "funnel", id: funnel.id, body: funnel });
  });
  const experimentId = unique("experiment");
  (file.experiments ?? []).forEach((experiment, i) => {
    experimentId(experiment.id, ["experiments", i, "id"]);
    if (experiment.from && experiment.to && experiment.to < experiment.from) {
      issues.push({
        path: ["experiments", i, "to"],
        reason: `${experiment.to} is before from ${experiment.from}`,
      });
    }
    documents.push({ kind: "experiment", id: experiment.id, body: experiment });
  });
  const reportId = unique("report");
  (file.reports ?? []).forEach((report, i) => {
    reportId(report.id, ["reports", i, "id"]);
    for (const issue of scheduleIssues(report)) {
      issues.push({ path: ["reports", i, ...(issue.key === null ? [] : [issue.key])], reason: issue.reason });
    }
    documents.push({ kind: "report_schedule", id: report.id, body: report });
  });

  if (issues.length > 0) return { issues };
  return {
    state: {
      workspace: file.workspace,
      retentionDays: file.retention_days,
      kpis: new Map(custom.map((k) => [k.id, k.formula.source])),
      documents,
      warnings,
    },
  };
}
