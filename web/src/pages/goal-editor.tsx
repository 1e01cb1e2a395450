import { useEffect, useState } from "preact/hooks";
import { getJson, sendJson } from "../api";
import { useCtx } from "../context";

export interface Objective {
  id: string;
  type: "awareness" | "conversion" | "loyalty";
  title: string;
  goals: string[];
}

/** A goal as PUT /api/v1/goals/{id} takes it (docs/configuration.md). */
export interface GoalDefinition {
  id: string;
  objective: string;
  kpi: string;
  target: number;
  start: string;
  deadline: string;
}

const TYPES = ["awareness", "conversion", "loyalty"] as const;

/** The value of a named field of a submitted form. */
function field(form: HTMLFormElement, name: string): string {
  const element = form.elements.namedItem(name);
  return element instanceof HTMLInputElement || element instanceof HTMLSelectElement
    ? element.value.trim()
    : "";
}

/**
 * Administrators' forms for objectives and goals (viewers and share links never see them): each
 * save is one PUT, checked by the server as the configuration file is; its refusal is shown as is.
 */
export function GoalEditor(props: {
  objectives: Objective[];
  editing: GoalDefinition | null;
  onSaved: () => void;
}) {
  const ctx = useCtx();
  const { objectives, editing } = props;
  const [objective, setObjective] = useState(editing?.objective ?? objectives[0]?.id ?? "");
  const [suggested, setSuggested] = useState<{ id: string; label: string }[]>([]);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const type = objectives.find((o) => o.id === objective)?.type;

  useEffect(
    () => setObjective(editing?.objective ?? objectives[0]?.id ?? ""),
    [editing?.id, objectives.length],
  );
  useEffect(() => {
    if (!type) return setSuggested([]);
    getJson<{ kpis: { id: string; label: string }[] }>(
      "/api/v1/kpis/suggest",
      new URLSearchParams({ type, lang: ctx.lang }),
    ).then(
      (r) => setSuggested(r.kpis),
      () => setSuggested([]),
    );
  }, [type, ctx.lang]);

  const save = (path: string, body: unknown) =>
    sendJson("PUT", `${path}?workspace=${encodeURIComponent(ctx.workspace.name)}`, body).then(
      () => {
        setMessage({ error: false, text: ctx.t("saved") });
        props.onSaved();
      },
      (error: unknown) =>
        setMessage({ error: true, text: error instanceof Error ? error.message : String(error) }),
    );

  const saveGoal = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const id = field(form, "goal_id");
    const path = `/api/v1/goals/${encodeURIComponent(id)}`;
    // An edit keeps what the form does not show (where, kind, window_days, baseline).
    const stored = editing
      ? await getJson<Record<string, unknown>>(path, new URLSearchParams({ workspace: ctx.workspace.name }))
      : {};
    await save(path, {
      ...stored,
      id,
      objective: field(form, "objective"),
      kpi: field(form, "kpi"),
      target: Number(field(form, "target")),
      start: field(form, "start"),
      deadline: field(form, "deadline"),
    });
  };
  const saveObjective = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const id = field(form, "objective_id");
    void save(`/api/v1/objectives/${encodeURIComponent(id)}`, {
      type: field(form, "type"),
      title: field(form, "title"),
    });
  };

  const suggestedIds = new Set(suggested.map((s) => s.id));
  const others = [...ctx.catalog.values()].filter((k) => !suggestedIds.has(k.id));
  return (
    <section class="card wide editor" data-editor="goals">
      <h2>{editing ? `${ctx.t("edit_goal")} ${editing.id}` : ctx.t("new_goal")}</h2>
      <form onSubmit={(e) => void saveGoal(e)} key={editing?.id ?? "new"}>
        <label>
          {ctx.t("id")}{" "}
          <input name="goal_id" required defaultValue={editing?.id ?? ""} readOnly={editing !== null} />
        </label>
        <label>
          {ctx.t("objective")}{" "}
          <select name="objective" value={objective} onChange={(e) => setObjective(e.currentTarget.value)}>
            {objectives.map((o) => (
              <option key={o.id} value={o.id}>
                {o.title} ({o.type})
              </option>
            ))}
          </select>
        </label>
        <label>
          KPI{" "}
          <select name="kpi" defaultValue={editing?.kpi}>
            <optgroup label={ctx.t("suggested")}>
              {suggested.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.label}
                </option>
              ))}
            </optgroup>
            <optgroup label={ctx.t("all_kpis")}>
              {others.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.label[ctx.lang]}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          {ctx.t("target")}{" "}
          <input
            name="target"
            type="number"
            step="any"
            required
            defaultValue={editing ? String(editing.target) : ""}
          />
        </label>
        <label>
          {ctx.t("start")}{" "}
          <input name="start" type="date" required defaultValue={editing?.start ?? ctx.from} />
        </label>
        <label>
          {ctx.t("deadline")}{" "}
          <input name="deadline" type="date" required defaultValue={editing?.deadline ?? ""} />
        </label>
        <button type="submit">{ctx.t("save_goal")}</button>
      </form>
      <form onSubmit={saveObjective}>
        <label>
          {ctx.t("new_objective")} <input name="objective_id" required placeholder="grow-sales" />
        </label>
        <label>
          {ctx.t("type")}{" "}
          <select name="type">
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          {ctx.t("title")} <input name="title" required />
        </label>
        <button type="submit">{ctx.t("save_objective")}</button>
      </form>
      {message && (
        <p role={message.error ? "alert" : "status"} class={message.error ? "error pre" : "muted"}>
          {message.text}
        </p>
      )}
    </section>
  );
}

/** Deletes a goal (admins only), then reloads the page's figures. */
export async function deleteGoal(workspace: string, id: string): Promise<void> {
  await sendJson(
    "DELETE",
    `/api/v1/goals/${encodeURIComponent(id)}?workspace=${encodeURIComponent(workspace)}`,
  );
}
