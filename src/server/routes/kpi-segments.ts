import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { runSegments } from "../../analysis/segments/run-segments.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";
import { kpiQuerySchema } from "./query.js";

/** Query parameters of /api/v1/segments: the flags of `sextant segments`, `where` repeated. */
export const segmentsQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
  kpi: z.string({ error: "required, for example kpi=conversion_rate" }).describe("the KPI to compare"),
  by: z
    .string({ error: "required, for example by=device" })
    .describe(
      "the dimension: campaign, channel, device, country, landing_page, props.NAME, a cost breakdown…",
    ),
  from: z.string().optional().describe("first day, YYYY-MM-DD"),
  to: z.string().optional().describe("last day, YYYY-MM-DD"),
  where: kpiQuerySchema.shape.where,
  limit: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!/^\d+$/.test(v.trim()) || n < 1) {
        ctx.addIssue({ code: "custom", message: `"${v}" is not a whole number of at least 1` });
        return z.NEVER;
      }
      return n;
    })
    .describe("the first N segments by value (p-values are adjusted over all)"),
});

/** `GET /api/v1/segments`: the same function and JSON as `sextant segments --format json`. */
export function segmentsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/segments", async (request) => {
    const q = parseOrThrow(segmentsQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return runSegments(ctx.store, workspace, {
      kpi: q.kpi,
      by: q.by,
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      where: q.where,
      ...(q.limit === undefined ? {} : { limit: q.limit }),
    });
  });
}
