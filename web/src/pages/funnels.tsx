import { useState } from "preact/hooks";
import { getJson } from "../api";
import { type Column, Empty, Show, Table, useLoad } from "../components";
import { useCtx } from "../context";
import { formatNumber } from "../format";
import { navigate } from "../state";
import { type FunnelDefinition, FunnelEditor } from "./funnel-editor";

interface Step {
  step: number;
  name: string;
  visitors: number;
  conversion_from_start: number | null;
  conversion_from_previous: number | null;
  drop_off: number;
  median_seconds_from_previous: number | null;
}

function Steps({ id }: { id: string }) {
  const ctx = useCtx();
  const params = new URLSearchParams({ workspace: ctx.workspace.name, from: ctx.from, to: ctx.to });
  const loaded = useLoad(
    () => getJson<{ funnel: string; steps: Step[] }>(`/api/v1/funnels/${encodeURIComponent(id)}`, params),
    `${id}|${params}`,
  );
  const pct = (v: number | null) => (v === null ? "—" : `${formatNumber(v, ctx.lang, 1)} %`);
  const columns: Column<Step>[] = [
    { key: "step", label: ctx.t("step"), value: (s) => s.step, render: (s) => `${s.step}. ${s.name}` },
    {
      key: "visitors",
      label: ctx.t("visitors"),
      numeric: true,
      value: (s) => s.visitors,
      render: (s) => formatNumber(s.visitors, ctx.lang),
    },
    {
      key: "from_start",
      label: ctx.t("from_start"),
      numeric: true,
      value: (s) => s.conversion_from_start,
      render: (s) => pct(s.conversion_from_start),
    },
    {
      key: "from_previous",
      label: ctx.t("from_previous"),
      numeric: true,
      value: (s) => s.conversion_from_previous,
      render: (s) => pct(s.conversion_from_previous),
    },
    {
      key: "drop_off",
      label: ctx.t("drop_off"),
      numeric: true,
      value: (s) => s.drop_off,
      render: (s) => formatNumber(s.drop_off, ctx.lang),
    },
  ];
  return (
    <Show loaded={loaded}>
      {(data) => (
        <>
          <ol class="bars" aria-hidden="true">
            {data.steps.map((s) => (
              <li key={s.step} style={{ width: `${Math.max(2, s.conversion_from_start ?? 0)}%` }} />
            ))}
          </ol>
          <Table caption={data.funnel} rows={data.steps} columns={columns} initialSort="step" />
        </>
      )}
    </Show>
  );
}

export function Funnels() {
  const ctx = useCtx();
  const admin = ctx.session.role === "admin";
  const [version, setVersion] = useState(0);
  // Bumped on a save only: after a delete the old list still names the deleted funnel for a moment.
  const [stepsVersion, setStepsVersion] = useState(0);
  const [editing, setEditing] = useState(false);
  const params = new URLSearchParams({ workspace: ctx.workspace.name });
  const list = useLoad(
    () => getJson<{ funnels: FunnelDefinition[] }>("/api/v1/funnels", params),
    `${params}|${version}`,
  );
  const selected = ctx.params.get("funnel");
  return (
    <Show loaded={list}>
      {(data) => {
        const funnels = data.funnels;
        const id = selected && funnels.some((f) => f.id === selected) ? selected : funnels[0]?.id;
        const current = funnels.find((f) => f.id === id) ?? null;
        const editor = admin && (
          <FunnelEditor
            funnels={funnels}
            editing={editing ? current : null}
            onSaved={(saved) => {
              setEditing(false);
              setVersion((v) => v + 1);
              if (saved) setStepsVersion((v) => v + 1);
              navigate(null, { funnel: saved });
            }}
          />
        );
        if (!id) {
          return (
            <>
              {editor}
              <Empty
                what="empty_funnels"
                command="sextant config apply sextant.yaml"
                doc="funnels-and-experiments.md"
              />
            </>
          );
        }
        return (
          <>
            {editor}
            <label class="inline">
              {ctx.t("funnels")}{" "}
              <select
                name="funnel"
                value={id}
                onChange={(e) => navigate(null, { funnel: e.currentTarget.value })}
              >
                {funnels.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.id}
                  </option>
                ))}
              </select>
            </label>
            {admin && (
              <button type="button" onClick={() => setEditing(!editing)}>
                {ctx.t("edit")}
              </button>
            )}
            <Steps id={id} key={`${id}|${stepsVersion}`} />
          </>
        );
      }}
    </Show>
  );
}
