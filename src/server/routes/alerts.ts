import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { runTimeAsOf } from "../../alerts/periods.js";
import { loadRules } from "../../alerts/rules.js";
import { type AlertDeps, alertHistory, runAlerts } from "../../alerts/run-alerts.js";
import { dateSchema } from "../../definitions/schemas.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";

export const alertsQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
});

export const alertsRunQuerySchema = alertsQuerySchema.extend({
  as_of: dateSchema.optional().describe("replay a day, YYYY-MM-DD (default: now)"),
});

/** Alert rules and history (read key), and a run on demand (admin key), as `sextant alerts`. */
export function alertRoutes(app: FastifyInstance, ctx: ServerContext, deps: AlertDeps): void {
  app.get("/api/v1/alerts/rules", async (request) => {
    const q = parseOrThrow(alertsQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return loadRules(ctx.store, workspace.name);
  });

  app.get("/api/v1/alerts/history", async (request) => {
    const q = parseOrThrow(alertsQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return alertHistory(ctx.store, workspace.name);
  });

  app.post("/api/v1/alerts/run", async (request) => {
    const q = parseOrThrow(alertsRunQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const runTime = q.as_of === undefined ? new Date() : runTimeAsOf(q.as_of, workspace.settings.timezone);
    return runAlerts(ctx.store, workspace, { runTime }, deps);
  });
}
