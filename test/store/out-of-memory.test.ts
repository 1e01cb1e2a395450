import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { DuckdbConnection } from "../../src/store/duckdb/connection.js";

/*
 * DuckDB running out of memory under its limit is for the user to fix with a larger
 * --memory-limit: the store says so in a sentence (exit code 1, HTTP 503) rather than surfacing as
 * an unexpected error, and the statement changes nothing.
 */
let db: DuckdbConnection;

beforeAll(async () => {
  db = await DuckdbConnection.open(":memory:", { memoryLimit: "64MiB" });
  // No temporary directory: what does not fit cannot spill, so the limit is hit for certain.
  await db.run("SET temp_directory = ''", "CREATE TABLE kept (n INTEGER)", "INSERT INTO kept VALUES (1)");
});

afterAll(async () => {
  await db?.close();
});

const HUNGRY = `INSERT INTO kept SELECT count(*)::INTEGER FROM (
  SELECT range % 4000000 AS k, list(range) AS l FROM range(8000000) GROUP BY k)`;

describe("a store out of memory", () => {
  it("says what to do, for reads and for writes", async () => {
    for (const attempt of [() => db.all(HUNGRY.replace(/^INSERT INTO kept /, "")), () => db.run(HUNGRY)]) {
      const error = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(
        /^The store ran out of memory: DuckDB needed more than its share of the memory limit \(64\.0 MiB\).*--memory-limit or SEXTANT_MEMORY_LIMIT/,
      );
      expect((error as UserError).exitCode).toBe(1);
      expect((error as UserError).status).toBe(503);
    }
  });

  it("rolls back a transaction it stopped, and the connection goes on", async () => {
    const failed = db.transaction(async (tx) => {
      await tx.run("INSERT INTO kept VALUES (2)");
      await tx.run(HUNGRY);
    });
    await expect(failed).rejects.toBeInstanceOf(UserError);
    expect(await db.all("SELECT n FROM kept ORDER BY n")).toEqual([{ n: 1 }]);
  });
});
