import { escapeHtml } from "../escape-html.js";
import { formatFigure } from "./format-number.js";
import type { Block, Cell, ReportModel } from "./model.js";
import { svgChart } from "./svg-chart.js";

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.2rem}
.sub{color:#6b7280;margin-top:0}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #f0f0f0;text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{color:#6b7280;font-style:italic}.t{overflow-x:auto}svg{max-width:100%;height:auto;display:block;margin:.5rem 0}
@media print{body{margin:0}h2{break-after:avoid}table,svg{break-inside:avoid}}`;

/**
 * The report as one self-contained HTML file: inline CSS and SVG, no script, no external URL.
 * Every KPI value carries data-kpi and data-value (the raw number), as on the dashboard (docs/dashboard.md#pages).
 */
export function renderHtml(model: ReportModel): string {
  const body: string[] = [
    `<h1>${escapeHtml(model.title)}</h1>`,
    `<p class="sub">${escapeHtml(model.subtitle)} · ${escapeHtml(model.workspace)}</p>`,
  ];
  for (const section of model.sections) {
    body.push(`<section id="${escapeHtml(section.id)}"><h2>${escapeHtml(section.title)}</h2>`);
    for (const block of section.blocks) body.push(renderBlock(block, model));
    body.push("</section>");
  }
  return `<!DOCTYPE html>
<html lang="${model.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join("\n")}
</body>
</html>
`;
}

function cell(c: Cell, model: ReportModel, numeric: boolean): string {
  const cls = numeric ? ' class="n"' : "";
  if ("text" in c) return `<td${cls}>${escapeHtml(c.text)}</td>`;
  const shown = escapeHtml(formatFigure(c.figure, model.lang, model.currency));
  const data =
    c.figure.kpi === undefined
      ? ""
      : ` data-kpi="${escapeHtml(c.figure.kpi)}" data-value="${c.figure.value === null ? "" : String(c.figure.value)}"`;
  return `<td${cls}${data}>${shown}</td>`;
}

function renderBlock(block: Block, model: ReportModel): string {
  switch (block.type) {
    case "paragraph":
      return `<p>${escapeHtml(block.text)}</p>`;
    case "note":
      return `<p class="note">${escapeHtml(block.text)}</p>`;
    case "bullets":
      return `<ul>${block.items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`;
    case "table": {
      const head = block.columns
        .map((c, i) => `<th${block.numeric[i] ? ' class="n"' : ""}>${escapeHtml(c)}</th>`)
        .join("");
      const rows = block.rows
        .map((row) => `<tr>${row.map((c, i) => cell(c, model, block.numeric[i] ?? false)).join("")}</tr>`)
        .join("\n");
      return `<div class="t"><table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
    }
    case "chart":
      return `<figure><figcaption>${escapeHtml(block.chart.title)}</figcaption>${svgChart(block.chart, model.lang, model.currency)}</figure>`;
    default: {
      const unknown: never = block;
      throw new Error(`unknown block ${JSON.stringify(unknown)}`);
    }
  }
}
