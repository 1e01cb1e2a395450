import { getJson } from "../api";
import { Show, useLoad } from "../components";
import { useCtx } from "../context";
import { formatNumber } from "../format";
import { navigate } from "../state";

interface Triangle {
  by: string;
  kpi: string;
  period: "month" | "week";
  periods: number;
  cohorts: { cohort: string; size: number; values: (number | null)[] }[];
}

const BYS = ["first_order_month", "first_visit_week"] as const;
const KPIS = ["retention", "revenue", "orders"] as const;

/** A cell's background: white at the lowest value of the table, deep blue at the highest. */
function heat(value: number | null, min: number, max: number): string | undefined {
  if (value === null) return undefined;
  const share = max > min ? (value - min) / (max - min) : 1;
  return `rgba(29, 78, 216, ${(0.08 + 0.72 * share).toFixed(3)})`;
}

/** The cohort triangle as a heat map table: one line per cohort, one column per period since its start. */
export function Cohorts() {
  const ctx = useCtx();
  const by = ctx.params.get("by") ?? "first_order_month";
  const kpi = ctx.params.get("kpi") ?? "retention";
  const params = new URLSearchParams({ workspace: ctx.workspace.name, by, kpi, from: ctx.from, to: ctx.to });
  const loaded = useLoad(() => getJson<Triangle>("/api/v1/cohorts", params), String(params));
  return (
    <>
      <label class="inline">
        {ctx.t("cohort_by")}{" "}
        <select name="by" value={by} onChange={(e) => navigate(null, { by: e.currentTarget.value })}>
          {BYS.map((x) => (
            <option key={x} value={x}>
              {ctx.t(x)}
            </option>
          ))}
        </select>
      </label>{" "}
      <label class="inline">
        KPI{" "}
        <select name="kpi" value={kpi} onChange={(e) => navigate(null, { kpi: e.currentTarget.value })}>
          {KPIS.map((x) => (
            <option key={x} value={x}>
              {ctx.t(x)}
            </option>
          ))}
        </select>
      </label>
      <Show loaded={loaded}>
        {(t) => {
          const all = t.cohorts.flatMap((c) => c.values.filter((v): v is number => v !== null));
          const min = Math.min(0, ...all);
          const max = Math.max(0, ...all);
          const show = (v: number | null) =>
            v === null
              ? "—"
              : t.kpi === "retention"
                ? `${formatNumber(v, ctx.lang, 1)} %`
                : formatNumber(v, ctx.lang, 2);
          return t.cohorts.length === 0 ? (
            <p class="muted">{ctx.t("no_data")}</p>
          ) : (
            <div class="table-wrap">
              <table class="heatmap" data-by={t.by} data-kpi={t.kpi}>
                <thead>
                  <tr>
                    <th scope="col">{ctx.t("cohort")}</th>
                    <th scope="col" class="num">
                      {ctx.t("size")}
                    </th>
                    {Array.from({ length: t.periods }, (_, k) => (
                      <th scope="col" class="num" key={k}>
                        {t.period === "month" ? "M" : "W"}
                        {k}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {t.cohorts.map((c) => (
                    <tr key={c.cohort}>
                      <th scope="row">{c.cohort}</th>
                      <td class="num">{formatNumber(c.size, ctx.lang, 0)}</td>
                      {Array.from({ length: t.periods }, (_, k) => {
                        const v = k < c.values.length ? (c.values[k] ?? null) : undefined;
                        return v === undefined ? (
                          <td key={k} />
                        ) : (
                          <td
                            key={k}
                            class="num"
                            data-value={v ?? ""}
                            style={{ background: heat(v, min, max) }}
                          >
                            {show(v)}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Show>
    </>
  );
}
