import type { Goal } from "../definitions/schemas.js";
import type { CustomKpi } from "../kpi/custom-kpis.js";
import { addDays, bucketStart, daysBetween, type Interval } from "../model/calendar.js";
import type { Lang } from "../model/lang.js";
import type { Direction, GoalKind } from "./kinds.js";
import { num } from "./numbers.js";
import { KPIS_BY_TYPE, type ObjectiveType, servesType } from "./suggest-kpis.js";

export interface SmartVerdict {
  readonly ok: boolean;
  readonly message: string;
}

export interface SmartCheck {
  readonly specific: SmartVerdict;
  readonly measurable: SmartVerdict;
  readonly achievable: SmartVerdict;
  readonly relevant: SmartVerdict;
  readonly time_bound: SmartVerdict;
}

/** How many comparable periods before the start the achievable check reads. */
export const HISTORY_PERIODS = 6;
/** A target more than this share beyond both the best value seen and the trend is flagged. */
export const FAR_BEYOND = 0.5;

/** One complete period before the goal's start, with the KPI's value over it. */
export interface HistoryPoint {
  readonly period: string;
  readonly from: string;
  readonly to: string;
  readonly value: number | null;
}

/**
 * The calendar periods comparable to a goal: weeks for a goal (or level window) of up to two
 * weeks, months up to two months, quarters beyond.
 */
export function historyInterval(periodDays: number): Interval {
  if (periodDays <= 14) return "week";
  if (periodDays <= 62) return "month";
  return "quarter";
}

/** The last HISTORY_PERIODS complete periods that end before the goal's start. */
export function historyRange(start: string, interval: Interval): { from: string; to: string } {
  const to = addDays(bucketStart(start, interval), -1);
  let from = bucketStart(to, interval);
  for (let i = 1; i < HISTORY_PERIODS; i++) from = bucketStart(addDays(from, -1), interval);
  return { from, to };
}

export interface SmartInput {
  readonly goal: Goal;
  readonly kind: GoalKind;
  readonly direction: Direction;
  readonly windowDays: number;
  readonly objectiveType: ObjectiveType | null;
  readonly custom: readonly CustomKpi[];
  readonly interval: Interval;
  readonly history: readonly HistoryPoint[];
  /** The KPI over the goal's current range. */
  readonly current: number | null;
  readonly lang: Lang;
}

const T = {
  en: {
    specific: (kpi: string, seg: string) =>
      `One KPI, ${kpi}${seg ? `, on the segment ${seg}` : ", on all traffic"}.`,
    measurableOk: (kpi: string, n: number) =>
      `There is data for ${kpi} (${n} of the periods read have a value).`,
    measurableNo: (kpi: string) =>
      `There is no data for ${kpi} in this workspace: import or track what it is computed from.`,
    noHistory: (n: number) =>
      `Not enough history to judge (${n} period with a value before the start); the target is not flagged.`,
    within: (needed: string, best: string, trend: string, per: string) =>
      `The target needs ${needed}${per}; the best of the last periods was ${best}${per} and the trend points to ${trend}${per}: within what has been seen.`,
    beyond: (needed: string, best: string, trend: string, per: string) =>
      `The target needs ${needed}${per}, more than 50 % beyond the best of the last periods (${best}${per}) and the trend (${trend}${per}): far beyond anything seen.`,
    perDay: " a day",
    relevantOk: (kpi: string, type: string) => `${kpi} serves the objective type ${type}.`,
    relevantNo: (kpi: string, type: string, seeds: string) =>
      `${kpi} is not a usual ${type} KPI; consider ${seeds}.`,
    noObjective: (objective: string) => `The objective "${objective}" does not exist.`,
    timeBound: (start: string, deadline: string, days: number) =>
      `From ${start} to ${deadline} (${days} days).`,
    notTimeBound: (start: string, deadline: string) =>
      `The deadline ${deadline} is before the start ${start}.`,
  },
  fr: {
    specific: (kpi: string, seg: string) =>
      `Un seul indicateur, ${kpi}${seg ? `, sur le segment ${seg}` : ", sur tout le trafic"}.`,
    measurableOk: (kpi: string, n: number) =>
      `Il y a des données pour ${kpi} (${n} des périodes lues ont une valeur).`,
    measurableNo: (kpi: string) =>
      `Il n'y a aucune donnée pour ${kpi} dans cet espace : importez ou suivez ce dont il est calculé.`,
    noHistory: (n: number) =>
      `Pas assez d'historique pour juger (${n} période avec une valeur avant le début) ; la cible n'est pas signalée.`,
    within: (needed: string, best: string, trend: string, per: string) =>
      `La cible demande ${needed}${per} ; la meilleure des dernières périodes était ${best}${per} et la tendance mène à ${trend}${per} : dans ce qui a déjà été vu.`,
    beyond: (needed: string, best: string, trend: string, per: string) =>
      `La cible demande ${needed}${per}, plus de 50 % au-delà de la meilleure des dernières périodes (${best}${per}) et de la tendance (${trend}${per}) : bien au-delà de tout ce qui a été vu.`,
    perDay: " par jour",
    relevantOk: (kpi: string, type: string) => `${kpi} sert un objectif ${FR_TYPES[type] ?? type}.`,
    relevantNo: (kpi: string, type: string, seeds: string) =>
      `${kpi} n'est pas un indicateur habituel d'un objectif ${FR_TYPES[type] ?? type} ; envisagez ${seeds}.`,
    noObjective: (objective: string) => `L'objectif « ${objective} » n'existe pas.`,
    timeBound: (start: string, deadline: string, days: number) =>
      `Du ${start} au ${deadline} (${days} jours).`,
    notTimeBound: (start: string, deadline: string) => `L'échéance ${deadline} précède le début ${start}.`,
  },
} as const;

