import type { ReportModel } from "./model.js";
import { renderCsv } from "./render-csv.js";
import { renderHtml } from "./render-html.js";
import { renderMarkdown } from "./render-markdown.js";

export const REPORT_FORMATS = ["html", "pdf", "md", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderedReport {
  readonly body: Buffer;
  readonly contentType: string;
  readonly extension: string;
}

/** Writes a report model in a format. */
export async function renderReport(model: ReportModel, format: ReportFormat): Promise<RenderedReport> {
  switch (format) {
    case "html":
      return {
        body: Buffer.from(renderHtml(model)),
        contentType: "text/html; charset=utf-8",
        extension: "html",
      };
    case "md":
      return {
        body: Buffer.from(renderMarkdown(model)),
        contentType: "text/markdown; charset=utf-8",
        extension: "md",
      };
    case "csv":
      // A BOM so that spreadsheets read the file as UTF-8.
      return {
        body: Buffer.from(`\uFEFF${renderCsv(model)}`),
        contentType: "text/csv; charset=utf-8",
        extension: "csv",
      };
    case "pdf":
      // Loaded on demand: the PDF library and its fonts cost more to load than every other format.
      return {
        body: await (await import("./render-pdf.js")).renderPdf(model),
        contentType: "application/pdf",
        extension: "pdf",
      };
    default: {
      const unknown: never = format;
      throw new Error(`unknown format ${String(unknown)}`);
    }
  }
}

/** A file name for a report: kind, campaign (letters and digits only) and dates. */
export function reportFileName(model: ReportModel, extension: string, campaign?: string): string {
  const slug =
    campaign === undefined
      ? ""
      : `-${
          campaign
            .normalize("NFKD")
            .replace(/[^A-Za-z0-9]+/g, "-")
            .replace(/^-|-$/g, "")
            .slice(0, 40) || "campaign"
        }`;
  return `sextant-${model.kind}${slug}-${model.from}-${model.to}.${extension}`;
}
