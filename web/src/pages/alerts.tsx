import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { getJson } from "../api";
import { Empty, Show, useLoad } from "../components";
import { useCtx } from "../context";
import { formatDateTime, formatNumber } from "../format";
import { deleteRule, RuleEditor } from "./rule-editor";

interface Delivery {
  channel: string;
  status: "delivered" | "failed" | "suppressed";
  attempts: number;
  error: string | null;
}
interface Firing {
  rule: string;
  fired_at: string;
  period: { from: string; to: string };
  value: number | null;
  threshold: number | null;
  deliveries: Delivery[];
}
interface Rule {
  id: string;
  kind: string;
  kpi?: string;
  op?: string;
  value?: number;
  period?: string;
}

export function Alerts() {
  const ctx = useCtx();
  const admin = ctx.session.role === "admin";
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const params = new URLSearchParams({ workspace: ctx.workspace.name });
  const rules = useLoad(
    () => getJson<{ rules: Rule[] } | Rule[]>("/api/v1/alerts/rules", params),
    `r|${params}|${version}`,
  );
  const history = useLoad(() => getJson<Firing[]>("/api/v1/alerts/history", params), `h|${params}`);
  return (
    <>
      {admin && <RuleEditor onSaved={reload} />}
      <section>
        <h2>{ctx.t("rules")}</h2>
        <Show loaded={rules}>
          {(data) => {
            const list = Array.isArray(data) ? data : data.rules;
            return list.length === 0 ? (
              <Empty what="empty_rules" command="sextant config apply sextant.yaml" doc="alerts.md" />
            ) : (
              <ul>
                {list.map((r) => (
                  <li key={r.id}>
                    <strong>{r.id}</strong> ({r.kind}) {r.kpi ?? ""} {r.op ?? ""}{" "}
                    {r.value === undefined ? "" : formatNumber(r.value, ctx.lang)} {r.period ?? ""}
                    {admin && (
                      <>
                        {" "}
                        <button
                          type="button"
                          aria-label={`${ctx.t("delete")} ${r.id}`}
                          onClick={() =>
                            void deleteRule(ctx.workspace.name, r.id).then(reload, () => reload())
                          }
                        >
                          {ctx.t("delete")}
                        </button>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            );
          }}
        </Show>
      </section>
      <Show loaded={history}>
        {(firings) => {
          const failed = firings.filter((f) => f.deliveries.some((d) => d.status === "failed"));
          const row = (f: Firing) => (
            <tr key={`${f.rule}|${f.fired_at}`}>
              <th scope="row">{f.rule}</th>
              <td>{formatDateTime(f.fired_at, ctx.lang)}</td>
              <td>
                {f.period.from} → {f.period.to}
              </td>
              <td class="num">{formatNumber(f.value, ctx.lang)}</td>
              <td>
                {f.deliveries
                  .map((d) => `${d.channel}: ${d.status}${d.error ? ` (${d.error})` : ""}`)
                  .join(", ")}
              </td>
            </tr>
          );
          const table = (rows: Firing[], caption: string, empty: ComponentChildren) =>
            rows.length === 0 ? (
              empty
            ) : (
              <div class="table-wrap">
                <table>
                  <caption>{caption}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{ctx.t("rules")}</th>
                      <th scope="col">{ctx.t("fired_at")}</th>
                      <th scope="col">{ctx.t("period")}</th>
                      <th scope="col" class="num">
                        {ctx.t("value")}
                      </th>
                      <th scope="col">{ctx.t("deliveries")}</th>
                    </tr>
                  </thead>
                  <tbody>{rows.map(row)}</tbody>
                </table>
              </div>
            );
          return (
            <>
              <section>
                <h2>{ctx.t("failed_deliveries")}</h2>
                {table(failed, ctx.t("failed_deliveries"), <p class="muted">{ctx.t("empty_failed")}</p>)}
              </section>
              <section>
                <h2>{ctx.t("history")}</h2>
                {table(
                  firings,
                  ctx.t("history"),
                  <Empty what="empty_history" command="sextant alerts run" doc="alerts.md" />,
                )}
              </section>
            </>
          );
        }}
      </Show>
    </>
  );
}
