import { getJson, type KpiResult } from "../api";
import { type Column, KpiLabel, KpiValue, Show, Table, useLoad } from "../components";
import { kpiParams, useCtx } from "../context";
import { navigate } from "../state";

const KPIS = ["spend", "clicks", "ctr", "conversions", "cpa", "revenue", "roi", "roas"];
const MODELS = ["last_touch", "first_touch", "linear"] as const;
type Row = KpiResult["rows"][number];

/** Campaign KPIs, sortable, with the attribution model as a switch (the `attribution` parameter). */
export function Campaigns() {
  const ctx = useCtx();
  const model = ctx.params.get("attribution") ?? ctx.workspace.attribution;
  const params = kpiParams(ctx, { kpis: KPIS.join(","), group_by: "campaign", attribution: model });
  const loaded = useLoad(() => getJson<KpiResult>("/api/v1/kpis", params), String(params));
  const columns: Column<Row>[] = [
    { key: "campaign", label: ctx.t("campaign"), value: (r) => String(r.campaign ?? "") },
    ...KPIS.map((id) => ({
      key: id,
      numeric: true,
      label: <KpiLabel id={id} />,
      value: (r: Row) => r[id] as number | null,
      render: (r: Row) => <KpiValue id={id} value={r[id] as number | null} />,
    })),
  ];
  return (
    <>
      <label class="inline">
        {ctx.t("attribution")}{" "}
        <select
          name="attribution"
          value={model}
          onChange={(e) => navigate(null, { attribution: e.currentTarget.value })}
        >
          {MODELS.map((m) => (
            <option key={m} value={m}>
              {ctx.t(m)}
            </option>
          ))}
        </select>
      </label>
      <Show loaded={loaded}>
        {(data) => (
          <Table caption={ctx.t("campaigns")} rows={data.rows} columns={columns} initialSort="spend" />
        )}
      </Show>
    </>
  );
}
