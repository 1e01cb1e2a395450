import { useState } from "preact/hooks";
import { csrfToken, getJson, routeExists } from "../api";
import { Show, useLoad } from "../components";
import { useCtx } from "../context";
import { formatDateTime } from "../format";

const KINDS = ["events", "costs", "email", "social", "orders"] as const;

/** POST /api/v1/imports with upload progress (XMLHttpRequest reports it; fetch does not). */
function Import() {
  const ctx = useCtx();
  const [kind, setKind] = useState<(typeof KINDS)[number]>("costs");
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setResult(null);
    if (!(await routeExists("/api/v1/imports"))) return setResult(ctx.t("not_available"));
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem("file") as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const body = new FormData();
    body.append("kind", kind);
    body.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/imports?workspace=${encodeURIComponent(ctx.workspace.name)}&kind=${kind}`);
    xhr.setRequestHeader("x-csrf-token", csrfToken());
    xhr.upload.onprogress = (p) => p.lengthComputable && setProgress(Math.round((p.loaded / p.total) * 100));
    xhr.onload = () => {
      setProgress(100);
      let parsed: { error?: string } = {};
      try {
        parsed = JSON.parse(xhr.responseText) as { error?: string };
      } catch {}
      if (xhr.status === 404 && /no route/.test(xhr.responseText)) setResult(ctx.t("not_available"));
      else if (xhr.status >= 400) setResult(`${ctx.t("error")}: ${parsed.error ?? xhr.status}`);
      else setResult(`${ctx.t("imported")}: ${xhr.responseText}`);
    };
    xhr.onerror = () => setResult(ctx.t("error"));
    setProgress(0);
    xhr.send(body);
  };
  return (
    <form class="stack" onSubmit={submit}>
      <label>
        {ctx.t("import_kind")}
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as "costs")}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label>
        {ctx.t("file")}
        <input type="file" name="file" required accept=".csv,.jsonl,.tsv,.txt" />
      </label>
      <button type="submit">{ctx.t("import")}</button>
      {progress !== null && (
        <label>
          {ctx.t("uploading")}
          <progress max={100} value={progress}>
            {progress} %
          </progress>
        </label>
      )}
      <p role="status" data-state="import-result" class="pre">
        {result}
      </p>
    </form>
  );
}

export function Settings() {
  const ctx = useCtx();
  const name = encodeURIComponent(ctx.workspace.name);
  const settings = useLoad(
    () => getJson<{ name: string; settings: Record<string, unknown> }>(`/api/v1/workspaces/${name}`),
    `s|${name}`,
  );
  // Keys and imports are for administrators (docs/security.md): others are not asked for them.
  const admin = ctx.session.role === "admin";
  const keys = useLoad(
    async () =>
      admin
        ? getJson<{ keys: { id: string; kind: string; createdAt: string; revokedAt: string | null }[] }>(
            `/api/v1/workspaces/${name}/keys`,
          )
        : { keys: [] },
    `k|${name}|${admin}`,
  );
  const [copied, setCopied] = useState(false);
  const snippet = `<script defer src="${location.origin}/js/sextant.js"></script>`;
  return (
    <>
      <section>
        <h2>
          {ctx.t("settings_of")} {ctx.workspace.name}
        </h2>
        <Show loaded={settings}>
          {(w) => (
            <dl class="figures">
              {Object.entries(w.settings).map(([k, v]) => (
                <>
                  <dt key={`t${k}`}>{k}</dt>
                  <dd key={`d${k}`}>{Array.isArray(v) ? v.join(", ") : String(v)}</dd>
                </>
              ))}
            </dl>
          )}
        </Show>
      </section>
      <section>
        <h2>{ctx.t("snippet")}</h2>
        <pre>
          <code id="snippet">{snippet}</code>
        </pre>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(snippet).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? ctx.t("copied") : ctx.t("copy")}
        </button>
      </section>
      <section>
        <h2>{ctx.t("keys")}</h2>
        {!admin && <p>{ctx.t("admin_only")}</p>}
        <Show loaded={keys}>
          {(k) => (
            <ul>
              {k.keys.map((key) => (
                <li key={key.id}>
                  <code>{key.id}</code> · {key.kind} · {ctx.t("created")}{" "}
                  {formatDateTime(key.createdAt, ctx.lang)}
                  {key.revokedAt ? ` · ${ctx.t("revoked")} ${formatDateTime(key.revokedAt, ctx.lang)}` : ""}
                </li>
              ))}
            </ul>
          )}
        </Show>
      </section>
      {admin && (
        <section>
          <h2>{ctx.t("import_file")}</h2>
          <Import />
        </section>
      )}
    </>
  );
}
