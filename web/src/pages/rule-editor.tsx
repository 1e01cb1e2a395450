import { useState } from "preact/hooks";
import { sendJson } from "../api";
import { useCtx } from "../context";

const KINDS = ["threshold", "anomaly", "goal_status", "no_data"] as const;
const PERIODS = ["day", "week", "month"] as const;
const OPS = [">", ">=", "<", "<="] as const;
const CHANNELS = ["dashboard", "email", "webhook"] as const;

/** The value of a named field of a form, "" when absent. */
function value(form: HTMLFormElement, name: string): string {
  const element = form.elements.namedItem(name);
  return element instanceof HTMLInputElement || element instanceof HTMLSelectElement
    ? element.value.trim()
    : "";
}

/**
 * Administrators' form for an alert rule (docs/alerts.md): the fields a kind does not use are left
 * empty and not sent; the server checks the rule as the configuration file's `alerts:`.
 */
export function RuleEditor(props: { onSaved: () => void }) {
  const ctx = useCtx();
  const [kind, setKind] = useState<(typeof KINDS)[number]>("threshold");
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const save = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const id = value(form, "rule_id");
    const number = (name: string) => (value(form, name) === "" ? undefined : Number(value(form, name)));
    const rule: Record<string, unknown> = {
      kind,
      kpi: kind === "threshold" || kind === "anomaly" ? value(form, "kpi") : undefined,
      period: kind === "threshold" || kind === "anomaly" ? value(form, "period") : undefined,
      op: kind === "threshold" ? value(form, "op") : undefined,
      value: kind === "threshold" ? number("value") : undefined,
      hours: kind === "no_data" ? number("hours") : undefined,
      schedule: value(form, "schedule") || undefined,
      channels: CHANNELS.filter(
        (c) => (form.elements.namedItem(`channel_${c}`) as HTMLInputElement | null)?.checked,
      ),
    };
    sendJson(
      "PUT",
      `/api/v1/alerts/rules/${encodeURIComponent(id)}?workspace=${encodeURIComponent(ctx.workspace.name)}`,
      JSON.parse(JSON.stringify(rule)),
    ).then(
      () => {
        setMessage({ error: false, text: ctx.t("saved") });
        props.onSaved();
      },
      (error: unknown) =>
        setMessage({ error: true, text: error instanceof Error ? error.message : String(error) }),
    );
  };
  const measured = kind === "threshold" || kind === "anomaly";
  return (
    <section class="card wide editor" data-editor="alerts">
      <h2>{ctx.t("new_rule")}</h2>
      <form onSubmit={save}>
        <label>
          {ctx.t("id")} <input name="rule_id" required />
        </label>
        <label>
          {ctx.t("type")}{" "}
          <select
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.currentTarget.value as (typeof KINDS)[number])}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        {measured && (
          <>
            <label>
              KPI{" "}
              <select name="kpi">
                {[...ctx.catalog.values()].map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.label[ctx.lang]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {ctx.t("period")}{" "}
              <select name="period">
                {PERIODS.map((p) => (
                  <option key={p} value={p}>
                    {ctx.t(p)}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {kind === "threshold" && (
          <>
            <label>
              {ctx.t("operator")}{" "}
              <select name="op">
                {OPS.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {ctx.t("value")} <input name="value" type="number" step="any" required />
            </label>
          </>
        )}
        {kind === "no_data" && (
          <label>
            {ctx.t("hours")} <input name="hours" type="number" min="1" required />
          </label>
        )}
        <label>
          {ctx.t("schedule")} <input name="schedule" placeholder="0 8 * * *" />
        </label>
        <fieldset>
          <legend>{ctx.t("channels")}</legend>
          {CHANNELS.map((c) => (
            <label key={c}>
              <input type="checkbox" name={`channel_${c}`} defaultChecked={c === "dashboard"} /> {c}
            </label>
          ))}
        </fieldset>
        <button type="submit">{ctx.t("save_rule")}</button>
      </form>
      {message && (
        <p role={message.error ? "alert" : "status"} class={message.error ? "error pre" : "muted"}>
          {message.text}
        </p>
      )}
    </section>
  );
}

/** Deletes an alert rule (its firings stay in the history). */
export function deleteRule(workspace: string, id: string): Promise<unknown> {
  return sendJson(
    "DELETE",
    `/api/v1/alerts/rules/${encodeURIComponent(id)}?workspace=${encodeURIComponent(workspace)}`,
  );
}
