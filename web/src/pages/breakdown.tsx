import { getJson, type KpiResult } from "../api";
import { type Column, KpiLabel, KpiValue, Show, Table, useLoad } from "../components";
import { kpiParams, useCtx } from "../context";

type Row = KpiResult["rows"][number];

/** Totals of some KPIs as cards, read from one query. */
export function Totals({ kpis }: { kpis: string[] }) {
  const ctx = useCtx();
  const params = kpiParams(ctx, { kpis: kpis.join(",") });
  const loaded = useLoad(() => getJson<KpiResult>("/api/v1/kpis", params), String(params));
  return (
    <Show loaded={loaded}>
      {(data) => (
        <ul class="cards small">
          {data.kpis.map((id) => (
            <li key={id} class="card">
              <h2>
                <KpiLabel id={id} />
              </h2>
              <p class="big">
                <KpiValue id={id} value={data.totals[id] ?? null} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </Show>
  );
}

/** KPIs grouped by one dimension, as a sortable table. */
export function Breakdown({
  dimension,
  kpis,
  caption,
}: {
  dimension: string;
  kpis: string[];
  caption: string;
}) {
  const ctx = useCtx();
  const params = kpiParams(ctx, { kpis: kpis.join(","), group_by: dimension });
  const loaded = useLoad(() => getJson<KpiResult>("/api/v1/kpis", params), String(params));
  const columns: Column<Row>[] = [
    { key: dimension, label: ctx.t("dimension"), value: (r) => String(r[dimension] ?? "") },
    ...kpis.map((id) => ({
      key: id,
      numeric: true,
      label: <KpiLabel id={id} />,
      value: (r: Row) => r[id] as number | null,
      render: (r: Row) => <KpiValue id={id} value={r[id] as number | null} />,
    })),
  ];
  return (
    <section>
      <h2>{caption}</h2>
      <Show loaded={loaded}>
        {(data) => <Table caption={caption} rows={data.rows} columns={columns} initialSort={kpis[0]} />}
      </Show>
    </section>
  );
}
