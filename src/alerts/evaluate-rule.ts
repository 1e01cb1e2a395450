import type { AlertRule } from "../definitions/schemas.js";
import { runKpiQuery } from "../kpi/run-query.js";
import { addDays, todayIn } from "../model/calendar.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";
import { ANOMALY_THRESHOLD, ANOMALY_WEEKS, detectAnomaly } from "./anomaly.js";
import { meets, percentChange } from "./conditions.js";
import { type DateRange, lastCompletePeriod, previousPeriod } from "./periods.js";

/** A goal's status as of a day (docs/goals.md#goals-and-their-figures), as the goals layer computes it. */
export interface GoalStatus {
  readonly id: string;
  readonly status: string;
}

/** Gives the goals' statuses of a workspace as of a day (injected: the goals layer owns them). */
export type GoalStatusSource = (
  store: Store,
  workspace: Workspace,
  asOf: string,
) => Promise<readonly GoalStatus[]>;

/** Statuses a goal_status rule fires on at every run (besides any change of status). */
export const BAD_GOAL_STATUSES: readonly string[] = ["at_risk", "off_track", "missed"];

/** One reason a rule fires at a run. */
export interface Finding {
  /** What the cooldown is counted for: the rule, or (goal_status) the rule, goal and status. */
  readonly key: string;
  readonly period: DateRange;
  readonly value: number | string | null;
  readonly threshold: number | string | null;
  readonly goal?: string;
  /** One sentence for the notification. */
  readonly summary: string;
}

export interface EvaluationContext {
  readonly store: Store;
  readonly workspace: Workspace;
  readonly runTime: Date;
  readonly goals: GoalStatusSource;
  /** goal_status: each goal's status at the previous evaluation of this rule. */
  readonly previousGoalStatuses: Readonly<Record<string, string>>;
}

export interface Evaluation {
  readonly findings: Finding[];
  /** goal_status: the statuses seen now, to compare with at the next run. */
  readonly goalStatuses?: Record<string, string>;
}

const fmt = (n: number) => String(Number(n.toPrecision(6)));

async function kpiOver(ctx: EvaluationContext, rule: AlertRule, range: DateRange): Promise<number | null> {
  const kpi = rule.kpi as string;
  const result = await runKpiQuery(ctx.store, ctx.workspace, {
    kpis: [kpi],
    from: range.from,
    to: range.to,
    where: Object.entries(rule.where ?? {}).map(([k, v]) => `${k}=${v}`),
  });
  return result.totals[kpi] ?? null;
}

/** Evaluates one rule at a run: the findings that make it fire (none when its condition does not hold). */
export async function evaluateRule(rule: AlertRule, ctx: EvaluationContext): Promise<Evaluation> {
  const tz = ctx.workspace.settings.timezone;
  const lastDay = addDays(todayIn(tz, ctx.runTime), -1);
  switch (rule.kind) {
    case "threshold": {
      const period = rule.period ?? "day";
      const range = lastCompletePeriod(ctx.runTime, tz, period);
      const current = await kpiOver(ctx, rule, range);
      const value = rule.change
        ? percentChange(current, await kpiOver(ctx, rule, previousPeriod(range, period)))
        : current;
      const op = rule.op ?? ">";
      const threshold = rule.value ?? 0;
      if (!meets(value, op, threshold)) return { findings: [] };
      const what = rule.change ? `the change of ${rule.kpi} against the ${period} before` : rule.kpi;
      return {
        findings: [
          {
            key: rule.id,
            period: range,
            value,
            threshold,
            summary: `${what} over ${range.from} – ${range.to} is ${fmt(value as number)}${rule.change ? " %" : ""}, ${op} ${fmt(threshold)}${rule.change ? " %" : ""}.`,
          },
        ],
      };
    }
    case "anomaly": {
      const history = [];
      const span = await ctx.store.dataSpan(ctx.workspace);
      const range = { from: addDays(lastDay, -7 * ANOMALY_WEEKS), to: lastDay };
      const daily = await runKpiQuery(ctx.store, ctx.workspace, {
        kpis: [rule.kpi as string],
        from: range.from,
        to: range.to,
        interval: "day",
        where: Object.entries(rule.where ?? {}).map(([k, v]) => `${k}=${v}`),
      });
      const byDay = new Map(
        daily.rows.map((row) => [String(row.period), row[rule.kpi as string] as number | null]),
      );
      for (let week = 1; week <= ANOMALY_WEEKS; week++) {
        const day = addDays(lastDay, -7 * week);
        // Days before the workspace's first data are not zeros of the KPI: they are unknown.
        if (span === null || day < span.from) continue;
        history.push(byDay.get(day) ?? null);
      }
      const x = byDay.get(lastDay) ?? null;
      const threshold = rule.value ?? ANOMALY_THRESHOLD;
      const result = detectAnomaly(x, history, threshold, rule.op);
      if (!result.fires || x === null) return { findings: [] };
      const side = (result.score ?? 0) > 0 ? "above" : "below";
      return {
        findings: [
          {
            key: rule.id,
            period: { from: lastDay, to: lastDay },
            value: x,
            threshold: result.bound,
            summary: `${rule.kpi} on ${lastDay} is ${fmt(x)}, far ${side} the same weekday of the last ${ANOMALY_WEEKS} weeks (median ${fmt(result.median ?? 0)}, usual range up to ${fmt(result.bound ?? 0)}).`,
          },
        ],
      };
    }
    case "no_data": {
      const hours = rule.hours as number;
      const last = await ctx.store.lastEventTime(ctx.workspace.name, ctx.runTime);
      const silentHours = last === null ? null : (ctx.runTime.getTime() - last) / 3_600_000;
      if (silentHours !== null && silentHours < hours) return { findings: [] };
      const from = todayIn(tz, new Date(ctx.runTime.getTime() - hours * 3_600_000));
      return {
        findings: [
          {
            key: rule.id,
            // The silent window is [run − hours, run): its last day is the one before the run's instant.
            period: { from, to: todayIn(tz, new Date(ctx.runTime.getTime() - 1)) },
            value: silentHours === null ? null : Number(silentHours.toFixed(2)),
            threshold: hours,
            summary:
              last === null
                ? `no event has ever been received (tracking may be broken).`
                : `no event received for ${fmt(silentHours as number)} hours (since ${new Date(last).toISOString()}); tracking may be broken.`,
          },
        ],
      };
    }
    case "goal_status": {
      const statuses = await ctx.goals(ctx.store, ctx.workspace, lastDay);
      const watched = statuses.filter((g) => rule.goal === undefined || g.id === rule.goal);
      const findings: Finding[] = [];
      const now: Record<string, string> = {};
      for (const goal of watched) {
        now[goal.id] = goal.status;
        const before = ctx.previousGoalStatuses[goal.id];
        const changed = before !== undefined && before !== goal.status;
        if (!changed && !BAD_GOAL_STATUSES.includes(goal.status)) continue;
        findings.push({
          key: `${rule.id}/${goal.id}/${goal.status}`,
          period: { from: lastDay, to: lastDay },
          value: goal.status,
          threshold: changed ? before : null,
          goal: goal.id,
          summary: changed
            ? `goal ${goal.id} changed from ${before} to ${goal.status} as of ${lastDay}.`
            : `goal ${goal.id} is ${goal.status} as of ${lastDay}.`,
        });
      }
      return { findings, goalStatuses: now };
    }
    default: {
      const unknown: never = rule.kind;
      throw new Error(`unknown rule kind ${String(unknown)}`);
    }
  }
}
