import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isUserError } from "../errors.js";

/** What a 503 asks a client to wait before retrying (docs/http-api.md). */
export const RETRY_AFTER_SECONDS = 5;

/** One error shape for every route: `{"error": sentence, "details": [...]}`. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (isUserError(error)) {
    // A store out of memory or out of reach (503) is worth retrying once the load has passed.
    if (error.status === 503) reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    return reply.status(error.status).send({ error: error.message, details: error.details });
  }
  const status = "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 500;
  if ("code" in error && error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    const limit = request.routeOptions.bodyLimit ?? 0;
    return reply.status(413).send({
      error: `The request body is over this route's limit of ${Math.round(limit / 1024)} KB.`,
      details: [{ field: "body", reason: `over the ${Math.round(limit / 1024)} KB limit` }],
    });
  }
  if (status < 500) {
    const code = "code" in error ? String(error.code) : "";
    const field =
      code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
        ? "content-type"
        : code.startsWith("FST_ERR_CTP")
          ? "body"
          : "request";
    return reply.status(status).send({ error: error.message, details: [{ field, reason: error.message }] });
  }
  request.log.error({ err: error }, "unexpected error");
  return reply
    .status(500)
    .send({ error: "Sextant hit an unexpected error; it is logged on the server.", details: [] });
}
