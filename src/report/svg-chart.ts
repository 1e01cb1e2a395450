import { escapeHtml } from "../escape-html.js";
import type { Lang } from "../model/lang.js";
import { formatNumber } from "./format-number.js";
import type { Chart } from "./model.js";

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 90, right: 90, top: 28, bottom: 32 };
export const SERIES_COLOURS = ["#2563eb", "#d97706"];

/** Points of one series scaled into the plot box; null values break the line. */
export function scaleSeries(
  values: readonly (number | null)[],
  width: number,
  height: number,
): (readonly [number, number] | null)[] {
  const known = values.filter((v): v is number => v !== null);
  const max = Math.max(0, ...known);
  const min = Math.min(0, ...known);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((v, i) =>
    v === null ? null : ([i * step, height - ((v - min) / span) * height] as const),
  );
}

/** An inline SVG line chart: one or two series, each on its own scale (left and right axes). */
export function svgChart(chart: Chart, lang: Lang, currency: string): string {
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const parts: string[] = [];
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${w}" height="${h}" fill="#fff" stroke="#ddd"/>`);
  chart.series.forEach((series, index) => {
    const colour = SERIES_COLOURS[index % SERIES_COLOURS.length];
    const points = scaleSeries(series.values, w, h);
    let path = "";
    let pen = false;
    for (const p of points) {
      if (p === null) {
        pen = false;
        continue;
      }
      path += `${pen ? "L" : "M"}${(PAD.left + p[0]).toFixed(1)} ${(PAD.top + p[1]).toFixed(1)} `;
      pen = true;
    }
    if (path) parts.push(`<path d="${path.trim()}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    const known = series.values.filter((v): v is number => v !== null);
    const max = Math.max(0, ...known);
    const x = index === 0 ? PAD.left - 6 : PAD.left + w + 6;
    const anchor = index === 0 ? "end" : "start";
    parts.push(
      `<text x="${x}" y="${PAD.top + 4}" text-anchor="${anchor}" fill="${colour}">${escapeHtml(formatNumber(max, series.unit, lang, currency))}</text>`,
    );
    parts.push(
      `<text x="${index === 0 ? PAD.left : PAD.left + w}" y="${PAD.top - 10}" text-anchor="${index === 0 ? "start" : "end"}" fill="${colour}">${escapeHtml(series.label)}</text>`,
    );
  });
  const first = chart.periods[0] ?? "";
  const last = chart.periods[chart.periods.length - 1] ?? "";
  parts.push(`<text x="${PAD.left}" y="${HEIGHT - 10}">${escapeHtml(first)}</text>`);
  parts.push(`<text x="${PAD.left + w}" y="${HEIGHT - 10}" text-anchor="end">${escapeHtml(last)}</text>`);
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(chart.title)}" font-size="11" font-family="sans-serif">${parts.join("")}</svg>`;
}
