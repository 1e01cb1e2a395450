import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  deleteDefinition,
  type EditableKind,
  getDefinition,
  putDefinition,
} from "../../definitions/one-definition.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";

export const definitionQuerySchema = z.object({ workspace: z.string().optional() });
const idParams = z.object({ id: z.string().min(1).max(200) });

/**
 * Where each kind is edited one at a time. Funnels and experiments have no GET here: their
 * `GET /{id}` is the analysis, and their stored definitions are listed by `GET /api/v1/funnels`
 * and `GET /api/v1/experiments` (`saved`).
 */
export const DEFINITION_PATHS: readonly { path: string; kind: EditableKind; get: boolean }[] = [
  { path: "/api/v1/objectives/:id", kind: "objective", get: true },
  { path: "/api/v1/goals/:id", kind: "goal", get: true },
  { path: "/api/v1/alerts/rules/:id", kind: "alert_rule", get: true },
  { path: "/api/v1/funnels/:id", kind: "funnel", get: false },
  { path: "/api/v1/experiments/:id", kind: "experiment", get: false },
];

/** GET, PUT and DELETE of one definition (docs/configuration.md); writes are admin (route-table.ts). */
export function definitionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const { path, kind, get } of DEFINITION_PATHS) {
    if (get) {
      app.get(path, async (request) => {
        const q = parseOrThrow(definitionQuerySchema, request.query);
        const { id } = parseOrThrow(idParams, request.params);
        const workspace = await workspaceFor(ctx, request, q.workspace);
        return getDefinition(ctx.store, workspace.name, kind, id);
      });
    }
    app.put(path, async (request) => {
      const q = parseOrThrow(definitionQuerySchema, request.query);
      const { id } = parseOrThrow(idParams, request.params);
      const workspace = await workspaceFor(ctx, request, q.workspace);
      return putDefinition(ctx.store, workspace, kind, id, request.body);
    });
    app.delete(path, async (request) => {
      const q = parseOrThrow(definitionQuerySchema, request.query);
      const { id } = parseOrThrow(idParams, request.params);
      const workspace = await workspaceFor(ctx, request, q.workspace);
      return deleteDefinition(ctx.store, workspace, kind, id);
    });
  }
}
