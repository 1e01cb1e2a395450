import { useState } from "preact/hooks";
import { getJson } from "../api";
import { Empty, type Loaded, Show, useLoad } from "../components";
import { useCtx } from "../context";
import { formatNumber } from "../format";
import { navigate } from "../state";
import { ExperimentEditor } from "./experiment-editor";

interface Variation {
  id: string;
  visitors: number;
  conversions: number;
  rate: number | null;
  rate_ci: [number, number] | null;
  lift_rel: number | null;
  lift_rel_ci: [number, number] | null;
  p_value: number | null;
  chance_to_beat_control: number | null;
}
interface MetricVariation {
  id: string;
  visitors: number;
  mean: number | null;
  diff: number | null;
  diff_ci: [number, number] | null;
  lift: number | null;
  lift_ci: [number, number] | null;
  p_value: number | null;
  p_value_holm: number | null;
  chance_to_beat_control: number | null;
  variance_reduction?: number | null;
}
interface Metric {
  metric: string;
  cuped: { lookback_days: number } | null;
  sequential: { tuning: number } | null;
  variations: MetricVariation[];
}
interface Experiment {
  experiment: string;
  control: string;
  variations: Variation[];
  srm: { p_value: number | null; flagged: boolean };
  verdict: string;
  metrics?: Metric[];
}

