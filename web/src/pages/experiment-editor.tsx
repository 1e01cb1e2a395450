import { useState } from "preact/hooks";
import { sendJson } from "../api";
import { useCtx } from "../context";

/** The value of a named field of a form, "" when absent. */
function value(form: HTMLFormElement, name: string): string {
  const element = form.elements.namedItem(name);
  return element instanceof HTMLInputElement ? element.value.trim() : "";
}

/**
 * Administrators' form to save an experiment's definition (docs/funnels-and-experiments.md): its
 * id is offered from the experiments seen in Experiment Viewed events; empty fields are not sent.
 */
export function ExperimentEditor(props: { seen: string[]; onSaved: (id: string) => void }) {
  const ctx = useCtx();
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const save = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const id = value(form, "experiment_id");
    const optional = (name: string) => (value(form, name) ? { [name]: value(form, name) } : {});
    sendJson(
      "PUT",
      `/api/v1/experiments/${encodeURIComponent(id)}?workspace=${encodeURIComponent(ctx.workspace.name)}`,
      {
        conversion: value(form, "conversion"),
        ...optional("control"),
        ...optional("from"),
        ...optional("to"),
      },
    ).then(
      () => {
        setMessage({ error: false, text: ctx.t("saved") });
        props.onSaved(id);
      },
      (error: unknown) =>
        setMessage({ error: true, text: error instanceof Error ? error.message : String(error) }),
    );
  };
  return (
    <section class="card wide editor" data-editor="experiments">
      <h2>{ctx.t("new_experiment")}</h2>
      <form onSubmit={save}>
        <label>
          {ctx.t("id")} <input name="experiment_id" required list="experiments-seen" />
        </label>
        <datalist id="experiments-seen">
          {props.seen.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <label>
          {ctx.t("conversion_event")} <input name="conversion" required placeholder="Signed Up" />
        </label>
        <label>
          {ctx.t("control_variation")} <input name="control" placeholder="control" />
        </label>
        <label>
          {ctx.t("from")} <input name="from" type="date" />
        </label>
        <label>
          {ctx.t("to")} <input name="to" type="date" />
        </label>
        <button type="submit">{ctx.t("save_experiment")}</button>
      </form>
      {message && (
        <p role={message.error ? "alert" : "status"} class={message.error ? "error pre" : "muted"}>
          {message.text}
        </p>
      )}
    </section>
  );
}
