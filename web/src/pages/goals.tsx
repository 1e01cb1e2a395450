import { useRef, useState } from "preact/hooks";
import { getJson } from "../api";
import { Empty, KpiLabel, KpiValue, LineChart, Show, useLoad } from "../components";
import { useCtx } from "../context";
import { formatDate, formatNumber } from "../format";
import { addDays, daysBetween } from "../state";
import { deleteGoal, type GoalDefinition, GoalEditor, type Objective } from "./goal-editor";

interface Check {
  ok: boolean;
  message: string;
}
interface Goal {
  id: string;
  objective: string;
  kpi: string;
  kind: string;
  target: number;
  start: string;
  deadline: string;
  current: number | null;
  baseline: number | null;
  expected: number | null;
  progress: number | null;
  forecast: number | null;
  status: string;
  smart: Record<string, Check>;
}

/** Pacing: the straight path from baseline at start to target at deadline, actual today, forecast at deadline. */
function Pacing({ goal, asOf }: { goal: Goal; asOf: string }) {
  const { t } = useCtx();
  const total = daysBetween(goal.start, goal.deadline);
  const today = asOf < goal.start ? goal.start : asOf > goal.deadline ? goal.deadline : asOf;
  const step = Math.max(1, Math.ceil(total / 60));
  const dates: string[] = [];
  for (let i = 0; i <= total; i += step) dates.push(addDays(goal.start, i));
  if (dates[dates.length - 1] !== goal.deadline) dates.push(goal.deadline);
  if (!dates.includes(today)) {
    dates.push(today);
    dates.sort();
  }
  const base = goal.kind === "cumulative" ? 0 : (goal.baseline ?? 0);
  const straight = dates.map(
    (d) => base + ((goal.target - base) * daysBetween(goal.start, d)) / Math.max(1, total),
  );
  const actual = dates.map((d) => (d === goal.start ? base : d === today ? goal.current : null));
  const forecast = dates.map((d) =>
    d === today ? goal.current : d === goal.deadline ? goal.forecast : null,
  );
  return (
    <LineChart
      label={`${t("progress")}: ${goal.id}`}
      dates={dates}
      series={[
        { label: t("straight_path"), values: straight, color: "#6b7280", dash: [6, 4] },
        { label: t("actual"), values: actual, color: "#1d4ed8" },
        { label: t("forecast"), values: forecast, color: "#b45309", dash: [2, 3] },
      ]}
    />
  );
}

export function Goals() {
  const ctx = useCtx();
  const admin = ctx.session.role === "admin";
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<GoalDefinition | null>(null);
  const params = new URLSearchParams({ workspace: ctx.workspace.name, as_of: ctx.to });
  const loaded = useLoad(
    () => getJson<{ as_of: string; goals: Goal[] }>("/api/v1/goals", params),
    `${params}|${version}`,
  );
  const objectives = useLoad(
    () =>
      admin
        ? getJson<{ objectives: Objective[] }>(
            "/api/v1/objectives",
            new URLSearchParams({ workspace: ctx.workspace.name }),
          )
        : Promise.resolve({ objectives: [] }),
    `${ctx.workspace.name}|${version}`,
  );
  // Kept while the list reloads after a save, so the editor (and its message) stays in place.
  const known = useRef<Objective[] | null>(null);
  if (objectives.state === "ok") known.current = objectives.data.objectives;
  const reload = () => {
    setEditing(null);
    setVersion((v) => v + 1);
  };
  return (
    <>
      {admin && known.current && <GoalEditor objectives={known.current} editing={editing} onSaved={reload} />}
      <Show loaded={loaded}>
        {(data) =>
          data.goals.length === 0 ? (
            <Empty what="empty_goals" command="sextant config apply sextant.yaml" doc="goals.md" />
          ) : (
            <ul class="goals">
              {data.goals.map((g) => (
                <li key={g.id} class="card wide">
                  <h2>
                    {g.id} · <KpiLabel id={g.kpi} />
                  </h2>
                  <p>
                    {ctx.t("objective")}: {g.objective} · {ctx.t("status")}:{" "}
                    <span class={`status ${g.status}`}>{g.status.replace(/_/g, " ")}</span>
                  </p>
                  <dl class="figures">
                    <dt>{ctx.t("current")}</dt>
                    <dd>
                      <KpiValue id={g.kpi} value={g.current} />
                    </dd>
                    <dt>{ctx.t("target")}</dt>
                    <dd>
                      <KpiValue id={g.kpi} value={g.target} />
                    </dd>
                    <dt>{ctx.t("expected")}</dt>
                    <dd>
                      <KpiValue id={g.kpi} value={g.expected} />
                    </dd>
                    <dt>{ctx.t("forecast")}</dt>
                    <dd>
                      <KpiValue id={g.kpi} value={g.forecast} />
                    </dd>
                    <dt>{ctx.t("progress")}</dt>
                    <dd>{formatNumber(g.progress, ctx.lang, 1)} %</dd>
                    <dt>{ctx.t("deadline")}</dt>
                    <dd>{formatDate(g.deadline, ctx.lang)}</dd>
                  </dl>
                  {admin && (
                    <p class="actions">
                      <button type="button" onClick={() => setEditing(g)}>
                        {ctx.t("edit")}
                      </button>{" "}
                      <button
                        type="button"
                        onClick={() =>
                          void deleteGoal(ctx.workspace.name, g.id).then(reload, (e: unknown) =>
                            alert(String(e)),
                          )
                        }
                      >
                        {ctx.t("delete")}
                      </button>
                    </p>
                  )}
                  <Pacing goal={g} asOf={data.as_of} />
                  <ul class="smart">
                    {Object.entries(g.smart ?? {}).map(([k, c]) => (
                      <li key={k} class={c.ok ? "ok" : "warn"}>
                        <strong>{k}</strong>: {c.ok ? "✓" : "!"} {c.message}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </>
  );
}