/** One metric per visitor: mean, difference and lift with their intervals (CUPED-adjusted, sequential as asked). */
function MetricTable({ m, control }: { m: Metric; control: string }) {
  const ctx = useCtx();
  const n = (v: number | null | undefined, d = 2) => formatNumber(v ?? null, ctx.lang, d);
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : v * 100);
  const how = [
    m.cuped ? `CUPED ${m.cuped.lookback_days} ${ctx.t("days")}` : "",
    m.sequential ? `${ctx.t("sequential")} (N* = ${n(m.sequential.tuning, 0)})` : "",
  ]
    .filter(Boolean)
    .join(" · ");
  return (
    <div class="table-wrap">
      <table data-metric={m.metric}>
        <caption>
          {m.metric}
          {how ? ` · ${how}` : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col">{ctx.t("variation")}</th>
            <th scope="col" class="num">
              {ctx.t("visitors")}
            </th>
            <th scope="col" class="num">
              {ctx.t("per_visitor")}
            </th>
            <th scope="col">{ctx.t("difference")}</th>
            <th scope="col">{ctx.t("lift")}</th>
            <th scope="col" class="num">
              {ctx.t("p_value")}
            </th>
            <th scope="col" class="num">
              {ctx.t("chance")}
            </th>
            {m.cuped && (
              <th scope="col" class="num">
                {ctx.t("variance_reduction")}
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {m.variations.map((v) => (
            <tr key={v.id}>
              <th scope="row">{v.id}</th>
              <td class="num">{n(v.visitors, 0)}</td>
              <td class="num" data-value={v.mean ?? ""}>
                {n(v.mean)}
              </td>
              <td>
                {v.id === control || v.diff === null
                  ? "—"
                  : `${n(v.diff)} [${n(v.diff_ci?.[0])}; ${n(v.diff_ci?.[1])}]`}
              </td>
              <td>
                {v.id === control || v.lift === null
                  ? "—"
                  : `${n(pct(v.lift), 1)} % [${n(pct(v.lift_ci?.[0]), 1)}; ${n(pct(v.lift_ci?.[1]), 1)}]`}
              </td>
              <td class="num">{n(v.p_value_holm ?? v.p_value, 3)}</td>
              <td class="num">
                {v.chance_to_beat_control === null ? "—" : `${n(v.chance_to_beat_control * 100, 1)} %`}
              </td>
              {m.cuped && (
                <td class="num">
                  {v.variance_reduction == null ? "—" : `${n(pct(v.variance_reduction), 1)} %`}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The metric, CUPED and sequential options, kept in the page's address as the API's parameters. */
function MetricOptions() {
  const ctx = useCtx();
  const metrics = ctx.params.getAll("metric");
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const metric = String(form.get("metric") ?? "")
          .split(/\s*;\s*/)
          .filter(Boolean);
        navigate(null, {
          metric,
          cuped: form.get("cuped") ? "true" : null,
          sequential: form.get("sequential") ? "true" : null,
        });
      }}
    >
      <label>
        {ctx.t("metrics")}{" "}
        <input name="metric" placeholder="revenue; count:pageview" value={metrics.join("; ")} />
      </label>{" "}
      <label>
        <input type="checkbox" name="cuped" checked={ctx.params.get("cuped") === "true"} /> CUPED
      </label>{" "}
      <label>
        <input type="checkbox" name="sequential" checked={ctx.params.get("sequential") === "true"} />{" "}
        {ctx.t("sequential")}
      </label>{" "}
      <button type="submit">{ctx.t("apply")}</button>
    </form>
  );
}

/** An interval drawn on a shared scale: a bar from low to high, a tick at the estimate. */
function Interval({
  ci,
  value,
  min,
  max,
}: {
  ci: [number, number] | null;
  value: number | null;
  min: number;
  max: number;
}) {
  if (!ci || value === null) return null;
  const x = (v: number) => ((v - min) / (max - min || 1)) * 100;
  return (
    <svg class="interval" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect x={x(ci[0])} y="3" width={Math.max(0.5, x(ci[1]) - x(ci[0]))} height="4" fill="#93c5fd" />
      <rect x={x(value) - 0.4} y="0" width="0.8" height="10" fill="#1d4ed8" />
    </svg>
  );
}

function Result({ id }: { id: string }) {
  const ctx = useCtx();
  const params = new URLSearchParams({ workspace: ctx.workspace.name });
  for (const metric of ctx.params.getAll("metric")) params.append("metric", metric);
  for (const flag of ["cuped", "sequential"]) if (ctx.params.get(flag) === "true") params.set(flag, "true");
  const loaded = useLoad(
    () => getJson<Experiment>(`/api/v1/experiments/${encodeURIComponent(id)}`, params),
    `${id}|${params}`,
  );
  const n = (v: number | null, d = 2) => formatNumber(v, ctx.lang, d);
  return (
    <Show loaded={loaded}>
      {(e) => {
        const cis = e.variations.flatMap((v) => v.rate_ci ?? []);
        const min = Math.min(...cis, 0);
        const max = Math.max(...cis, 1);
        return (
          <>
            <div class="table-wrap">
              <table>
                <caption>{e.experiment}</caption>
                <thead>
                  <tr>
                    <th scope="col">{ctx.t("variation")}</th>
                    <th scope="col" class="num">
                      {ctx.t("visitors")}
                    </th>
                    <th scope="col" class="num">
                      {ctx.t("conversions")}
                    </th>
                    <th scope="col">{ctx.t("rate")}</th>
                    <th scope="col">{ctx.t("lift")}</th>
                    <th scope="col" class="num">
                      {ctx.t("p_value")}
                    </th>
                    <th scope="col" class="num">
                      {ctx.t("chance")}
                    </th>
                    <th scope="col">{ctx.t("verdict")}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.variations.map((v) => {
                    const verdict =
                      v.id === e.control || !v.lift_rel_ci
                        ? ""
                        : v.lift_rel_ci[0] > 0
                          ? ctx.t("winner")
                          : v.lift_rel_ci[1] < 0
                            ? ctx.t("loser")
                            : ctx.t("inconclusive");
                    return (
                      <tr key={v.id}>
                        <th scope="row">{v.id}</th>
                        <td class="num">{n(v.visitors, 0)}</td>
                        <td class="num">{n(v.conversions, 0)}</td>
                        <td>
                          {n(v.rate)} % [{n(v.rate_ci?.[0] ?? null)}; {n(v.rate_ci?.[1] ?? null)}]
                          <Interval ci={v.rate_ci} value={v.rate} min={min} max={max} />
                        </td>
                        <td>
                          {v.lift_rel === null
                            ? "—"
                            : `${n(v.lift_rel, 1)} % [${n(v.lift_rel_ci?.[0] ?? null, 1)}; ${n(v.lift_rel_ci?.[1] ?? null, 1)}]`}
                        </td>
                        <td class="num">{n(v.p_value, 3)}</td>
                        <td class="num">
                          {v.chance_to_beat_control === null
                            ? "—"
                            : `${n(v.chance_to_beat_control * 100, 1)} %`}
                        </td>
                        <td>{verdict}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {e.metrics?.map((m) => (
              <MetricTable key={m.metric} m={m} control={e.control} />
            ))}
            {e.metrics && <p class="muted">{e.verdict}</p>}
            {e.srm.flagged && (
              <p class="error" role="alert">
                {ctx.t("srm")} (p = {n(e.srm.p_value, 4)})
              </p>
            )}
          </>
        );
      }}
    </Show>
  );
}

export function Experiments() {
  const ctx = useCtx();
  const [version, setVersion] = useState(0);
  const params = new URLSearchParams({ workspace: ctx.workspace.name });
  const list = useLoad(
    () => getJson<{ saved: { id: string }[]; seen: string[] }>("/api/v1/experiments", params),
    `${params}|${version}`,
  );
  return (
    <>
      {ctx.session.role === "admin" && list.state === "ok" && (
        <ExperimentEditor
          seen={list.data.seen}
          onSaved={(id) => {
            setVersion((v) => v + 1);
            navigate(null, { experiment: id });
          }}
        />
      )}
      <ExperimentList list={list} />
    </>
  );
}

function ExperimentList({ list }: { list: Loaded<{ saved: { id: string }[]; seen: string[] }> }) {
  const ctx = useCtx();
  const selected = ctx.params.get("experiment");
  return (
    <Show loaded={list}>
      {(data) => {
        // Saved experiments first, then those only seen in the data (Experiment Viewed events).
        const savedIds = data.saved.map((x) => x.id);
        const all = [...savedIds, ...data.seen.filter((x) => !savedIds.includes(x))].map((x) => ({ id: x }));
        const id = selected ?? all[0]?.id;
        if (!id) {
          return (
            <Empty
              what="empty_experiments"
              command="sextant experiment size --baseline 0.05 --mde 0.2"
              doc="funnels-and-experiments.md"
            />
          );
        }
        return (
          <>
            <label class="inline">
              {ctx.t("experiments")}{" "}
              <select
                name="experiment"
                value={id}
                onChange={(e) => navigate(null, { experiment: e.currentTarget.value })}
              >
                {all.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.id}
                  </option>
                ))}
              </select>
            </label>
            <MetricOptions />
            <Result id={id} />
          </>
        );
      }}
    </Show>
  );
}
