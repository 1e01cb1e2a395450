import { KPI_BY_ID } from "../kpi/catalog.js";
import { formatValue } from "../kpi/format.js";
import type { KpiResult } from "../kpi/run-query.js";
import type { Workspace } from "../workspace/settings.js";
import { escapeHtml } from "./html.js";

/** A plain page listing every workspace's KPIs over its data (until the dashboard lands). */
export function overviewPage(sections: readonly { workspace: Workspace; result: KpiResult }[]): string {
  const body = sections.length
    ? sections.map(({ workspace, result }) => section(workspace, result)).join("\n")
    : "<p>No workspace yet. Run <code>sextant demo</code> or <code>sextant workspace create NAME</code>.</p>";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sextant</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1d2433}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .6rem;border-bottom:1px solid #e3e6ec;text-align:left}
td.v{text-align:right;font-variant-numeric:tabular-nums}small{color:#667}
</style></head>
<body><h1>Sextant</h1>
<p><small>KPIs as defined in the specification; JSON at <a href="/api/v1/kpis">/api/v1/kpis</a>.</small></p>
${body}
</body></html>`;
}

function section(workspace: Workspace, result: KpiResult): string {
  const { locale, currency } = workspace.settings;
  const rows = result.kpis
    .map((id) => {
      const def = KPI_BY_ID.get(id);
      const value = result.totals[id] ?? null;
      const shown = def
        ? formatValue(value, def.unit, locale, currency)
        : value === null
          ? "—"
          : String(value);
      return `<tr><th scope="row">${escapeHtml(def?.label[locale] ?? id)}</th><td class="v">${escapeHtml(shown)}</td><td><small>${escapeHtml(def?.definition ?? "custom KPI")}</small></td></tr>`;
    })
    .join("\n");
  return `<section><h2>${escapeHtml(workspace.name)}</h2>
<p><small>${escapeHtml(result.from)} → ${escapeHtml(result.to)} · ${escapeHtml(workspace.settings.timezone)}</small></p>
<table><thead><tr><th>KPI</th><th>Value</th><th>Definition</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}
