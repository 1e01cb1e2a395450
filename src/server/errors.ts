import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isUserError } from "../errors.js";

/** One error shape for every route: `{"error": sentence, "details": [...]}`. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (isUserError(error)) {
    return reply.status(error.status).send({ error: error.message, details: error.details });
  }
  const status = "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 500;
  if (status < 500) {
    return reply.status(status).send({ error: error.message, details: [] });
  }
  request.log.error({ err: error }, "unexpected error");
  return reply
    .status(500)
    .send({ error: "Sextant hit an unexpected error; it is logged on the server.", details: [] });
}
