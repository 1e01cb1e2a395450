import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseDate } from "../../model/calendar.js";
import { gatherAudit } from "../../report/gather-audit.js";
import { gatherPeriodic } from "../../report/gather-periodic.js";
import { REPORT_PERIODS } from "../../report/periods.js";
import { reportProviders } from "../../report/providers.js";
import { REPORT_FORMATS, renderReport, reportFileName } from "../../report/render.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";

const common = {
  workspace: z.string().optional().describe("defaults to the key's workspace"),
  format: z.enum(REPORT_FORMATS).describe("html, pdf, md or csv"),
  lang: z.enum(["en", "fr"]).optional().describe("default: the workspace locale"),
};

/** Query parameters of GET /api/v1/reports/audit (the CLI's flags). */
export const auditQuerySchema = z.object({
  campaign: z.string().min(1).describe("the campaign to audit"),
  from: z.string().optional().describe("first day, YYYY-MM-DD (default: the campaign's first day with data)"),
  to: z.string().optional().describe("last day, YYYY-MM-DD (default: its last day with data)"),
  ...common,
});

/** Query parameters of GET /api/v1/reports/periodic. */
export const periodicQuerySchema = z.object({
  period: z.enum(REPORT_PERIODS as ["week", "month", "quarter"]),
  as_of: z.string().optional().describe("a day of the period, reported up to it (default: yesterday)"),
  cohorts: z
    .enum(["first_order_month", "first_visit_week"])
    .optional()
    .describe("add the retention triangle of the year's cohorts"),
  ...common,
});

/** Reports as files: the body is the report, with its content type and a file name to save it as. */
export function reportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/reports/audit", async (request, reply) => {
    const q = parseOrThrow(auditQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const model = await gatherAudit(
      ctx.store,
      workspace,
      {
        campaign: q.campaign,
        lang: q.lang ?? workspace.settings.locale,
        ...(q.from ? { from: parseDate(q.from, "from") } : {}),
        ...(q.to ? { to: parseDate(q.to, "to") } : {}),
      },
      reportProviders(ctx.store, workspace),
    );
    const rendered = await renderReport(model, q.format);
    return reply
      .type(rendered.contentType)
      .header(
        "content-disposition",
        `attachment; filename="${reportFileName(model, rendered.extension, q.campaign)}"`,
      )
      .send(rendered.body);
  });

  app.get("/api/v1/reports/periodic", async (request, reply) => {
    const q = parseOrThrow(periodicQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const model = await gatherPeriodic(
      ctx.store,
      workspace,
      {
        period: q.period,
        lang: q.lang ?? workspace.settings.locale,
        ...(q.as_of ? { asOf: parseDate(q.as_of, "as_of") } : {}),
        ...(q.cohorts ? { cohorts: q.cohorts } : {}),
      },
      reportProviders(ctx.store, workspace),
    );
    const rendered = await renderReport(model, q.format);
    return reply
      .type(rendered.contentType)
      .header("content-disposition", `attachment; filename="${reportFileName(model, rendered.extension)}"`)
      .send(rendered.body);
  });
}