const FR_TYPES: Record<string, string> = {
  awareness: "de notoriété",
  conversion: "de conversion",
  loyalty: "de fidélisation",
};

/** The SMART check of one goal (docs/goals.md#the-smart-check), letter by letter, with a sentence each. */
export function smartCheck(input: SmartInput): SmartCheck {
  const t = T[input.lang];
  const { goal } = input;
  const segment = Object.entries(goal.where ?? {})
    .map(([d, v]) => `${d}=${v}`)
    .join(", ");
  const withValue = input.history.filter((p) => hasData(p.value, input.kind));
  const measurable = withValue.length > 0 || hasData(input.current, input.kind);
  const totalDays = daysBetween(goal.start, goal.deadline);
  return {
    specific: { ok: true, message: t.specific(goal.kpi, segment) },
    measurable: {
      ok: measurable,
      message: measurable
        ? t.measurableOk(goal.kpi, withValue.length + (hasData(input.current, input.kind) ? 1 : 0))
        : t.measurableNo(goal.kpi),
    },
    achievable: achievable(input, totalDays),
    relevant: relevant(input),
    time_bound:
      totalDays >= 1
        ? { ok: true, message: t.timeBound(goal.start, goal.deadline, totalDays) }
        : { ok: false, message: t.notTimeBound(goal.start, goal.deadline) },
  };
}

/** A count with no rows reads 0; "there is data" means a value, and for counts a non-zero one. */
function hasData(value: number | null, kind: GoalKind): boolean {
  return value !== null && (kind === "level" || value !== 0);
}

/**
 * Achievable: what the target needs against the last HISTORY_PERIODS comparable periods. A
 * cumulative goal compares rates a day (target / goal days with each period's total / its days);
 * a level goal compares levels. The best value seen and the least-squares trend, projected to the
 * deadline (level) or to the goal's middle day (cumulative), make the reach; a target more than
 * 50 % beyond the reach (above it going up, below it going down) is flagged.
 */
function achievable(input: SmartInput, totalDays: number): SmartVerdict {
  const t = T[input.lang];
  const cumulative = input.kind === "cumulative";
  const points = input.history
    .map((p, index) => ({
      index,
      days: daysBetween(p.from, p.to),
      value: p.value === null ? null : cumulative ? p.value / daysBetween(p.from, p.to) : p.value,
    }))
    .filter((p): p is { index: number; days: number; value: number } => p.value !== null);
  if (points.length < 2) return { ok: true, message: t.noHistory(points.length) };
  const up = input.direction === "up";
  const needed = cumulative ? input.goal.target / totalDays : input.goal.target;
  const values = points.map((p) => p.value);
  const best = up ? Math.max(...values) : Math.min(...values);
  const meanDays = points.reduce((s, p) => s + p.days, 0) / points.length;
  const lastIndex = input.history.length - 1;
  const end = input.history[lastIndex]?.to ?? input.goal.start;
  const horizon = cumulative
    ? daysBetween(end, input.goal.start) - 1 + totalDays / 2
    : daysBetween(end, input.goal.deadline) - 1;
  const trend = projection(points, lastIndex + horizon / meanDays);
  const reach = up ? Math.max(best, trend) : Math.min(best, trend);
  const margin = FAR_BEYOND * Math.abs(reach);
  const far = up ? needed > reach + margin : needed < reach - margin;
  const per = cumulative ? t.perDay : "";
  const say = far ? t.beyond : t.within;
  return {
    ok: !far,
    message: say(num(needed, input.lang), num(best, input.lang), num(trend, input.lang), per),
  };
}

/** The least-squares line through the points, read at `x`. */
function projection(points: readonly { index: number; value: number }[], x: number): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.index, 0) / n;
  const my = points.reduce((s, p) => s + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.index - mx) * (p.value - my);
    sxx += (p.index - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return my + slope * (x - mx);
}

function relevant(input: SmartInput): SmartVerdict {
  const t = T[input.lang];
  const type = input.objectiveType;
  if (type === null) return { ok: false, message: t.noObjective(input.goal.objective) };
  if (servesType(input.goal.kpi, type, input.custom)) {
    return { ok: true, message: t.relevantOk(input.goal.kpi, type) };
  }
  return {
    ok: false,
    message: t.relevantNo(input.goal.kpi, type, KPIS_BY_TYPE[type].slice(0, 3).join(", ")),
  };
}
