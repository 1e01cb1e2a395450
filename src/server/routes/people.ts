import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { settingsSchema } from "../../model/workspace.js";
import { erasePerson, personIdSchema, showPerson } from "../../people/person.js";
import { applyRetention } from "../../people/retention.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";

export const peopleQuerySchema = z.object({ workspace: z.string().optional() });
const personParams = z.object({ id: personIdSchema });
export const retentionBodySchema = z.object({
  retention_days: settingsSchema.shape.retention_days.unwrap().describe("days kept; null keeps everything"),
});

/**
 * One person's data (GDPR access and erasure) and the workspace's retention, for admins only: an
 * admin key, or an admin's dashboard session with its CSRF token (docs/operations.md).
 */
export function peopleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/people/:id", async (request) => {
    const q = parseOrThrow(peopleQuerySchema, request.query);
    const { id } = parseOrThrow(personParams, request.params);
    return showPerson(ctx.store, await workspaceFor(ctx, request, q.workspace), id);
  });

  app.delete("/api/v1/people/:id", async (request) => {
    const q = parseOrThrow(peopleQuerySchema, request.query);
    const { id } = parseOrThrow(personParams, request.params);
    return erasePerson(ctx.store, await workspaceFor(ctx, request, q.workspace), id);
  });

  app.put("/api/v1/retention", async (request) => {
    const q = parseOrThrow(peopleQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const { retention_days } = parseOrThrow(retentionBodySchema, request.body);
    await ctx.store.updateSettings(workspace.name, { ...workspace.settings, retention_days });
    return { workspace: workspace.name, retention_days };
  });

  app.post("/api/v1/retention/apply", async (request) => {
    const q = parseOrThrow(peopleQuerySchema, request.query);
    const allowed = await workspaceFor(ctx, request, q.workspace);
    // Read again: the directory's copy may predate a retention just set.
    const workspace = (await ctx.store.listWorkspaces()).find((w) => w.name === allowed.name) ?? allowed;
    return { workspace: workspace.name, removal: await applyRetention(ctx.store, workspace, new Date()) };
  });
}
