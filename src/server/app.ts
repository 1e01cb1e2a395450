import Fastify, { type FastifyInstance } from "fastify";
import { z } from "zod";
import { UserError } from "../errors.js";
import { INTERVALS } from "../kpi/buckets.js";
import { runKpiQuery } from "../kpi/run-query.js";
import type { Store } from "../store/store.js";
import { resolveWorkspace } from "../workspace/resolve.js";
import { handleError } from "./errors.js";
import { overviewPage } from "./overview-page.js";

export interface AppOptions {
  readonly store: Store;
  readonly logger?: boolean;
}

const repeated = z.union([z.string(), z.array(z.string())]).optional();
const csv = z
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

/** Query parameters of /api/v1/kpis: the CLI's flags with dashes as underscores (SPEC §5). */
export const kpiQuerySchema = z.object({
  workspace: z.string().optional(),
  kpis: csv,
  from: z.string().optional(),
  to: z.string().optional(),
  interval: z.enum(INTERVALS).optional(),
  group_by: csv,
  where: repeated.transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

function parseQuery<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ field: i.path.join("."), reason: i.message }));
  throw new UserError(`Parameter ${details[0]?.field ?? "?"}: ${details[0]?.reason ?? "invalid"}.`, details);
}

/** The HTTP server: thin routes over the same functions as the CLI, returning the same JSON. */
export function buildApp({ store, logger = false }: AppOptions): FastifyInstance {
  const app = Fastify({ logger });
  app.setErrorHandler(handleError);

  app.get("/healthz", async () => ({ status: "ok", store: store.description }));

  app.get("/api/v1/workspaces", async () => ({ workspaces: await store.listWorkspaces() }));

  app.get("/api/v1/kpis", async (request) => {
    const q = parseQuery(kpiQuerySchema, request.query);
    const workspace = await resolveWorkspace(store, q.workspace);
    return runKpiQuery(store, workspace, {
      kpis: q.kpis,
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      interval: q.interval ?? null,
      groupBy: q.group_by,
      where: q.where,
    });
  });

  app.get("/", async (_request, reply) => {
    const workspaces = await store.listWorkspaces();
    const sections = [];
    for (const workspace of workspaces) {
      sections.push({ workspace, result: await runKpiQuery(store, workspace, {}) });
    }
    return reply.type("text/html; charset=utf-8").send(overviewPage(sections));
  });

  return app;
}
