import { evaluateGoals } from "../src/goals/evaluate.js";
import { runKpiQuery } from "../src/kpi/run-query.js";
import { addDays } from "../src/model/calendar.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import type { DocumentChange } from "../src/store/store.js";
import { RANGE } from "./generate.js";
import { OVERVIEW_REQUEST, SERVE_OPTIONS } from "./query-bench.js";
import { fmtMs, fmtRatio, log, median, timed } from "./util.js";

/** Target: evaluating 20 goals costs at most this many overview queries of the same run. */
export const GOALS_TARGET_RATIO = 3;

export interface GoalsBenchResult {
  readonly goals: number;
  readonly goalsMs: number;
  readonly overviewMs: number;
  readonly ratio: number;
  readonly met: boolean;
}

/** 20 goals of mixed kinds (cumulative and level, up and down, with and without a segment). */
function benchGoals(): DocumentChange[] {
  const start = addDays(RANGE.to, -59);
  const kpis = [
    ["revenue", 500_000],
    ["orders", 5_000],
    ["conversions", 8_000],
    ["spend", 50_000],
    ["pageviews", 900_000],
    ["sessions", 400_000],
    ["conversion_rate", 3.5],
    ["bounce_rate", 35],
    ["cpa", 20],
    ["aov", 80],
  ] as const;
  const docs: DocumentChange[] = [
    { kind: "objective", id: "bench", body: { id: "bench", type: "conversion", title: "Bench" } },
  ];
  kpis.forEach(([kpi, target], i) => {
    for (const paid of [false, true]) {
      const id = `${kpi}${paid ? "-paid" : ""}`;
      docs.push({
        kind: "goal",
        id,
        body: {
          id,
          objective: "bench",
          kpi,
          target,
          start,
          deadline: addDays(RANGE.to, 30),
          ...(paid ? { where: { channel: "paid" } } : {}),
          ...(i % 2 === 0 ? {} : { window_days: 14 }),
        },
      });
    }
  });
  return docs;
}

/**
 * Evaluates 20 goals (figures, status and SMART check) as `GET /api/v1/goals` does, against the
 * overview query on the same store in the same run: the ratio is what the target bounds.
 */
export async function benchGoalsEvaluation(
  dbPath: string,
  workspaceName: string,
  runs: number,
): Promise<GoalsBenchResult> {
  const store = await DuckdbStore.open(dbPath, SERVE_OPTIONS);
  try {
    const workspace = (await store.listWorkspaces()).find((w) => w.name === workspaceName);
    if (!workspace) throw new Error(`no workspace ${workspaceName} in ${dbPath}`);
    const goals = benchGoals();
    await store.writeDocuments(workspace.name, goals);
    const asOf = addDays(RANGE.to, -1);
    await evaluateGoals(store, workspace, { asOf }); // warm-up, as the overview's cold run
    await runKpiQuery(store, workspace, OVERVIEW_REQUEST);
    const goalRuns: number[] = [];
    const overviewRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      goalRuns.push((await timed(() => evaluateGoals(store, workspace, { asOf }))).ms);
      overviewRuns.push((await timed(() => runKpiQuery(store, workspace, OVERVIEW_REQUEST))).ms);
    }
    const goalsMs = median(goalRuns);
    const overviewMs = median(overviewRuns);
    const ratio = goalsMs / overviewMs;
    log(
      `    goals: ${goals.length - 1} goals in ${fmtMs(goalsMs)}, overview ${fmtMs(overviewMs)}: ${fmtRatio(ratio)} (target ≤ ${GOALS_TARGET_RATIO}×)`,
    );
    await store.writeDocuments(
      workspace.name,
      goals.map((g) => ({ ...g, body: null })),
    );
    return { goals: goals.length - 1, goalsMs, overviewMs, ratio, met: ratio <= GOALS_TARGET_RATIO };
  } finally {
    await store.close();
  }
}
