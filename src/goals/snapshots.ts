import type { Goal } from "../definitions/schemas.js";
import { canonical } from "../definitions/stored-definitions.js";
import { UserError } from "../errors.js";
import { closestName } from "../kpi/suggest.js";
import { bucketsOf, parseDate, todayIn } from "../model/calendar.js";
import type { Workspace } from "../model/workspace.js";
import type { DocumentChange, Store } from "../store/store.js";
import { loadGoalDefinitions } from "./definitions.js";
import { goalFiguresAt } from "./evaluate.js";
import type { GoalStatus } from "./figures.js";

export const SNAPSHOT_INTERVALS = ["week", "month", "quarter"] as const;
export type SnapshotInterval = (typeof SNAPSHOT_INTERVALS)[number];
export const SNAPSHOT_KIND = "goal_snapshot";

/** A goal's figures at the end of one period (documents of kind goal_snapshot). */
export interface GoalSnapshot {
  readonly goal: string;
  readonly interval: SnapshotInterval;
  readonly period: string;
  /** The day the figures are as of: the period's last day inside the goal. */
  readonly as_of: string;
  readonly current: number | null;
  readonly expected: number | null;
  readonly progress: number | null;
  readonly forecast: number | null;
  readonly status: GoalStatus;
  /** The goal's definition the figures were computed for. */
  readonly definition: Goal;
}

export interface GoalHistory {
  readonly goal: string;
  readonly interval: SnapshotInterval;
  readonly as_of: string;
  readonly snapshots: Omit<GoalSnapshot, "definition">[];
  /** Snapshots written by this call: new periods, and closed ones whose inputs changed (late data). */
  readonly rewritten: number;
}

/**
 * A goal's trend, one snapshot per complete period (week, month or quarter) from its start up to
 * D. Snapshots are kept in the store; each call recomputes every complete period and rewrites those
 * that differ, so data that arrives late for a closed period corrects its snapshot.
 */
export async function goalHistory(
  store: Store,
  workspace: Workspace,
  goalId: string,
  interval: SnapshotInterval,
  asOfText?: string,
): Promise<GoalHistory> {
  const asOf = asOfText === undefined ? todayIn(workspace.settings.timezone) : parseDate(asOfText, "as_of");
  const { goals } = await loadGoalDefinitions(store, workspace.name);
  const goal = goals.find((g) => g.id === goalId);
  if (!goal) {
    const hint = closestName(
      goalId,
      goals.map((g) => g.id),
    );
    throw new UserError(
      `There is no goal "${goalId}".${hint ? ` Did you mean "${hint}"?` : ""}`,
      [{ field: "id", reason: "unknown goal" }],
      404,
    );
  }
  const periods = bucketsOf(goal.start, goal.deadline, interval).filter((b) => b.to <= asOf);
  const figures = await goalFiguresAt(
    store,
    workspace,
    periods.map((b) => ({ goal, asOf: b.to })),
  );
  const snapshots: GoalSnapshot[] = periods.map((b, i) => {
    const f = figures[i];
    return {
      goal: goal.id,
      interval,
      period: b.label ?? b.from,
      as_of: b.to,
      current: f?.current ?? null,
      expected: f?.expected ?? null,
      progress: f?.progress ?? null,
      forecast: f?.forecast ?? null,
      status: f?.status ?? "off_track",
      definition: goal,
    };
  });
  const prefix = `${goal.id}/${interval}/`;
  const stored = (await store.listDocuments(workspace.name, SNAPSHOT_KIND)).filter((d) =>
    d.id.startsWith(prefix),
  );
  const storedById = new Map(stored.map((d) => [d.id, canonical(d.body)]));
  const writes: DocumentChange[] = [];
  for (const snapshot of snapshots) {
    const id = `${prefix}${snapshot.period}`;
    if (storedById.get(id) !== canonical(snapshot)) writes.push({ kind: SNAPSHOT_KIND, id, body: snapshot });
  }
  // Periods that no longer belong to the goal (its dates changed) are dropped.
  const current = new Set(snapshots.map((s) => `${prefix}${s.period}`));
  for (const doc of stored) {
    if (!current.has(doc.id)) writes.push({ kind: SNAPSHOT_KIND, id: doc.id, body: null });
  }
  await store.writeDocuments(workspace.name, writes);
  return {
    goal: goal.id,
    interval,
    as_of: asOf,
    snapshots: snapshots.map(({ definition: _d, ...rest }) => rest),
    rewritten: writes.length,
  };
}
