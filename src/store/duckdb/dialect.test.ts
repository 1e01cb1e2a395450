import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckdbConnection } from "./connection.js";
import { duckdbDialect as d } from "./dialect.js";

let db: DuckdbConnection;
beforeAll(async () => {
  db = await DuckdbConnection.open(":memory:");
});
afterAll(() => db.close());

describe("DuckDB quoting", () => {
  it("round-trips any string through a literal unchanged (NUL aside)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary" }), async (value) => {
        const rows = await db.all(`SELECT ${d.literal(value)} AS v`);
        expect(rows[0]?.v).toBe(value.replaceAll("\u0000", ""));
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips hostile strings through identifiers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes("\u0000")),
        async (name) => {
          // DuckDB's own description, not a JS object: an object cannot hold a "__proto__" key.
          const rows = await db.all(`SELECT column_name FROM (DESCRIBE SELECT 1 AS ${d.identifier(name)})`);
          expect(rows.map((r) => r.column_name)).toEqual([name]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps classic injections as data", async () => {
    for (const value of ["'; DROP TABLE x; --", "\\'", "O'Brien", "$$ x $$", "\n'\r"]) {
      const rows = await db.all(`SELECT ${d.literal(value)} AS v`);
      expect(rows[0]?.v).toBe(value);
    }
  });

  it("refuses numbers SQL cannot hold", () => {
    expect(() => d.literal(Number.NaN)).toThrow();
    expect(() => d.literal(Number.POSITIVE_INFINITY)).toThrow();
    expect(d.literal(-1.5)).toBe("-1.5");
  });

  it("reads a JSON member whatever its name", async () => {
    const rows = await db.all(`SELECT ${d.jsonText(d.literal('{"a.b": "x", "q\\"": "y"}'), "a.b")} AS v,
      ${d.jsonText(d.literal('{"a.b": "x", "q\\"": "y"}'), 'q"')} AS w`);
    expect(rows[0]).toEqual({ v: "x", w: "y" });
  });
});
