import { storedGoals } from "../alerts/goal-source.js";
import { runTimeAsOf } from "../alerts/periods.js";
import { runAlerts } from "../alerts/run-alerts.js";
import { applyConfig } from "../definitions/apply-config.js";
import { jsonConfigSource } from "../definitions/config-source.js";
import { DEFAULT_RETRY } from "../delivery/retry.js";
import { DEFAULT_WINDOW_DAYS, evaluateGoals, type GoalFiguresReport } from "../goals/evaluate.js";
import { type GoalStatus, goalFigures } from "../goals/figures.js";
import { runKpiQuery } from "../kpi/run-query.js";
import { addDays } from "../model/calendar.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";
import { CONTROL, type DemoExperiment } from "./experiments.js";

/** A demo goal and the status its target is chosen to give on the demo's last day. */
interface DemoGoal {
  readonly id: string;
  readonly objective: string;
  readonly kpi: string;
  readonly status: Extract<GoalStatus, "achieved" | "on_track" | "at_risk" | "off_track">;
  readonly window_days?: number;
  /** Level goals: a baseline below the current value, so that the trend points up. */
  readonly rising?: boolean;
}

const OBJECTIVES = [
  { id: "be-known", type: "awareness", title: "Be known beyond our city" },
  { id: "grow-sales", type: "conversion", title: "Grow online sales" },
  { id: "keep-customers", type: "loyalty", title: "Keep the customers we win" },
] as const;

/** One goal in each status, across the three objective types. */
export const DEMO_GOALS: readonly DemoGoal[] = [
  { id: "sessions-this-quarter", objective: "be-known", kpi: "sessions", status: "achieved" },
  { id: "social-reach", objective: "be-known", kpi: "social_reach", status: "at_risk" },
  { id: "online-revenue", objective: "grow-sales", kpi: "revenue", status: "on_track" },
  {
    id: "conversion-rate",
    objective: "grow-sales",
    kpi: "conversion_rate",
    status: "off_track",
    window_days: 28,
  },
  {
    id: "retention",
    objective: "keep-customers",
    kpi: "retention_rate",
    status: "on_track",
    window_days: 28,
    rising: true,
  },
];

/** Days of alert runs replayed at load, so that the alert history has firings. */
const REPLAYED_DAYS = 7;

/** Three significant digits: a target a person would write, still within the status's band. */
function round3(x: number): number {
  if (x === 0) return 0;
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 2);
  return Math.round(x / scale) * scale;
}

/**
 * The target giving `status` (docs/goals.md#goals-and-their-figures rules, docs/goals.md) from a goal's current value and
 * forecast, which do not depend on the target: achieved below what is done, on track below the
 * forecast, at risk 5 % above it (inside the 10 % band), off track well above it.
 */
function targetFor(goal: DemoGoal, current: number, forecast: number, down: boolean): number {
  const factor = { achieved: 0.7, on_track: 0.97, at_risk: 1 / 0.95, off_track: 1.6 }[goal.status];
  const base = goal.status === "achieved" ? current : forecast;
  return round3(down ? base / factor : base * factor);
}

interface Tuned {
  readonly target: number;
  readonly baseline?: number;
}

/** A goal's target (and baseline) for its status, from its measured current value on `asOf`. */
function tune(goal: DemoGoal, report: GoalFiguresReport, asOf: string): Tuned {
  const current = report.current ?? 0;
  const baseline = goal.rising ? round3(current * 0.85) : undefined;
  const shape = {
    kind: report.kind,
    direction: report.direction,
    target: 1,
    start: report.start,
    deadline: report.deadline,
    windowDays: goal.window_days ?? DEFAULT_WINDOW_DAYS,
  };
  // The forecast does not depend on the target: measure it once with any target.
  const { forecast } = goalFigures(shape, asOf, { current, baseline: baseline ?? report.baseline });
  if (forecast === null) return { target: 1 };
  const target = targetFor(goal, current, forecast, report.direction === "down");
  return baseline === undefined ? { target } : { target, baseline };
}

