import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ATTRIBUTIONS, runKpiQuery } from "../../kpi/run-query.js";
import { INTERVALS } from "../../model/calendar.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor, workspacesFor } from "../access.js";
import type { ServerContext } from "../context.js";

const list = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  );

/** Query parameters of /api/v1/kpis: the CLI's flags, dashes as underscores, `where` repeated (docs/command-line.md#over-http). */
export const kpiQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
  kpis: list.describe("comma-separated KPI ids (default: all)"),
  from: z.string().optional().describe("first day, YYYY-MM-DD"),
  to: z.string().optional().describe("last day, YYYY-MM-DD"),
  interval: z.enum(INTERVALS).optional(),
  group_by: list.describe(
    "comma-separated dimensions; `page` (a page view's path) applies to pageviews, visitors, time_on_page and scroll_depth only",
  ),
  where: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .describe("dimension=value, repeatable"),
  attribution: z
    .enum(ATTRIBUTIONS)
    .optional()
    .describe("attribution model for this query (default: the workspace's)"),
});

export const workspaceParams = z.object({ name: z.string() });

/** KPIs and workspaces: a key sees its own workspace and nothing else (403 for any other name). */
export function queryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/kpis", async (request) => {
    const q = parseOrThrow(kpiQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const timer = ctx.metrics.querySeconds.startTimer();
    try {
      return await runKpiQuery(ctx.store, workspace, {
        kpis: q.kpis,
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        interval: q.interval ?? null,
        groupBy: q.group_by,
        where: q.where,
        ...(q.attribution ? { attribution: q.attribution } : {}),
      });
    } finally {
      timer();
    }
  });

  app.get("/api/v1/workspaces", async (request) => {
    return { workspaces: await workspacesFor(ctx, request) };
  });

  app.get("/api/v1/workspaces/:name", async (request) => {
    return workspaceFor(ctx, request, parseOrThrow(workspaceParams, request.params).name);
  });

  app.get("/api/v1/workspaces/:name/keys", async (request) => {
    const workspace = await workspaceFor(ctx, request, parseOrThrow(workspaceParams, request.params).name);
    return { keys: await ctx.store.listKeys(workspace.name) };
  });
}
