import { getJson, type KpiResult } from "../api";
import { type Column, KpiLabel, KpiValue, Show, Table, useLoad } from "../components";
import { kpiParams, useCtx } from "../context";
import { formatKpi } from "../format";
import { navigate } from "../state";

const KPIS = ["spend", "clicks", "ctr", "conversions", "cpa", "revenue", "roi", "roas"];
const MODELS = ["last_touch", "first_touch", "linear"] as const;
type Row = KpiResult["rows"][number];

interface BudgetLine {
  campaign: string;
  spend: number;
  roi: number | null;
  cpa: number | null;
  proposed: number;
  change: number;
  reason: string;
}

/** Budget advice of docs/budget.md#budget-advice for the same range: proposed budgets and a reason per campaign. */
function Budget() {
  const ctx = useCtx();
  const params = new URLSearchParams({ workspace: ctx.workspace.name, from: ctx.from, to: ctx.to });
  const loaded = useLoad(
    () => getJson<{ total: number; campaigns: BudgetLine[] }>("/api/v1/budget", params),
    String(params),
  );
  const columns: Column<BudgetLine>[] = [
    { key: "campaign", label: ctx.t("campaign"), value: (r) => r.campaign },
    {
      key: "spend",
      numeric: true,
      label: <KpiLabel id="spend" />,
      value: (r) => r.spend,
      render: (r) => <KpiValue id="spend" value={r.spend} />,
    },
    {
      key: "roi",
      numeric: true,
      label: <KpiLabel id="roi" />,
      value: (r) => r.roi,
      render: (r) => <KpiValue id="roi" value={r.roi} />,
    },
    {
      key: "proposed",
      numeric: true,
      label: ctx.t("proposed"),
      value: (r) => r.proposed,
      render: (r) => formatKpi(r.proposed, "money", ctx.lang, ctx.workspace.currency),
    },
    { key: "reason", label: ctx.t("reason"), value: (r) => r.reason },
  ];
  return (
    <section>
      <h2>{ctx.t("budget")}</h2>
      <Show loaded={loaded}>
        {(data) => (
          <Table caption={ctx.t("budget")} rows={data.campaigns} columns={columns} initialSort="spend" />
        )}
      </Show>
    </section>
  );
}

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
      <Budget />
    </>
  );
}
