import cors from "@fastify/cors";
import rateLimit, { normalizeIP } from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import { storedGoals } from "../alerts/goal-source.js";
import type { AlertDeps } from "../alerts/run-alerts.js";
import { startAlertScheduler } from "../alerts/schedule-alerts.js";
import { DEFAULT_RETRY } from "../delivery/retry.js";
import { UserError } from "../errors.js";
import { VisitorHasher } from "../ingest/visitor-hash.js";
import { GroupCommitWriter } from "../ingest/writer.js";
import { startRetentionScheduler } from "../people/retention.js";
import { startReportScheduler } from "../report/schedules/schedule-reports.js";
import type { ReportMailDeps } from "../report/schedules/send-report.js";
import type { Store } from "../store/store.js";
import { guardRoutes } from "./access.js";
import { KeyResolver, presentedKey } from "./auth.js";
import { type ServerContext, WorkspaceDirectory } from "./context.js";
import { dashboardRoutes } from "./dashboard/routes.js";
import { DEFAULT_SESSION_POLICY, type SessionPolicy, Sessions } from "./dashboard/sessions.js";
import { handleError } from "./errors.js";
import { type LogStream, loggerOptions } from "./log-redaction.js";
import { createMetrics } from "./metrics.js";
import { checkMetricsAccess } from "./metrics-access.js";
import { openApiDocument } from "./openapi.js";
import { type AdminOptions, adminRoutes } from "./routes/admin.js";
import { alertRoutes } from "./routes/alerts.js";
import { analysisRoutes } from "./routes/analysis.js";
import { definitionRoutes } from "./routes/definitions.js";
import { goalRoutes } from "./routes/goals.js";
import { importRoutes } from "./routes/imports.js";
import { segmentsRoutes } from "./routes/kpi-segments.js";
import { peopleRoutes } from "./routes/people.js";
import { plausibleRoutes } from "./routes/plausible.js";
import { queryRoutes } from "./routes/query.js";
import { reportScheduleRoutes } from "./routes/report-schedules.js";
import { reportRoutes } from "./routes/reports.js";
import { SEGMENT_PATHS, segmentRoutes } from "./routes/segment.js";
import { trackerRoutes } from "./routes/tracker.js";
import { securityHeaders } from "./security-headers.js";
import type { TrustedProxies } from "./trust-proxy.js";

export interface AppOptions {
  readonly store: Store;
  /** Log requests (secrets redacted), to standard output or to the stream given. */
  readonly logger?: boolean | { readonly stream: LogStream };
  /** Requests per minute per key (or per IP without a key). */
  readonly rateLimit?: number;
  /** The proxies (addresses, CIDRs) whose X-Forwarded-For names the client, for visitor hashes and rate limits. */
  readonly trustProxy?: TrustedProxies;
  /** Dashboard session lifetimes (default: 12 h absolute, 30 min idle). */
  readonly sessions?: Partial<SessionPolicy>;
  /** Strict-Transport-Security's max-age, in seconds (default: not sent). */
  readonly hstsMaxAgeSeconds?: number;
  /** A Bearer token that opens /metrics to other machines (default: this machine only). */
  readonly metricsToken?: string;
  /** The clock (tests inject one to step through timeouts and back-off). */
  readonly now?: () => number;
  readonly version?: string;
  /** Serve forwarded CLI commands (set by `sextant serve`). */
  readonly admin?: AdminOptions;
  /** What alert runs need (SMTP server, goals); with `scheduleAlerts`, rules run on their cron. */
  readonly alerts?: AlertDeps;
  readonly scheduleAlerts?: boolean;
  /** What e-mailed reports need (SMTP server, retries); with `scheduleReports`, they run on their cron. */
  readonly reports?: ReportMailDeps;
  readonly scheduleReports?: boolean;
  /** Remove events and orders older than each workspace's retention_days, daily. */
  readonly scheduleRetention?: boolean;
  /** The built dashboard (default: dist/web beside the server). */
  readonly webRoot?: string;
}

/** The routes that take events from browsers and servers of any origin. */
const INGESTION_PATHS: ReadonlySet<string> = new Set([...SEGMENT_PATHS.map((p) => p.path), "/api/event"]);

