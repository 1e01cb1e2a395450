import type { Goal } from "../definitions/schemas.js";
import { loadCustomKpis } from "../kpi/custom-kpis.js";
import { bucketsOf, parseDate, todayIn } from "../model/calendar.js";
import type { Lang } from "../model/lang.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";
import { loadGoalDefinitions } from "./definitions.js";
import { type GoalShape, type GoalStatus, goalDays, goalFigures } from "./figures.js";
import { type Direction, defaultKind, directionOf, type GoalKind } from "./kinds.js";
import { answerAll, type KpiAsk, whereList } from "./kpi-batch.js";
import { historyInterval, historyRange, type SmartCheck, smartCheck } from "./smart.js";
import type { ObjectiveType } from "./suggest-kpis.js";

/** The default window of a level goal (docs/goals.md#goals-and-their-figures). */
export const DEFAULT_WINDOW_DAYS = 28;

/** One goal's definition and figures (docs/goals.md#goals-and-their-figures), without the SMART check. */
export interface GoalFiguresReport {
  readonly id: string;
  readonly objective: string;
  readonly kpi: string;
  readonly kind: GoalKind;
  readonly direction: Direction;
  readonly target: number;
  readonly start: string;
  readonly deadline: string;
  readonly where?: Readonly<Record<string, string>>;
  readonly current: number | null;
  readonly baseline: number | null;
  readonly expected: number | null;
  readonly progress: number | null;
  readonly forecast: number | null;
  readonly required_per_day: number | null;
  readonly status: GoalStatus;
}

/** One goal in the JSON of docs/goals.md#goals-and-their-figures. */
export interface GoalReport extends GoalFiguresReport {
  readonly smart: SmartCheck;
}

/** `sextant goals --format json` and GET /api/v1/goals (docs/goals.md#goals-and-their-figures). */
export interface GoalsReport {
  readonly as_of: string;
  readonly goals: GoalReport[];
}

export interface EvaluateOptions {
  /** The day D (default: today in the workspace time zone). */
  readonly asOf?: string;
  /** Language of the SMART sentences (default: the workspace locale). */
  readonly lang?: Lang;
}

/** The shape of a stored goal for the figures: its kind, direction and window resolved. */
export function shapeOf(goal: Goal): GoalShape {
  return {
    kind: goal.kind ?? defaultKind(goal.kpi),
    direction: directionOf(goal.kpi),
    target: goal.target,
    start: goal.start,
    deadline: goal.deadline,
    windowDays: goal.window_days ?? DEFAULT_WINDOW_DAYS,
  };
}

/**
 * Every goal of a workspace as of day D: the figures and status of docs/goals.md#goals-and-their-figures and the SMART check.
 * The KPI values come from runKpiQuery (so from either store), asked in as few queries as goals
 * allow (see kpi-batch.ts).
 */
export async function evaluateGoals(
  store: Store,
  workspace: Workspace,
  options: EvaluateOptions = {},
): Promise<GoalsReport> {
  const asOf =
    options.asOf === undefined ? todayIn(workspace.settings.timezone) : parseDate(options.asOf, "as_of");
  const lang = options.lang ?? workspace.settings.locale;
  const { objectives, goals } = await loadGoalDefinitions(store, workspace.name);
  const custom = await loadCustomKpis(store, workspace.name);
  const types = new Map<string, ObjectiveType>(objectives.map((o) => [o.id, o.type]));
  const plans = goals.map((goal) => planGoal(goal, asOf, true));
  const answers = await answerAll(
    store,
    workspace,
    plans.flatMap((p) => p.asks),
  );
  let next = 0;
  const reports = plans.map((plan): GoalReport => {
    const [current, baseline, history] = plan.asks.map(() => answers[next++]);
    return {
      ...figuresReport(plan, asOf, current?.total ?? null, baseline?.total ?? null),
      smart: smartCheck({
        goal: plan.goal,
        kind: plan.shape.kind,
        direction: plan.shape.direction,
        windowDays: plan.shape.windowDays,
        objectiveType: types.get(plan.goal.objective) ?? null,
        custom,
        interval: plan.interval,
        history: historyPoints(plan, history?.periods ?? []),
        current: current?.total ?? null,
        lang,
      }),
    };
  });
  return { as_of: asOf, goals: reports };
}

/**
 * The figures of some goals as of several days each (the snapshots of goal history): no SMART
 * check, every (goal, day) asked in as few queries as they allow.
 */
export async function goalFiguresAt(
  store: Store,
  workspace: Workspace,
  asks: readonly { goal: Goal; asOf: string }[],
): Promise<GoalFiguresReport[]> {
  const plans = asks.map((a) => ({ plan: planGoal(a.goal, a.asOf, false), asOf: a.asOf }));
  const answers = await answerAll(
    store,
    workspace,
    plans.flatMap((p) => p.plan.asks),
  );
  return plans.map(({ plan, asOf }, i) =>
    figuresReport(plan, asOf, answers[2 * i]?.total ?? null, answers[2 * i + 1]?.total ?? null),
  );
}

function figuresReport(
  plan: GoalPlan,
  asOf: string,
  current: number | null,
  measuredBaseline: number | null,
): GoalFiguresReport {
  const { goal, shape } = plan;
  return {
    id: goal.id,
    objective: goal.objective,
    kpi: goal.kpi,
    kind: shape.kind,
    direction: shape.direction,
    target: goal.target,
    start: goal.start,
    deadline: goal.deadline,
    ...(goal.where ? { where: goal.where } : {}),
    ...goalFigures(shape, asOf, { current, baseline: goal.baseline ?? measuredBaseline }),
  };
}

interface GoalPlan {
  readonly goal: Goal;
  readonly shape: GoalShape;
  readonly interval: ReturnType<typeof historyInterval>;
  readonly history: { from: string; to: string };
  /** current, then baseline (or a repeat of current when not needed), then history if asked. */
  readonly asks: KpiAsk[];
}

function planGoal(goal: Goal, asOf: string, withHistory: boolean): GoalPlan {
  const shape = shapeOf(goal);
  const days = goalDays(shape, asOf);
  const where = whereList(goal.where);
  const current: KpiAsk = { kpi: goal.kpi, ...days.current, where };
  const needsBaseline = shape.kind === "level" && goal.baseline === undefined;
  const baseline: KpiAsk = needsBaseline ? { kpi: goal.kpi, ...days.baseline, where } : current;
  const interval = historyInterval(shape.kind === "cumulative" ? days.totalDays : shape.windowDays);
  const history = historyRange(goal.start, interval);
  const asks = [current, baseline];
  if (withHistory) asks.push({ kpi: goal.kpi, ...history, interval, where });
  return { goal, shape, interval, history, asks };
}

function historyPoints(plan: GoalPlan, periods: readonly { period: string; value: number | null }[]) {
  const values = new Map(periods.map((p) => [p.period, p.value]));
  return bucketsOf(plan.history.from, plan.history.to, plan.interval).map((b) => ({
    period: b.label ?? b.from,
    from: b.from,
    to: b.to,
    value: values.get(b.label ?? b.from) ?? null,
  }));
}
