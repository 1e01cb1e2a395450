import { addDays, daysBetween } from "../model/calendar.js";
import type { Direction, GoalKind } from "./kinds.js";

export type GoalStatus = "not_started" | "achieved" | "on_track" | "at_risk" | "off_track" | "missed";

/** What the figures of one goal need to know, besides the KPI values. */
export interface GoalShape {
  readonly kind: GoalKind;
  readonly direction: Direction;
  readonly target: number;
  readonly start: string;
  readonly deadline: string;
  readonly windowDays: number;
}

/** The days a goal's figures read as of day D (docs/goals.md#goals-and-their-figures). */
export interface GoalDays {
  /** D clamped to [start, deadline]. */
  readonly t: string;
  readonly totalDays: number;
  readonly elapsedDays: number;
  /** The range of `current`: [start, t] (cumulative) or [t − window_days + 1, t] (level). */
  readonly current: { readonly from: string; readonly to: string };
  /** The range of a level goal's default baseline: [start − window_days, start − 1]. */
  readonly baseline: { readonly from: string; readonly to: string };
}

export interface GoalFigures {
  readonly current: number | null;
  readonly baseline: number | null;
  readonly expected: number | null;
  readonly progress: number | null;
  readonly forecast: number | null;
  readonly required_per_day: number | null;
  readonly status: GoalStatus;
}

/** The days of docs/goals.md#goals-and-their-figures for a goal as of `asOf`. */
export function goalDays(goal: GoalShape, asOf: string): GoalDays {
  const t = asOf < goal.start ? goal.start : asOf > goal.deadline ? goal.deadline : asOf;
  return {
    t,
    totalDays: daysBetween(goal.start, goal.deadline),
    elapsedDays: daysBetween(goal.start, t),
    current:
      goal.kind === "cumulative"
        ? { from: goal.start, to: t }
        : { from: addDays(t, -(goal.windowDays - 1)), to: t },
    baseline: { from: addDays(goal.start, -goal.windowDays), to: addDays(goal.start, -1) },
  };
}

/** a / b, null when b is 0 or either is null; never NaN or Infinity. */
function div(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  const q = a / b;
  return Number.isFinite(q) ? q : null;
}

function mul(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  const p = a * b;
  return Number.isFinite(p) ? p : null;
}

function sub(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

function add(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

/** met(x): x ≥ target going up, x ≤ target going down; a null figure meets nothing. */
export function met(x: number | null, goal: Pick<GoalShape, "direction" | "target">): boolean {
  if (x === null) return false;
  return goal.direction === "up" ? x >= goal.target : x <= goal.target;
}

/**
 * The figures and status of docs/goals.md#goals-and-their-figures, exactly, from the KPI values already measured: `current`
 * over the goal's current range and, for a level goal, `baseline` (given, or measured over the
 * default baseline range). Pure: the table-driven tests beside it are computed by hand.
 */
export function goalFigures(
  goal: GoalShape,
  asOf: string,
  values: { readonly current: number | null; readonly baseline: number | null },
): GoalFigures {
  const days = goalDays(goal, asOf);
  const f = days.elapsedDays / days.totalDays;
  const remaining = daysBetween(days.t, goal.deadline) - 1;
  const { current } = values;
  const cumulative = goal.kind === "cumulative";
  const baseline = cumulative ? 0 : values.baseline;
  const expected = cumulative ? goal.target * f : add(baseline, mul(sub(goal.target, baseline), f));
  const progress = cumulative
    ? mul(div(current, goal.target), 100)
    : mul(div(sub(current, baseline), sub(goal.target, baseline)), 100);
  const forecast = cumulative
    ? div(current, f)
    : add(current, mul(div(sub(current, baseline), days.elapsedDays), remaining));
  const requiredPerDay = div(sub(goal.target, current), remaining);
  return {
    current,
    baseline,
    expected,
    progress,
    forecast,
    required_per_day: requiredPerDay,
    status: goalStatus(goal, asOf, current, forecast),
  };
}

/** The status rules of docs/goals.md#goals-and-their-figures (the 10 % band of at_risk is of the target). */
export function goalStatus(
  goal: GoalShape,
  asOf: string,
  current: number | null,
  forecast: number | null,
): GoalStatus {
  if (asOf < goal.start) return "not_started";
  if (asOf >= goal.deadline) return met(current, goal) ? "achieved" : "missed";
  if (goal.kind === "cumulative" && goal.direction === "up" && met(current, goal)) return "achieved";
  if (met(forecast, goal)) return "on_track";
  if (forecast === null) return "off_track";
  const nearly = goal.direction === "up" ? forecast >= 0.9 * goal.target : forecast <= 1.1 * goal.target;
  return nearly ? "at_risk" : "off_track";
}