/** The HTTP server: thin routes over the same functions as the CLI, returning the same JSON. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { store } = options;
  const app = Fastify({
    logger: options.logger
      ? loggerOptions(options.logger === true ? undefined : options.logger.stream)
      : false,
    trustProxy: options.trustProxy ? [...options.trustProxy] : false,
    bodyLimit: 1024 * 1024,
    // A URL Fastify cannot decode (`/v1/%ff`) answers in the one error shape too.
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
  });
  const metrics = createMetrics();
  const now = options.now ?? Date.now;
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
    sessions: new Sessions(store, { ...DEFAULT_SESSION_POLICY, ...options.sessions }, now),
    now,
    allowPrivateWebhooks: options.alerts?.delivery.allowPrivateTargets === true,
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
    // Before anything else, so that refused credentials count against their address: a key is
    // read from the headers (a writeKey in a body counts against the address that sends it).
    hook: "onRequest",
    // A key that exists has its own bucket; any other request counts against its address (IPv6 by
    // /64), so that made-up keys cannot each open a fresh bucket (OWASP ASVS 4.0 V11.1.4).
    keyGenerator: async (request) => {
      const secret = presentedKey(request);
      const key = secret ? await ctx.keys.find(secret).catch(() => null) : null;
      return key ? `key:${key.id}` : `ip:${normalizeIP(request.ip)}`;
    },
    allowList: (request) =>
      ["/healthz", "/metrics", "/api/v1/admin/cli"].includes(request.url) ||
      request.url.startsWith("/assets/"),
    errorResponseBuilder: (_request, context) =>
      new UserError(
        `Too many requests: at most ${context.max} a minute per key (per address without a valid key). Retry in ${Math.ceil(context.ttl / 1000)} s.`,
        [{ field: "authorization", reason: "rate limited" }],
        429,
      ),
  });
  // Before any route: each route takes its level from the route table, checked on every request.
  guardRoutes(app, ctx);
  app.addHook("onClose", async () => {
    await writer.close();
  });
  app.addHook("onSend", securityHeaders(options));

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: `There is no route ${request.method} ${request.url.split("?")[0]}; see /api/v1/openapi.json.`,
      details: [{ field: "url", reason: "no such route" }],
    }),
  );
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/metrics", async (request, reply) => {
    checkMetricsAccess(request, options.metricsToken);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get("/api/v1/openapi.json", async () =>
    openApiDocument(options.version ?? "0.1.0", options.admin !== undefined),
  );
  // Browsers post events cross-origin from any site (docs/browser-clients.md#browser-clients): CORS, preflight included, on the
  // ingestion routes only; the read API keeps the same-origin policy.
  await app.register(async (ingestion) => {
    await ingestion.register(cors, {
      delegator: (request, callback) =>
        callback(null, {
          origin: INGESTION_PATHS.has(request.url.split("?")[0] ?? "") ? "*" : false,
          maxAge: 86_400,
        }),
    });
    segmentRoutes(ingestion, ctx);
    plausibleRoutes(ingestion, ctx);
  });
  trackerRoutes(app);
  queryRoutes(app, ctx);
  await importRoutes(app, ctx);
  goalRoutes(app, ctx);
  definitionRoutes(app, ctx);
  reportRoutes(app, ctx);
  reportScheduleRoutes(app, ctx);
  analysisRoutes(app, ctx);
  segmentsRoutes(app, ctx);
  peopleRoutes(app, ctx);
  if (options.admin) adminRoutes(app, store, options.admin);
  const alertDeps = options.alerts ?? { goals: storedGoals, delivery: { retry: DEFAULT_RETRY } };
  alertRoutes(app, ctx, alertDeps);
  if (options.scheduleAlerts) {
    const alertScheduler = startAlertScheduler(store, alertDeps, {
      info: (message) => app.log.info(message),
      error: (message) => app.log.error(message),
    });
    app.addHook("onClose", async () => alertScheduler.stop());
  }
  if (options.scheduleReports) {
    const reportScheduler = startReportScheduler(store, options.reports ?? { retry: DEFAULT_RETRY }, {
      info: (message) => app.log.info(message),
      error: (message) => app.log.error(message),
    });
    app.addHook("onClose", async () => reportScheduler.stop());
  }

  if (options.scheduleRetention) {
    const retention = startRetentionScheduler(store, {
      info: (message) => app.log.info(message),
      error: (message) => app.log.error(message),
    });
    app.addHook("onClose", async () => retention.stop());
  }

  // The dashboard: sign-in, share links and the single-page app; no data without a session.
  dashboardRoutes(app, ctx, options.webRoot);

  return app;
}
