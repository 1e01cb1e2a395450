import type { Command } from "commander";
import { duckdbOptions, type GlobalFlags, SERVE_MEMORY_LIMIT, storeConfig } from "../../config.js";
import { loadDemo } from "../../demo/load-demo.js";
import { UserError } from "../../errors.js";
import { ensureAdmin } from "../../server/dashboard/users.js";
import type { CliRunner } from "../../server/routes/admin.js";
import { newAdminToken, removeServeLock, writeServeLock } from "../../server/serve-lock.js";
import { parseTrustProxy } from "../../server/trust-proxy.js";
import { openStore } from "../../store/open-store.js";
import { isForwarded, print } from "../context.js";
import { wholeNumber } from "../flags.js";
import { VERSION } from "../version.js";
import { alertDepsFromEnv } from "./alerts.js";
import { reportDepsFromEnv } from "./report.js";

interface ServeFlags {
  port: string;
  host: string;
  demo: boolean;
  rateLimit: string;
  trustProxy?: string | true;
  sessionIdleMinutes?: string;
  sessionMaxHours?: string;
  hsts?: boolean;
  metricsToken?: string;
}

/** One year, as the HSTS preload list asks (https://hstspreload.org/#deployment-recommendations). */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** A flag, else its environment variable, else the default. */
function flagOrEnv(flag: string | undefined, env: string | undefined, fallback: string): string {
  return flag ?? (env?.trim() || fallback);
}

export function registerServe(program: Command, runCli: CliRunner): void {
  program
    .command("serve")
    .description(
      "serve ingestion (Segment, Plausible, tracker), the KPI API and the dashboard (sign in as admin)",
    )
    .option("--port <port>", "TCP port", "8000")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--no-demo", "do not load the demo into an empty store")
    .option("--rate-limit <n>", "requests per minute per valid key (or per IP without one)", "120000")
    .option(
      "--trust-proxy [proxies]",
      "behind reverse proxies: their addresses or CIDRs, comma-separated, or loopback (read the client IP from X-Forwarded-For past them)",
    )
    .option("--session-idle-minutes <n>", "dashboard sign-in ends after this long unused (default 30)")
    .option("--session-max-hours <n>", "dashboard sign-in ends this long after it began (default 12)")
    .option(
      "--hsts",
      "send Strict-Transport-Security (one year): only when browsers reach the server over https",
    )
    .option(
      "--metrics-token <token>",
      "let other machines read /metrics with this Bearer token (default: this machine only)",
    )
    .addHelpText(
      "after",
      `
Environment: SEXTANT_ADMIN_PASSWORD sets the dashboard's admin password (at least 12 characters;
else one is printed on first start). SEXTANT_SESSION_IDLE_MINUTES, SEXTANT_SESSION_MAX_HOURS and
SEXTANT_METRICS_TOKEN stand for the flags of the same names (see docs/security.md).
SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1 lets alert webhooks go to loopback, private and link-local
addresses, refused by default (see docs/alerts.md). Opt-in, for shorter commits while DuckDB checkpoints under steady ingestion:
SEXTANT_DUCKDB_ROW_GROUP_SIZE=8192 SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD=2MiB (imports cost more;
see docs/operations.md).`,
    )
    .action(async (flags: ServeFlags, command: Command) => {
      if (isForwarded()) {
        throw new UserError(
          "A Sextant server already serves this store: it is taken.",
          [{ field: "db", reason: "taken" }],
          409,
          3,
        );
      }
      const port = wholeNumber(flags.port, "port", 0, 65535);
      const adminPassword = process.env.SEXTANT_ADMIN_PASSWORD || undefined;
      const rateLimit = wholeNumber(flags.rateLimit, "rate-limit", 1, Number.MAX_SAFE_INTEGER);
      const trustProxy = flags.trustProxy === undefined ? undefined : parseTrustProxy(flags.trustProxy);
      const idle = flagOrEnv(flags.sessionIdleMinutes, process.env.SEXTANT_SESSION_IDLE_MINUTES, "30");
      const max = flagOrEnv(flags.sessionMaxHours, process.env.SEXTANT_SESSION_MAX_HOURS, "12");
      const sessions = {
        idleMs: wholeNumber(idle, "session-idle-minutes", 1, 7 * 24 * 60) * 60_000,
        absoluteMs: wholeNumber(max, "session-max-hours", 1, 30 * 24) * 3_600_000,
      };
      const metricsToken = flags.metricsToken ?? (process.env.SEXTANT_METRICS_TOKEN || undefined);
      if (metricsToken !== undefined && metricsToken.length < 16) {
        throw new UserError(
          "The metrics token (--metrics-token or SEXTANT_METRICS_TOKEN) must have at least 16 characters; `openssl rand -hex 16` makes one.",
          [{ field: "metrics-token", reason: "too short" }],
        );
      }
      const globals = command.optsWithGlobals<GlobalFlags>();
      const config = storeConfig(globals, process.env);
      const store = await openStore(config, duckdbOptions(globals, process.env, SERVE_MEMORY_LIMIT));
      const token = newAdminToken();
      // The HTTP server and its plugins load only for `serve`.
      const { buildApp } = await import("../../server/app.js");
      const app = await buildApp({
        store,
        logger: true,
        rateLimit,
        ...(trustProxy ? { trustProxy } : {}),
        sessions,
        ...(flags.hsts ? { hstsMaxAgeSeconds: HSTS_MAX_AGE_SECONDS } : {}),
        ...(metricsToken ? { metricsToken } : {}),
        version: VERSION,
        admin: { token, runCli },
        alerts: alertDepsFromEnv(process.env),
        scheduleAlerts: true,
        reports: reportDepsFromEnv(process.env),
        scheduleReports: true,
        scheduleRetention: true,
      });
      if (flags.demo && (await store.listWorkspaces()).length === 0) {
        app.log.info("The store is empty: loading the demo workspace (90 days of data)…");
        await loadDemo(store, { name: "demo", days: 90, seed: 1 });
        app.log.info("Demo workspace loaded: open the page below.");
      }
      // The admin account is made on first start; a generated password is shown this once.
      const admin = await ensureAdmin(store, adminPassword);
      if (admin?.generated) {
        print(
          `Dashboard sign-in created: user name "admin", password ${admin.password}\n` +
            "It is shown once; keep it (or set SEXTANT_ADMIN_PASSWORD before the first start).",
        );
      }
      const stop = async (signal: string) => {
        app.log.info(`${signal}: finishing requests, then closing the store`);
        // Fastify stops accepting, finishes in-flight requests, then the writer commits what it holds.
        await app.close();
        if (config.kind === "duckdb") removeServeLock(config.location);
        await store.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop("SIGINT"));
      process.once("SIGTERM", () => void stop("SIGTERM"));
      await app.listen({ port, host: flags.host });
      const address = app.server.address();
      const actualPort = typeof address === "object" && address ? address.port : port;
      if (config.kind === "duckdb") writeServeLock(config.location, actualPort, token);
      app.log.info(`Sextant is serving ${store.description} at http://${flags.host}:${actualPort}/`);
    });
}