/**
 * The demo workspace's definitions, so that every page has something to show: objectives with a
 * goal in each status, two funnels, a finished and a running experiment, alert rules with a
 * history of firings and a weekly report. Everything goes through applyConfig, as a configuration
 * file would (docs/configuration.md); goal targets are set from the demo data, so the statuses hold
 * for any seed on the demo's last day.
 */
export async function defineDemo(
  store: Store,
  workspace: Workspace,
  endDate: string,
  days: number,
  experiments: readonly DemoExperiment[],
): Promise<void> {
  const first = addDays(endDate, -(days - 1));
  const start = addDays(first, Math.floor(days * 0.62));
  const deadline = addDays(endDate, Math.floor(days / 3));
  const goals = (tuned: ReadonlyMap<string, Tuned>) =>
    DEMO_GOALS.map((g) => {
      const t = tuned.get(g.id);
      return {
        id: g.id,
        objective: g.objective,
        kpi: g.kpi,
        target: t?.target ?? 1,
        start,
        deadline,
        ...(g.window_days === undefined ? {} : { window_days: g.window_days }),
        ...(t?.baseline === undefined ? {} : { baseline: t.baseline }),
      };
    });
  const daily = await runKpiQuery(store, workspace, {
    kpis: ["visitors"],
    from: addDays(endDate, -27),
    to: endDate,
  });
  const visitors = daily.totals.visitors ?? 0;
  const config = (tuned: ReadonlyMap<string, Tuned>) => ({
    objectives: OBJECTIVES.map((o) => ({
      ...o,
      goals: goals(tuned)
        .filter((g) => g.objective === o.id)
        .map(({ objective: _o, ...g }) => g),
    })),
    alerts: [
      {
        id: "daily-visitors-low",
        kind: "threshold",
        kpi: "visitors",
        period: "day",
        op: "<",
        value: Math.round((visitors / 28) * 0.95),
        schedule: "0 8 * * *",
        channels: ["dashboard"],
      },
      { id: "goal-status-change", kind: "goal_status", schedule: "0 9 * * *", channels: ["dashboard"] },
      { id: "tracking-down", kind: "no_data", hours: 12, schedule: "0 * * * *", channels: ["dashboard"] },
    ],
    funnels: [
      { id: "purchase", steps: ["pageview /products/*", "Added to Cart", "Order Completed"], window: "1d" },
      { id: "sign-up", steps: ["pageview /", "pageview /pricing", "Signed Up"], window: "7d" },
    ],
    experiments: experiments.map((e) => ({
      id: e.id,
      conversion: e.conversion,
      control: CONTROL,
      split: [50, 50],
      from: e.from,
      ...(e.to === undefined ? {} : { to: e.to }),
    })),
    reports: [
      {
        id: "weekly-report",
        kind: "periodic",
        period: "week",
        schedule: "0 7 * * 1",
        formats: ["pdf"],
        to: ["team@shop.example.com"],
      },
    ],
  });
  await applyConfig(store, workspace, jsonConfigSource(config(new Map())));
  const measured = await evaluateGoals(store, workspace, { asOf: endDate });
  const tuned = new Map<string, Tuned>();
  for (const report of measured.goals) {
    const goal = DEMO_GOALS.find((g) => g.id === report.id);
    if (goal && report.current !== null) tuned.set(goal.id, tune(goal, report, endDate));
  }
  await applyConfig(store, workspace, jsonConfigSource(config(tuned)));
  await replayAlerts(store, workspace, endDate);
}

/** Runs the alert rules as of each of the last days (dashboard channel only: nothing is sent). */
async function replayAlerts(store: Store, workspace: Workspace, endDate: string): Promise<void> {
  const deps = { goals: storedGoals, delivery: { retry: DEFAULT_RETRY } };
  for (let back = REPLAYED_DAYS; back >= 1; back--) {
    const runTime = runTimeAsOf(addDays(endDate, -back), workspace.settings.timezone);
    await runAlerts(
      store,
      workspace,
      { runTime, ruleIds: ["daily-visitors-low", "goal-status-change"] },
      deps,
    );
  }
}
