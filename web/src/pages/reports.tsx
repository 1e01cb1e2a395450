import { useState } from "preact/hooks";
import { routeExists } from "../api";
import { useCtx } from "../context";

const FORMATS = ["html", "pdf", "md", "csv"] as const;

/** Builds a report's URL; the browser downloads it with the session cookie. A 404 says "not yet". */
export function Reports() {
  const ctx = useCtx();
  const [kind, setKind] = useState<"periodic" | "audit">("periodic");
  const [format, setFormat] = useState<(typeof FORMATS)[number]>("html");
  const [period, setPeriod] = useState("month");
  const [campaign, setCampaign] = useState("");
  const [status, setStatus] = useState<string | null>(null);
  const params = new URLSearchParams({ workspace: ctx.workspace.name, format, lang: ctx.lang });
  if (kind === "periodic") {
    params.set("period", period);
    params.set("as_of", ctx.to);
  } else {
    params.set("campaign", campaign);
    params.set("from", ctx.from);
    params.set("to", ctx.to);
  }
  const href = `/api/v1/reports/${kind}?${params}`;
  const generate = async (e: Event) => {
    e.preventDefault();
    setStatus(ctx.t("loading"));
    if (!(await routeExists(`/api/v1/reports/${kind}`))) return setStatus(ctx.t("not_available"));
    const response = await fetch(href, { credentials: "same-origin" });
    if (response.status === 404 && /no route/.test(await response.clone().text()))
      return setStatus(ctx.t("not_available"));
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      return setStatus(`${ctx.t("error")}: ${body.error ?? response.status}`);
    }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = `${kind}-${ctx.workspace.name}.${format}`;
    a.click();
    URL.revokeObjectURL(url);
    setStatus(ctx.t("download"));
  };
  return (
    <form class="stack" onSubmit={generate}>
      <label>
        {ctx.t("report_kind")}
        <select
          name="kind"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as "periodic" | "audit")}
        >
          <option value="periodic">{ctx.t("periodic")}</option>
          <option value="audit">{ctx.t("audit")}</option>
        </select>
      </label>
      {kind === "periodic" ? (
        <label>
          {ctx.t("period")}
          <select name="period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
            <option value="week">{ctx.t("week")}</option>
            <option value="month">{ctx.t("month")}</option>
            <option value="quarter">{ctx.t("quarter")}</option>
          </select>
        </label>
      ) : (
        <label>
          {ctx.t("campaign")}
          <input
            name="campaign"
            required
            value={campaign}
            onInput={(e) => setCampaign(e.currentTarget.value)}
          />
        </label>
      )}
      <label>
        {ctx.t("format")}
        <select name="format" value={format} onChange={(e) => setFormat(e.currentTarget.value as "html")}>
          {FORMATS.map((f) => (
            <option key={f} value={f}>
              {f.toUpperCase()}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">{ctx.t("generate")}</button>
      <p role="status" class="muted" data-state="report-status">
        {status}
      </p>
    </form>
  );
}
