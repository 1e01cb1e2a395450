import type { FastifyInstance } from "fastify";
import { BATCH_LIMIT_BYTES, MESSAGE_LIMIT_BYTES, normalizeSegment } from "../../ingest/segment/normalize.js";
import { MESSAGE_TYPES, type MessageType } from "../../ingest/segment/schema.js";
import { presentedKey } from "../auth.js";
import type { ServerContext } from "../context.js";

/**
 * The Segment HTTP Tracking API (SPEC §2.1): `/v1/track|page|identify|screen|group|alias|batch`
 * with the write key as HTTP Basic user name, answered `{"success": true}` once durable.
 */
export function segmentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const route of [...MESSAGE_TYPES, "batch"] as const) {
    // The body limit is above the message limit so that an oversized message gets Segment's own
    // 413 naming the 32 KB limit rather than a bare transport error.
    const bodyLimit = route === "batch" ? BATCH_LIMIT_BYTES : 4 * MESSAGE_LIMIT_BYTES;
    app.post(`/v1/${route}`, { bodyLimit }, async (request, reply) => {
      const receivedAt = new Date();
      // A key in the header is checked first: a stranger learns nothing about the body's rules.
      const headerKey = presentedKey(request);
      if (headerKey) await ctx.keys.require(headerKey, "write");
      const route_ = route as MessageType | "batch";
      const { records, bots, writeKey } = normalizeSegment(
        route_,
        request.body,
        receivedAt,
        request.headers["user-agent"],
      );
      const key = await ctx.keys.require(headerKey ?? writeKey, "write");
      ctx.metrics.batchSize.observe(records.length + bots);
      if (bots) ctx.metrics.bots.inc({ route: "segment" }, bots);
      await ctx.writer.write(records.map((record) => ({ workspace: key.workspace, record })));
      ctx.metrics.accepted.inc({ route: "segment" }, records.length);
      return reply.status(200).send({ success: true });
    });
  }
}
