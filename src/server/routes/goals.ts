import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { applyConfig } from "../../definitions/apply-config.js";
import { type ConfigSource, jsonConfigSource, parseConfigYaml } from "../../definitions/config-source.js";
import { configYaml, exportConfig } from "../../definitions/export-config.js";
import { OBJECTIVE_TYPES } from "../../definitions/schemas.js";
import { UserError } from "../../errors.js";
import { loadGoalDefinitions } from "../../goals/definitions.js";
import { evaluateGoals } from "../../goals/evaluate.js";
import { reviewKpis } from "../../goals/review.js";
import { goalHistory, SNAPSHOT_INTERVALS } from "../../goals/snapshots.js";
import { suggestKpis } from "../../goals/suggest-kpis.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";

const lang = z.enum(["en", "fr"]).optional().describe("en or fr (default: the workspace locale)");
const asOf = z.string().optional().describe("the day D, YYYY-MM-DD (default: today)");

export const configQuerySchema = z.object({
  workspace: z.string().optional(),
  format: z.enum(["yaml", "json"]).optional().describe("yaml (default) or json"),
});
export const configPutQuerySchema = z.object({
  workspace: z.string().optional(),
  prune: z
    .enum(["true", "false"])
    .optional()
    .describe("true: also delete the definitions the file does not mention"),
});
export const goalsQuerySchema = z.object({ workspace: z.string().optional(), as_of: asOf, lang });
export const historyQuerySchema = z.object({
  workspace: z.string().optional(),
  interval: z.enum(SNAPSHOT_INTERVALS).optional().describe("week (default), month or quarter"),
  as_of: asOf,
});
export const suggestQuerySchema = z.object({ type: z.enum(OBJECTIVE_TYPES), lang });
const idParams = z.object({ id: z.string().min(1).max(100) });

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

/** Objectives, goals, their history, the KPI review and the configuration file over HTTP. */
export function goalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_request, body, done) => {
    done(null, { yaml: String(body) });
  });

  app.get("/api/v1/config", async (request, reply) => {
    const q = parseOrThrow(configQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const exported = await exportConfig(ctx.store, workspace.name);
    if (q.format === "json") return exported;
    return reply.type("application/yaml; charset=utf-8").send(configYaml(exported));
  });

  app.put("/api/v1/config", async (request) => {
    const q = parseOrThrow(configPutQuerySchema, request.query);
    const body = request.body;
    let source: ConfigSource;
    if (body && typeof body === "object" && "yaml" in body && typeof body.yaml === "string") {
      source = parseConfigYaml(body.yaml, "The configuration");
    } else if (body && typeof body === "object" && !Array.isArray(body)) {
      source = jsonConfigSource(body);
    } else {
      throw new UserError(
        "Send the configuration as YAML (Content-Type: application/yaml) or as a JSON object.",
        [{ field: "body", reason: "expected YAML or a JSON object" }],
      );
    }
    const value = source.value as { workspace?: unknown } | null;
    const named = typeof value?.workspace === "string" ? value.workspace : q.workspace;
    const workspace = await workspaceFor(ctx, request, named);
    return applyConfig(ctx.store, workspace, source, {
      prune: q.prune === "true",
      allowPrivateTargets: ctx.allowPrivateWebhooks,
    });
  });

  app.get("/api/v1/objectives", async (request) => {
    const q = parseOrThrow(configQuerySchema.pick({ workspace: true }), request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const { objectives, goals } = await loadGoalDefinitions(ctx.store, workspace.name);
    return {
      objectives: objectives.map((o) => ({
        ...o,
        goals: goals.filter((g) => g.objective === o.id).map((g) => g.id),
      })),
    };
  });

  app.get("/api/v1/goals", async (request) => {
    const q = parseOrThrow(goalsQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return evaluateGoals(ctx.store, workspace, {
      ...(q.as_of ? { asOf: q.as_of } : {}),
      ...(q.lang ? { lang: q.lang } : {}),
    });
  });

  app.get("/api/v1/goals/:id/history", async (request) => {
    const q = parseOrThrow(historyQuerySchema, request.query);
    const { id } = parseOrThrow(idParams, request.params);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return goalHistory(ctx.store, workspace, id, q.interval ?? "week", q.as_of);
  });

  app.get("/api/v1/review", async (request) => {
    const q = parseOrThrow(goalsQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return reviewKpis(ctx.store, workspace, {
      ...(q.as_of ? { asOf: q.as_of } : {}),
      ...(q.lang ? { lang: q.lang } : {}),
    });
  });

  app.get("/api/v1/kpis/suggest", async (request) => {
    const q = parseOrThrow(suggestQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request);
    return { type: q.type, kpis: suggestKpis(q.type, q.lang ?? workspace.settings.locale) };
  });
}
