import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";

let dir: string;
let store: DuckdbStore;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-store-errors-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"), { threads: 1 });
  app = await buildApp({ store });
  // A route failing as the store does when DuckDB runs out of memory (store/duckdb/connection.ts).
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
  await store.close();
  rmSync(dir, { recursive: true, force: true });
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
