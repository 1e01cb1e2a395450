import { useEffect, useState } from "preact/hooks";
import { getJson, sendJson } from "../api";
import { useCtx } from "../context";

export interface FunnelDefinition {
  id: string;
  steps: string[];
  window?: string;
}

/**
 * Administrators' form for a funnel: steps one per line, in the syntax of
 * docs/funnels-and-experiments.md, picked from the pages seen over the range and the steps of the
 * saved funnels. One PUT per save, checked by the server as the configuration file is.
 */
export function FunnelEditor(props: {
  funnels: FunnelDefinition[];
  editing: FunnelDefinition | null;
  onSaved: (id: string | null) => void;
}) {
  const ctx = useCtx();
  const { editing } = props;
  const [steps, setSteps] = useState<string[]>(editing?.steps ?? []);
  const [seen, setSeen] = useState<string[]>([]);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const workspace = encodeURIComponent(ctx.workspace.name);

  useEffect(() => setSteps(editing?.steps ?? []), [editing?.id]);
  useEffect(() => {
    const params = new URLSearchParams({
      workspace: ctx.workspace.name,
      from: ctx.from,
      to: ctx.to,
      kpis: "pageviews",
      group_by: "page",
    });
    getJson<{ rows: Record<string, string | number | null>[] }>("/api/v1/kpis", params).then(
      (r) => setSeen(r.rows.map((row) => `pageview ${String(row.page)}`)),
      () => setSeen([]),
    );
  }, [ctx.workspace.name, ctx.from, ctx.to]);
  const saved = props.funnels.flatMap((f) => f.steps);
  const choices = [...new Set([...saved, ...seen])];

  const report = (error: unknown) =>
    setMessage({ error: true, text: error instanceof Error ? error.message : String(error) });
  const save = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const id = (form.elements.namedItem("funnel_id") as HTMLInputElement).value.trim();
    const window = (form.elements.namedItem("window") as HTMLInputElement).value.trim();
    sendJson("PUT", `/api/v1/funnels/${encodeURIComponent(id)}?workspace=${workspace}`, {
      steps,
      ...(window ? { window } : {}),
    }).then(() => {
      setMessage({ error: false, text: ctx.t("saved") });
      props.onSaved(id);
    }, report);
  };
  const remove = () => {
    if (!editing) return;
    sendJson("DELETE", `/api/v1/funnels/${encodeURIComponent(editing.id)}?workspace=${workspace}`).then(
      () => {
        setMessage({ error: false, text: ctx.t("deleted") });
        props.onSaved(null);
      },
      report,
    );
  };
  const add = (form: HTMLFormElement) => {
    const input = form.elements.namedItem("add_step") as HTMLInputElement;
    const step = input.value.trim();
    if (step) setSteps([...steps, step]);
    input.value = "";
  };

  return (
    <section class="card wide editor" data-editor="funnels">
      <h2>{editing ? `${ctx.t("edit")} ${editing.id}` : ctx.t("new_funnel")}</h2>
      <form onSubmit={save} key={editing?.id ?? "new"}>
        <label>
          {ctx.t("id")}{" "}
          <input name="funnel_id" required defaultValue={editing?.id ?? ""} readOnly={editing !== null} />
        </label>
        <ol class="steps">
          {steps.map((s, i) => (
            <li key={`${i}|${s}`}>
              {s}{" "}
              <button type="button" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                {ctx.t("remove")}
              </button>
            </li>
          ))}
        </ol>
        <label>
          {ctx.t("add_step")} <input name="add_step" list="funnel-steps" placeholder="pageview /pricing" />
        </label>
        <datalist id="funnel-steps">
          {choices.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <button type="button" onClick={(e) => add(e.currentTarget.form as HTMLFormElement)}>
          {ctx.t("add_step")}
        </button>
        <label>
          {ctx.t("window")} <input name="window" placeholder="7d" defaultValue={editing?.window ?? ""} />
        </label>
        <button type="submit">{ctx.t("save_funnel")}</button>
        {editing && (
          <button type="button" onClick={remove}>
            {ctx.t("delete")}
          </button>
        )}
      </form>
      {message && (
        <p role={message.error ? "alert" : "status"} class={message.error ? "error pre" : "muted"}>
          {message.text}
        </p>
      )}
    </section>
  );
}
