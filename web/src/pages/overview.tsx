import { interpret, percentChange } from "../../../src/analysis/interpretation";
import { getJson, type KpiResult, NotAvailable } from "../api";
import { KpiLabel, KpiValue, LineChart, Show, useLoad } from "../components";
import { kpiParams, useCtx } from "../context";
import { formatPercentChange } from "../format";
import { comparisonRange, hrefTo, navigate } from "../state";

export const OVERVIEW_KPIS = [
  "visitors",
  "sessions",
  "conversions",
  "conversion_rate",
  "revenue",
  "spend",
  "cpa",
  "roas",
  "roi",
  "bounce_rate",
  "avg_visit_duration",
  "open_rate",
];

interface GoalFigures {
  kpi: string;
  status: string;
}

interface OverviewData {
  current: KpiResult;
  series: KpiResult;
  previous: KpiResult | null;
  goals: GoalFigures[];
}

export function Overview() {
  const ctx = useCtx();
  const kpis = OVERVIEW_KPIS.filter((k) => ctx.catalog.has(k)).join(",");
  const range = comparisonRange(ctx.from, ctx.to, ctx.compare);
  const loaded = useLoad<OverviewData>(
    async () => {
      const [current, series, previous, goals] = await Promise.all([
        getJson<KpiResult>("/api/v1/kpis", kpiParams(ctx, { kpis })),
        getJson<KpiResult>("/api/v1/kpis", kpiParams(ctx, { kpis, interval: ctx.interval })),
        range ? getJson<KpiResult>("/api/v1/kpis", kpiParams(ctx, { kpis }, range)) : Promise.resolve(null),
        getJson<{ goals: GoalFigures[] }>(
          "/api/v1/goals",
          new URLSearchParams({ workspace: ctx.workspace.name, as_of: ctx.to }),
        ).then(
          (g) => g.goals,
          (e: unknown) => {
            if (e instanceof NotAvailable) return [];
            throw e;
          },
        ),
      ]);
      return { current, series, previous, goals };
    },
    `${kpiParams(ctx)}|${ctx.interval}|${ctx.compare}`,
  );
  return (
    <Show loaded={loaded}>
      {(data) => (
        <ul class="cards">
          {data.current.kpis.map((id) => {
            const value = data.current.totals[id] ?? null;
            const previous = data.previous?.totals[id] ?? null;
            const change = percentChange(value, previous);
            const def = ctx.catalog.get(id);
            const good =
              change === null || change === 0 ? "" : change > 0 === (def?.better !== "lower") ? "up" : "down";
            const goal = data.goals.find((g) => g.kpi === id);
            const notes = interpret({ kpi: id, value, previous, goalStatus: goal?.status ?? null });
            return (
              <li key={id} class="card">
                <h2>
                  <KpiLabel id={id} />
                </h2>
                <p class="big">
                  <KpiValue id={id} value={value} />
                </p>
                {data.previous && (
                  <p class={`change ${good}`}>
                    {formatPercentChange(change, ctx.lang)}{" "}
                    <span class="muted">
                      {ctx.t("vs")} {ctx.t(ctx.compare as "previous_period")}
                    </span>
                  </p>
                )}
                <LineChart
                  small
                  height={40}
                  label={`${def?.label[ctx.lang] ?? id}: ${ctx.t(ctx.interval as "day")}`}
                  dates={data.series.rows.map((r) => String(r.period))}
                  series={[
                    {
                      label: id,
                      values: data.series.rows.map((r) => (r[id] as number | null) ?? null),
                      color: "#1d4ed8",
                    },
                  ]}
                />
                {goal && (
                  <p>
                    {ctx.t("goal")}:{" "}
                    <span class={`status ${goal.status}`}>{goal.status.replace(/_/g, " ")}</span>
                  </p>
                )}
                {notes.map((n) => (
                  <p key={n.id} class="note">
                    {n.meaning[ctx.lang]}{" "}
                    <a
                      href={hrefTo(n.page)}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(n.page);
                      }}
                    >
                      {ctx.t("look_at")} →
                    </a>
                  </p>
                ))}
              </li>
            );
          })}
        </ul>
      )}
    </Show>
  );
}
