import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { scheduleIssues } from "../../definitions/schedule-issues.js";
import { reportScheduleSchema } from "../../definitions/schemas.js";
import { UserError } from "../../errors.js";
import { deliveryHistory } from "../../report/schedules/deliveries.js";
import { scheduleOverview } from "../../report/schedules/list-schedules.js";
import { findSchedule, SCHEDULE_KIND } from "../../report/schedules/send-report.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";

export const scheduleQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
});

export const scheduleParamsSchema = z.object({ id: z.string().min(1).describe("the schedule's id") });

/**
 * Report schedules and their history (read key), and schedules created, replaced or deleted
 * (admin key or signed-in admin), as `sextant report schedules|history` and the `reports:` key of
 * the configuration file. A running `sextant serve` picks the change up at its next refresh.
 */
export function reportScheduleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/reports/schedules", async (request) => {
    const q = parseOrThrow(scheduleQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return scheduleOverview(ctx.store, workspace);
  });

  app.post("/api/v1/reports/schedules", async (request, reply) => {
    const q = parseOrThrow(scheduleQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const schedule = parseOrThrow(reportScheduleSchema, request.body);
    const issues = scheduleIssues(schedule);
    const first = issues[0];
    if (first) {
      throw new UserError(
        `${first.key ?? "schedule"}: ${first.reason}.`,
        issues.map((i) => ({ field: i.key ?? "body", reason: i.reason })),
      );
    }
    const existed = (await ctx.store.listDocuments(workspace.name, SCHEDULE_KIND)).some(
      (d) => d.id === schedule.id,
    );
    await ctx.store.writeDocuments(workspace.name, [
      { kind: SCHEDULE_KIND, id: schedule.id, body: schedule },
    ]);
    return reply.status(existed ? 200 : 201).send(schedule);
  });

  app.delete("/api/v1/reports/schedules/:id", async (request) => {
    const q = parseOrThrow(scheduleQuerySchema, request.query);
    const { id } = parseOrThrow(scheduleParamsSchema, request.params);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    await findSchedule(ctx.store, workspace.name, id);
    await ctx.store.writeDocuments(workspace.name, [{ kind: SCHEDULE_KIND, id, body: null }]);
    return { deleted: id };
  });

  app.get("/api/v1/reports/history", async (request) => {
    const q = parseOrThrow(scheduleQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return deliveryHistory(ctx.store, workspace.name);
  });
}
