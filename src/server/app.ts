import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import { UserError } from "../errors.js";
import { VisitorHasher } from "../ingest/visitor-hash.js";
import { GroupCommitWriter } from "../ingest/writer.js";
import { hashKey } from "../keys/keys.js";
import { runKpiQuery } from "../kpi/run-query.js";
import type { Store } from "../store/store.js";
import { isLoopback, KeyResolver, presentedKey } from "./auth.js";
import { type ServerContext, WorkspaceDirectory } from "./context.js";
import { handleError } from "./errors.js";
import { createMetrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { overviewPage } from "./overview-page.js";
import { type AdminOptions, adminRoutes } from "./routes/admin.js";
import { analysisRoutes } from "./routes/analysis.js";
import { plausibleRoutes } from "./routes/plausible.js";
import { queryRoutes } from "./routes/query.js";
import { segmentRoutes } from "./routes/segment.js";
import { trackerRoutes } from "./routes/tracker.js";

export interface AppOptions {
  readonly store: Store;
  readonly logger?: boolean;
  /** Requests per minute per key (or per IP without a key). */
  readonly rateLimit?: number;
  /** Trust X-Forwarded-For (behind a reverse proxy) for the visitor hash and rate limits. */
  readonly trustProxy?: boolean;
  readonly version?: string;
  /** Serve forwarded CLI commands (set by `sextant serve`). */
  readonly admin?: AdminOptions;
}

/** The HTTP server: thin routes over the same functions as the CLI, returning the same JSON. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { store } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
  });
  const metrics = createMetrics();
  const writer = new GroupCommitWriter(store, 20_000, (result, ms) => {
    metrics.commitSeconds.observe(ms / 1000);
    metrics.commitEvents.observe(result.stored + result.duplicates);
    metrics.deduplicated.inc(result.duplicates);
  });
  const ctx: ServerContext = {
    store,
    writer,
    keys: new KeyResolver(store),
    metrics,
    hasher: new VisitorHasher(store),
    workspaces: new WorkspaceDirectory(store),
  };

  app.setErrorHandler((error: Error, request, reply) => {
    const status =
      error instanceof UserError ? error.status : "statusCode" in error ? Number(error.statusCode) : 500;
    if (status >= 400 && status < 500)
      metrics.rejected.inc({ route: request.routeOptions.url ?? "unknown", status: String(status) });
    return handleError(error, request, reply);
  });
  // The tracker and many clients send JSON as text/plain (it needs no CORS preflight).
  app.addContentTypeParser("text/plain", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(
        new UserError("The body is not valid JSON.", [{ field: "body", reason: "invalid JSON" }]),
        undefined,
      );
    }
  });
  await app.register(rateLimit, {
    max: options.rateLimit ?? 120_000,
    timeWindow: "1 minute",
    // After parsing, so a writeKey sent in the body (Segment allows it) is the key that counts.
    hook: "preHandler",
    keyGenerator: (request) => {
      const body = request.body;
      const bodyKey =
        typeof body === "object" && body !== null && "writeKey" in body ? String(body.writeKey) : undefined;
      const key = presentedKey(request, bodyKey);
      return key ? `key:${hashKey(key)}` : `ip:${request.ip}`;
    },
    allowList: (request) => ["/healthz", "/metrics", "/api/v1/admin/cli"].includes(request.url),
    errorResponseBuilder: (_request, context) =>
      new UserError(
        `Too many requests: at most ${context.max} a minute per key. Retry in ${Math.ceil(context.ttl / 1000)} s.`,
        [{ field: "authorization", reason: "rate limited" }],
        429,
      ),
  });
  app.addHook("onClose", async () => {
    await writer.close();
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: `There is no route ${request.method} ${request.url.split("?")[0]}; see /api/v1/openapi.json.`,
      details: [{ field: "url", reason: "no such route" }],
    }),
  );
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/metrics", async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get("/api/v1/openapi.json", async () =>
    openApiDocument(options.version ?? "0.1.0", options.admin !== undefined),
  );
  segmentRoutes(app, ctx);
  plausibleRoutes(app, ctx);
  trackerRoutes(app);
  queryRoutes(app, ctx);
  analysisRoutes(app, ctx);
  if (options.admin) adminRoutes(app, store, options.admin);

  // Until the dashboard and its sign-in land, the overview page is for the machine's own user only.
  app.get("/", async (request, reply) => {
    if (!isLoopback(request.ip)) {
      throw new UserError(
        "The overview page is only served to this machine; use the API with a read key.",
        [{ field: "ip", reason: "not loopback" }],
        403,
      );
    }
    const sections = [];
    for (const workspace of await store.listWorkspaces()) {
      sections.push({ workspace, result: await runKpiQuery(store, workspace, {}) });
    }
    return reply.type("text/html; charset=utf-8").send(overviewPage(sections));
  });

  return app;
}
