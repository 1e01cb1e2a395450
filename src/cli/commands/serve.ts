import type { Command } from "commander";
import { type GlobalFlags, storeConfig } from "../../config.js";
import { loadDemo } from "../../demo/load-demo.js";
import { UserError } from "../../errors.js";
import { buildApp } from "../../server/app.js";
import { openStore } from "../../store/open-store.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the KPI API and the overview page; loads the demo when the store is empty")
    .option("--port <port>", "TCP port", "8000")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--no-demo", "do not load the demo into an empty store")
    .option("--rate-limit <n>", "requests per minute per key (or per IP without one)", "120000")
    .option("--trust-proxy", "behind a reverse proxy: read the client IP from X-Forwarded-For")
    .action(async (flags: { port: string; host: string; demo: boolean; rateLimit: string; trustProxy?: boolean }, command: Command) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UserError(`--port ${flags.port} is not a TCP port.`, [
          { field: "port", reason: "invalid" },
        ]);
      }
      // A bounded buffer keeps the server's memory flat however large the store grows.
      const store = await openStore(storeConfig(command.optsWithGlobals<GlobalFlags>(), process.env), {
        memoryLimit: "512MB",
      });
      const rateLimit = Number(flags.rateLimit);
      if (!Number.isInteger(rateLimit) || rateLimit < 1) {
        throw new UserError(`--rate-limit ${flags.rateLimit} is not a positive whole number.`, [{ field: "rate-limit", reason: "invalid" }]);
      }
      const app = await buildApp({ store, logger: true, rateLimit, trustProxy: flags.trustProxy ?? false });
      if (flags.demo && (await store.listWorkspaces()).length === 0) {
        app.log.info("The store is empty: loading the demo workspace (90 days of data)…");
        await loadDemo(store, { name: "demo", days: 90, seed: 1 });
        app.log.info("Demo workspace loaded.");
      }
      const stop = async (signal: string) => {
        app.log.info(`${signal}: finishing requests, then closing the store`);
        // Fastify stops accepting, finishes in-flight requests, then the writer commits what it holds.
        await app.close();
        await store.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop("SIGINT"));
      process.once("SIGTERM", () => void stop("SIGTERM"));
      await app.listen({ port, host: flags.host });
      app.log.info(`Sextant is serving ${store.description} at http://${flags.host}:${port}/`);
    });
}
