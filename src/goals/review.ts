import { alertRuleSchema } from "../definitions/schemas.js";
import { KPI_CATALOG } from "../kpi/catalog.js";
import { runKpiQuery } from "../kpi/run-query.js";
import { addDays, parseDate, todayIn } from "../model/calendar.js";
import type { Lang } from "../model/lang.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";
import { loadGoalDefinitions } from "./definitions.js";
import { goalFiguresAt, shapeOf } from "./evaluate.js";
import { met } from "./figures.js";
import { CUMULATIVE_KPIS } from "./kinds.js";
import { suggestKpis } from "./suggest-kpis.js";

/** Days of data the review reads to decide which KPIs the workspace has data for. */
export const REVIEW_DATA_DAYS = 90;
/** Weeks without data after which a watched KPI is reported. */
export const REVIEW_EMPTY_WEEKS = 4;
/** A goal met this many days ago (or more) is "met long ago". */
export const REVIEW_MET_DAYS = 30;

export type ReviewKind =
  | "past_deadline"
  | "objective_without_goals"
  | "unwatched_kpi"
  | "kpi_without_data"
  | "met_long_ago";

export interface ReviewItem {
  readonly kind: ReviewKind;
  /** The goal, objective or KPI the item is about. */
  readonly subject: string;
  readonly message: string;
  readonly action: string;
}

export interface Review {
  readonly as_of: string;
  readonly items: ReviewItem[];
}

const T = {
  en: {
    past: (g: string, d: string, s: string) => [
      `Goal ${g} ended on ${d} (${s}).`,
      "Close it, or set a new goal for the next period.",
    ],
    orphan: (o: string, kpis: string) => [
      `Objective ${o} has no goal.`,
      `Add a goal on one of ${kpis}, or remove the objective.`,
    ],
    unwatched: (k: string) => [
      `${k} has data but no goal or alert rule watches it.`,
      "Set a goal or an alert on it if it matters; otherwise nothing to do.",
    ],
    empty: (k: string, w: number) => [
      `${k} is watched but has had no data for ${w} weeks.`,
      "Check the tracking or the imports it is computed from.",
    ],
    metLongAgo: (g: string, days: number) => [
      `Goal ${g} already met its target ${days} days ago or more.`,
      "Raise the target, or close the goal and set a more ambitious one.",
    ],
  },
  fr: {
    past: (g: string, d: string, s: string) => [
      `L'objectif chiffré ${g} s'est terminé le ${d} (${s}).`,
      "Clôturez-le, ou fixez un nouvel objectif pour la période suivante.",
    ],
    orphan: (o: string, kpis: string) => [
      `L'objectif ${o} n'a aucun objectif chiffré.`,
      `Ajoutez-en un sur l'un de ${kpis}, ou supprimez l'objectif.`,
    ],
    unwatched: (k: string) => [
      `${k} a des données mais aucun objectif ni alerte ne le suit.`,
      "Fixez-lui un objectif ou une alerte s'il compte ; sinon, rien à faire.",
    ],
    empty: (k: string, w: number) => [
      `${k} est suivi mais n'a reçu aucune donnée depuis ${w} semaines.`,
      "Vérifiez le suivi ou les imports dont il est calculé.",
    ],
    metLongAgo: (g: string, days: number) => [
      `L'objectif chiffré ${g} a atteint sa cible il y a ${days} jours ou plus.`,
      "Relevez la cible, ou clôturez-le et fixez-en un plus ambitieux.",
    ],
  },
} as const;

/**
 * The KPI review: goals past their deadline, objectives without goals, KPIs with data that nothing
 * watches, watched KPIs without data for REVIEW_EMPTY_WEEKS weeks, and goals met REVIEW_MET_DAYS
 * days ago or more that are still running — each with a suggested action.
 */
export async function reviewKpis(
  store: Store,
  workspace: Workspace,
  options: { asOf?: string; lang?: Lang } = {},
): Promise<Review> {
  const asOf =
    options.asOf === undefined ? todayIn(workspace.settings.timezone) : parseDate(options.asOf, "as_of");
  const lang = options.lang ?? workspace.settings.locale;
  const t = T[lang];
  const items: ReviewItem[] = [];
  const item = (kind: ReviewKind, subject: string, [message, action]: readonly string[]) =>
    items.push({ kind, subject, message: message ?? "", action: action ?? "" });

  const { objectives, goals } = await loadGoalDefinitions(store, workspace.name);
  const rules = (await store.listDocuments(workspace.name, "alert_rule")).flatMap((d) => {
    const parsed = alertRuleSchema.safeParse(d.body);
    return parsed.success ? [parsed.data] : [];
  });

  const past = goals.filter((g) => g.deadline < asOf);
  const pastFigures = await goalFiguresAt(
    store,
    workspace,
    past.map((goal) => ({ goal, asOf })),
  );
  past.forEach((goal, i) => {
    item("past_deadline", goal.id, t.past(goal.id, goal.deadline, pastFigures[i]?.status ?? "missed"));
  });

  for (const objective of objectives) {
    if (goals.some((g) => g.objective === objective.id)) continue;
    const kpis = suggestKpis(objective.type, lang)
      .filter((s) => s.seed)
      .map((s) => s.id)
      .join(", ");
    item("objective_without_goals", objective.id, t.orphan(objective.id, kpis));
  }

  const watched = new Set([...goals.map((g) => g.kpi), ...rules.flatMap((r) => (r.kpi ? [r.kpi] : []))]);
  const recent = await runKpiQuery(store, workspace, {
    kpis: KPI_CATALOG.map((k) => k.id),
    from: addDays(asOf, -(REVIEW_DATA_DAYS - 1)),
    to: asOf,
  });
  for (const kpi of KPI_CATALOG) {
    const value = recent.totals[kpi.id];
    if (value === null || value === undefined || value === 0 || watched.has(kpi.id)) continue;
    item("unwatched_kpi", kpi.id, t.unwatched(kpi.id));
  }

  if (watched.size > 0) {
    const lastWeeks = await runKpiQuery(store, workspace, {
      kpis: [...watched],
      from: addDays(asOf, -(7 * REVIEW_EMPTY_WEEKS - 1)),
      to: asOf,
    });
    for (const kpi of watched) {
      const value = lastWeeks.totals[kpi];
      // A count over no rows is 0; any other KPI without data is null.
      const empty = value === null || value === undefined || (CUMULATIVE_KPIS.has(kpi) && value === 0);
      if (empty) item("kpi_without_data", kpi, t.empty(kpi, REVIEW_EMPTY_WEEKS));
    }
  }

  const then = addDays(asOf, -REVIEW_MET_DAYS);
  const running = goals.filter((g) => g.deadline >= asOf && g.start <= then);
  const earlier = await goalFiguresAt(
    store,
    workspace,
    running.map((goal) => ({ goal, asOf: then })),
  );
  running.forEach((goal, i) => {
    if (met(earlier[i]?.current ?? null, shapeOf(goal))) {
      item("met_long_ago", goal.id, t.metLongAgo(goal.id, REVIEW_MET_DAYS));
    }
  });
  return { as_of: asOf, items };
}
