import type { FastifyInstance } from "fastify";
import {
  BATCH_LIMIT_BYTES,
  bodyWriteKey,
  MESSAGE_LIMIT_BYTES,
  normalizeSegment,
} from "../../ingest/segment/normalize.js";
import { MESSAGE_TYPES, type MessageType } from "../../ingest/segment/schema.js";
import { presentedKey } from "../auth.js";
import type { ServerContext } from "../context.js";

/**
 * The short routes Segment's browser library (`@segment/analytics-next`) posts to when its
 * `apiHost` is Sextant: `/v1/t` is `/v1/track`, `/v1/b` is `/v1/batch`, and so on.
 */
export const SHORT_ROUTES: Readonly<Record<string, MessageType | "batch">> = {
  t: "track",
  p: "page",
  i: "identify",
  s: "screen",
  g: "group",
  a: "alias",
  b: "batch",
};

/** Every path the Segment API answers, long and short, with the message type each takes. */
export const SEGMENT_PATHS: readonly { path: string; route: MessageType | "batch" }[] = [
  ...[...MESSAGE_TYPES, "batch" as const].map((route) => ({ path: `/v1/${route}`, route })),
  ...Object.entries(SHORT_ROUTES).map(([short, route]) => ({ path: `/v1/${short}`, route })),
];

/**
 * The Segment HTTP Tracking API (docs/sending-events.md#segment): `/v1/track|page|identify|screen|group|alias|batch`
 * and the browser library's short forms, with the write key as HTTP Basic user name (or `writeKey`
 * in the body), answered `{"success": true}` once durable.
 */
export function segmentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const { path, route } of SEGMENT_PATHS) {
    // The body limit is above the message limit so that an oversized message gets Segment's own
    // 413 naming the 32 KB limit rather than a bare transport error.
    const bodyLimit = route === "batch" ? BATCH_LIMIT_BYTES : 4 * MESSAGE_LIMIT_BYTES;
    app.post(path, { bodyLimit }, async (request, reply) => {
      const receivedAt = new Date();
      // The key is checked before the body's rules: a stranger learns nothing about them.
      const key = await ctx.keys.require(presentedKey(request) ?? bodyWriteKey(request.body), ["write"]);
      const { records, bots } = normalizeSegment(
        route,
        request.body,
        receivedAt,
        request.headers["user-agent"],
      );
      ctx.metrics.batchSize.observe(records.length + bots);
      if (bots) ctx.metrics.bots.inc({ route: "segment" }, bots);
      await ctx.writer.write(records.map((record) => ({ workspace: key.workspace, record })));
      ctx.metrics.accepted.inc({ route: "segment" }, records.length);
      return reply.status(200).send({ success: true });
    });
  }
}
