import { type AlertRule, alertRuleSchema, durationMs } from "../definitions/schemas.js";
import { UserError } from "../errors.js";
import { KPI_BY_ID } from "../kpi/catalog.js";
import { closestName } from "../kpi/suggest.js";
import { checkCron } from "../scheduler/scheduler.js";
import type { Store } from "../store/store.js";

/** Rules without `cooldown` notify at most once a day. */
export const DEFAULT_COOLDOWN = "1d";
/** Rules without `schedule` run every day at 08:00 in the workspace time zone. */
export const DEFAULT_SCHEDULE = "0 8 * * *";

export function cooldownMs(rule: AlertRule): number {
  return durationMs(rule.cooldown ?? DEFAULT_COOLDOWN);
}

/**
 * Checks what the schema cannot: the fields each kind needs, that the KPI exists (built-in or a
 * custom KPI of the workspace), that the schedule is a cron expression. `where` names the rule in
 * errors (e.g. `alerts[2]` or `alert rule "cpa-high"`).
 */
export function checkRule(rule: AlertRule, customKpis: readonly string[], where: string): void {
  const fail = (field: string, reason: string, sentence: string): never => {
    throw new UserError(`${where}: ${sentence}`, [{ field: `${where}.${field}`, reason }]);
  };
  const need = (field: keyof AlertRule, what: string) => {
    if (rule[field] === undefined)
      fail(field, "missing", `a ${rule.kind} rule needs \`${field}\` (${what}).`);
  };
  if (rule.kind === "threshold" || rule.kind === "anomaly") {
    need("kpi", "the KPI it watches");
    const kpi = rule.kpi as string;
    if (!KPI_BY_ID.has(kpi) && !customKpis.includes(kpi)) {
      const hint = closestName(kpi, [...KPI_BY_ID.keys(), ...customKpis]);
      fail("kpi", "unknown KPI", `unknown KPI "${kpi}".${hint ? ` Did you mean "${hint}"?` : ""}`);
    }
  }
  switch (rule.kind) {
    case "threshold":
      need("period", "day, week or month");
      need("op", '">", ">=", "<" or "<="');
      need("value", "the threshold");
      break;
    case "anomaly":
      if (rule.period !== undefined && rule.period !== "day") {
        fail(
          "period",
          "day only",
          "an anomaly rule compares the last complete day: leave out `period` or set it to day.",
        );
      }
      if (rule.value !== undefined && rule.value <= 0) {
        fail(
          "value",
          "not positive",
          "an anomaly rule's `value` is the score above which it fires: a number above 0 (default 3.5).",
        );
      }
      break;
    case "no_data":
      need("hours", "how many hours without an event before it fires");
      break;
    case "goal_status":
      break;
    default: {
      const unknown: never = rule.kind;
      throw new Error(`unknown rule kind ${String(unknown)}`);
    }
  }
  if (rule.schedule !== undefined) checkCron(rule.schedule, `${where}.schedule`);
}

/** The workspace's alert rules, each validated; a stored rule that is not valid stops the run, named. */
export async function loadRules(store: Store, workspace: string): Promise<AlertRule[]> {
  const custom = (await store.listCustomKpis(workspace)).map((k) => k.id);
  const docs = await store.listDocuments(workspace, "alert_rule");
  return docs.map((doc) => {
    const where = `alert rule "${doc.id}"`;
    const parsed = alertRuleSchema.safeParse(doc.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || "rule";
      throw new UserError(`${where}: ${field} ${issue?.message ?? "is not valid"}.`, [
        { field: `${where}.${field}`, reason: issue?.message ?? "invalid" },
      ]);
    }
    checkRule(parsed.data, custom, where);
    return parsed.data;
  });
}
