import { formatFigure } from "./format-number.js";
import type { Block, Cell, ReportModel } from "./model.js";

/**
 * Markdown-safe text: every character Markdown or inline HTML gives a meaning to is escaped with a
 * backslash or as an entity, and line breaks become spaces, so a campaign name stays plain text.
 */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/[\r\n\t]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_{}[\]()#!|~])/g, "\\$1");
}

/** The report as CommonMark with GFM tables; charts as their numbers (a table by period). */
export function renderMarkdown(model: ReportModel): string {
  const out: string[] = [`# ${escapeMarkdown(model.title)}`, "", escapeMarkdown(model.subtitle), ""];
  for (const section of model.sections) {
    out.push(`## ${escapeMarkdown(section.title)}`, "");
    for (const block of section.blocks) out.push(...renderBlock(block, model), "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function cellText(cell: Cell, model: ReportModel): string {
  return "text" in cell
    ? escapeMarkdown(cell.text)
    : escapeMarkdown(formatFigure(cell.figure, model.lang, model.currency));
}

function table(columns: readonly string[], numeric: readonly boolean[], rows: readonly string[][]): string[] {
  return [
    `| ${columns.map(escapeMarkdown).join(" | ")} |`,
    `| ${numeric.map((n) => (n ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

function renderBlock(block: Block, model: ReportModel): string[] {
  switch (block.type) {
    case "paragraph":
      return [escapeMarkdown(block.text)];
    case "note":
      return [`*${escapeMarkdown(block.text)}*`];
    case "bullets":
      return block.items.map((item) => `- ${escapeMarkdown(item)}`);
    case "table":
      return table(
        block.columns,
        block.numeric,
        block.rows.map((row) => row.map((cell) => cellText(cell, model))),
      );
    case "chart": {
      const { chart } = block;
      return [
        `**${escapeMarkdown(chart.title)}**`,
        "",
        ...table(
          ["", ...chart.series.map((s) => s.label)],
          [false, ...chart.series.map(() => true)],
          chart.periods.map((period, i) => [
            escapeMarkdown(period),
            ...chart.series.map((s) =>
              escapeMarkdown(
                formatFigure({ value: s.values[i] ?? null, unit: s.unit }, model.lang, model.currency),
              ),
            ),
          ]),
        ),
      ];
    }
    default: {
      const unknown: never = block;
      throw new Error(`unknown block ${JSON.stringify(unknown)}`);
    }
  }
}
