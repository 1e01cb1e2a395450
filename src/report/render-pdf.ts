import { createRequire } from "node:module";
import { openSync as openFont } from "fontkit";
import PDFDocument from "pdfkit";
import { formatFigure } from "./format-number.js";
import type { Block, Cell, Chart, ReportModel } from "./model.js";
import { SERIES_COLOURS, scaleSeries } from "./svg-chart.js";

const require = createRequire(import.meta.url);
/** DejaVu Sans (from the dejavu-fonts-ttf package) covers Latin, Greek, Cyrillic and many symbols. */
const FONT = require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf");
const FONT_BOLD = require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf");
let coverage: { has(cp: number): boolean } | null = null;

/** The font's character set, read once. */
function fontCovers(codePoint: number): boolean {
  if (coverage === null) {
    const font = openFont(FONT);
    const set = new Set("characterSet" in font ? font.characterSet : []);
    coverage = { has: (cp) => set.has(cp) };
  }
  return coverage.has(codePoint);
}

/**
 * Text the embedded font can draw: a character it has no glyph for (CJK, emoji…) becomes "?",
 * and control characters a space, so an arbitrary campaign name never breaks the PDF.
 */
export function pdfSafe(value: string): string {
  let out = "";
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += " ";
    else out += fontCovers(cp) ? ch : "?";
  }
  return out;
}

const MARGIN = 48;
const PAGE = { width: 595.28, height: 841.89 }; // A4

/** The report as a PDF, drawn with pdfkit (no browser), DejaVu Sans embedded. */
export async function renderPdf(model: ReportModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    info: { Title: pdfSafe(model.title), Author: "Sextant", CreationDate: new Date(`${model.to}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.registerFont("body", FONT);
  doc.registerFont("bold", FONT_BOLD);
  doc.font("bold").fontSize(18).text(pdfSafe(model.title));
  doc
    .font("body")
    .fontSize(10)
    .fillColor("#6b7280")
    .text(pdfSafe(`${model.subtitle} · ${model.workspace}`));
  doc.fillColor("#111827");
  for (const section of model.sections) {
    ensureSpace(doc, section.blocks[0]?.type === "chart" ? 210 : 60);
    doc.moveDown(1);
    doc.font("bold").fontSize(13).text(pdfSafe(section.title), MARGIN);
    doc.moveDown(0.3);
    for (const block of section.blocks) drawBlock(doc, block, model);
  }
  doc.end();
  return done;
}

type Doc = PDFKit.PDFDocument;

function ensureSpace(doc: Doc, needed: number): void {
  if (doc.y + needed > PAGE.height - MARGIN) doc.addPage();
}

function cellText(cell: Cell, model: ReportModel): string {
  return pdfSafe("text" in cell ? cell.text : formatFigure(cell.figure, model.lang, model.currency));
}

function drawBlock(doc: Doc, block: Block, model: ReportModel): void {
  doc.font("body").fontSize(9).fillColor("#111827");
  switch (block.type) {
    case "paragraph":
      doc.text(pdfSafe(block.text), MARGIN);
      doc.moveDown(0.4);
      return;
    case "note":
      doc.fillColor("#6b7280").text(pdfSafe(block.text), MARGIN).fillColor("#111827");
      doc.moveDown(0.4);
      return;
    case "bullets":
      for (const item of block.items) {
        ensureSpace(doc, 14);
        doc.text(`• ${pdfSafe(item)}`, MARGIN + 6, doc.y, { width: PAGE.width - 2 * MARGIN - 6 });
      }
      doc.moveDown(0.4);
      return;
    case "table":
      drawTable(
        doc,
        block.columns.map(pdfSafe),
        block.numeric,
        block.rows.map((r) => r.map((c) => cellText(c, model))),
      );
      return;
    case "chart":
      drawChart(doc, block.chart, model);
      return;
    default: {
      const unknown: never = block;
      throw new Error(`unknown block ${JSON.stringify(unknown)}`);
    }
  }
}

function drawTable(
  doc: Doc,
  columns: readonly string[],
  numeric: readonly boolean[],
  rows: readonly string[][],
): void {
  const width = PAGE.width - 2 * MARGIN;
  // Column widths follow their longest text; the font shrinks (down to 5.5 pt) until they fit,
  // so that figures do not wrap, and only then are the columns scaled to the page.
  const measure = (size: number) =>
    columns.map((c, i) => {
      doc.fontSize(size);
      const head = doc.font("bold").widthOfString(c);
      return Math.max(Math.min(head, 90), ...rows.map((r) => doc.font("body").widthOfString(r[i] ?? ""))) + 8;
    });
  let fontSize = 8;
  let natural = measure(fontSize);
  while (natural.reduce((a, b) => a + b, 0) > width && fontSize > 5.5) {
    fontSize -= 0.5;
    natural = measure(fontSize);
  }
  const total = natural.reduce((a, b) => a + b, 0);
  const widths = natural.map((w) => (total > width ? (w / total) * width : w));
  const line = (cells: readonly string[], font: "body" | "bold") => {
    doc.font(font).fontSize(fontSize);
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: (widths[i] ?? 20) - 6 }));
    const h = Math.max(...heights, fontSize) + 4;
    ensureSpace(doc, h);
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      const w = widths[i] ?? 20;
      doc.text(c, x + 3, y + 2, { width: w - 6, align: numeric[i] ? "right" : "left" });
      x += w;
    });
    doc
      .moveTo(MARGIN, y + h)
      .lineTo(MARGIN + widths.reduce((a, b) => a + b, 0), y + h)
      .lineWidth(0.3)
      .strokeColor("#d1d5db")
      .stroke();
    doc.x = MARGIN;
    doc.y = y + h;
  };
  line(columns, "bold");
  for (const row of rows) line(row, "body");
  doc.moveDown(0.6);
}

function drawChart(doc: Doc, chart: Chart, model: ReportModel): void {
  const height = 120;
  const width = PAGE.width - 2 * MARGIN - 120;
  ensureSpace(doc, height + 50);
  doc.font("bold").fontSize(9).text(pdfSafe(chart.title), MARGIN);
  const top = doc.y + 14;
  const left = MARGIN + 60;
  doc.rect(left, top, width, height).lineWidth(0.5).strokeColor("#d1d5db").stroke();
  chart.series.forEach((series, index) => {
    const colour = SERIES_COLOURS[index % SERIES_COLOURS.length] ?? "#000";
    let pen = false;
    for (const p of scaleSeries(series.values, width, height)) {
      if (p === null) {
        pen = false;
        continue;
      }
      if (pen) doc.lineTo(left + p[0], top + p[1]);
      else doc.moveTo(left + p[0], top + p[1]);
      pen = true;
    }
    doc.lineWidth(1.2).strokeColor(colour).stroke();
    const max = Math.max(0, ...series.values.filter((v): v is number => v !== null));
    const label = pdfSafe(
      `${series.label}: max ${formatFigure({ value: max, unit: series.unit }, model.lang, model.currency)}`,
    );
    doc.font("body").fontSize(7).fillColor(colour);
    doc.text(label, index === 0 ? MARGIN : left + width - 200, top - 10, {
      width: 200,
      align: index === 0 ? "left" : "right",
    });
  });
  doc.fillColor("#6b7280").fontSize(7);
  doc.text(chart.periods[0] ?? "", left, top + height + 3, { lineBreak: false });
  doc.text(chart.periods[chart.periods.length - 1] ?? "", left + width - 60, top + height + 3, {
    width: 60,
    align: "right",
  });
  doc.fillColor("#111827");
  doc.x = MARGIN;
  doc.y = top + height + 16;
}
