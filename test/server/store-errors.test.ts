import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { handleError } from "../../src/server/errors.js";

let app: FastifyInstance;

beforeAll(async () => {
  // The server's own error handler, in front of a route failing as the store does when DuckDB
  // runs out of memory (store/duckdb/connection.ts): the server's routes all come from the route
  // table, which has no room for a route that fails on purpose.
  app = Fastify();
  app.setErrorHandler(handleError);
  app.get("/test/out-of-memory", async () => {
    throw new UserError(
      "The store ran out of memory.",
      [{ field: "memory-limit", reason: "out of memory" }],
      503,
    );
  });
});

afterAll(async () => {
  await app.close();
});

it("a store out of memory answers 503 with Retry-After and the error shape, status and body agreeing", async () => {
  const response = await app.inject({ method: "GET", url: "/test/out-of-memory" });
  expect(response.statusCode).toBe(503);
  expect(response.headers["retry-after"]).toBe("5");
  expect(response.json()).toEqual({
    error: "The store ran out of memory.",
    details: [{ field: "memory-limit", reason: "out of memory" }],
  });
});
