import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { UserError } from "../errors.js";
import { fromThisMachine } from "./auth.js";

/**
 * Who may read /metrics (it names routes, volumes and error rates): with a token
 * (`--metrics-token` or SEXTANT_METRICS_TOKEN), whoever sends it as a Bearer token, and nobody
 * else; without one, requests from this machine only, by the socket's address (see docs/security.md).
 */
export function checkMetricsAccess(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) {
    if (fromThisMachine(request)) return;
    throw new UserError(
      "/metrics answers requests from this machine only; start the server with --metrics-token (or SEXTANT_METRICS_TOKEN) to read it from elsewhere.",
      [{ field: "authorization", reason: "forbidden" }],
      403,
    );
  }
  const header = request.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7).trim() : "");
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UserError(
      "/metrics needs the server's metrics token: send it as Authorization: Bearer TOKEN.",
      [{ field: "authorization", reason: "missing or wrong metrics token" }],
      401,
    );
  }
}
