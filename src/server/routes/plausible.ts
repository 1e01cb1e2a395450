import type { FastifyInstance } from "fastify";
import { UserError } from "../../errors.js";
import { clientInfo } from "../../ingest/client-info.js";
import { parsePlausible, plausibleDomains, plausibleRecord } from "../../ingest/plausible/normalize.js";
import type { ServerContext } from "../context.js";

/**
 * The Plausible Events API (docs/sending-events.md#plausible-events-api): `POST /api/event`, the workspace picked by `domain`,
 * the visitor a salted daily hash of (domain, IP, User-Agent); no cookie, no stored IP. Reads top
 * to bottom as Umami's collector does: validate → client info → drop bots → visitor id → save.
 */
export function plausibleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/api/event", { bodyLimit: 64 * 1024 }, async (request, reply) => {
    const receivedAt = new Date();
    const event = parsePlausible(request.body);
    const userAgent = request.headers["user-agent"] ?? "";
    const client = clientInfo(userAgent);
    if (client.bot) {
      ctx.metrics.bots.inc({ route: "plausible" });
      return reply.status(202).send("ok");
    }
    const domains = plausibleDomains(event.domain);
    const records = [];
    for (const domain of domains) {
      const workspace = await ctx.workspaces.byDomain(domain);
      if (!workspace) continue;
      const visitor = await ctx.hasher.visitorId(domain, request.ip, userAgent, receivedAt);
      // Completed in place: the record stays the one plausibleRecord made (and marked).
      const record = Object.assign(plausibleRecord(event, visitor, receivedAt), {
        device: client.device,
        browser: client.browser,
        os: client.os,
      });
      records.push({ workspace: workspace.name, record });
    }
    if (records.length === 0) {
      throw new UserError(
        `No workspace has the domain ${domains.join(", ")}; add it with \`sextant workspace set NAME domains=...\`.`,
        [{ field: "domain", reason: "unknown domain" }],
        400,
      );
    }
    ctx.metrics.batchSize.observe(records.length);
    await ctx.writer.write(records);
    ctx.metrics.accepted.inc({ route: "plausible" }, records.length);
    return reply.status(202).send("ok");
  });
}
