import { type ClickHouseClient, createClient } from "@clickhouse/client";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wellFormedText } from "../../src/model/text-record.js";
import { clickhouseDialect, quoteString } from "../../src/store/clickhouse/dialect.js";
import { DuckdbConnection } from "../../src/store/duckdb/connection.js";
import { duckdbDialect } from "../../src/store/duckdb/dialect.js";
import { type ClickhouseFixture, startSingle } from "./servers.js";

/**
 * The one quoting function of each dialect, against the real databases: any string sent as a
 * literal comes back as it was (NUL removed, as both stores drop it), and any name works as an
 * alias. ClickHouse on a real single server; DuckDB in memory, as the reference.
 */

const RUNS = 300;

/** Characters that mean something to a SQL lexer, an HTTP client or a parameter syntax. */
const HOSTILE_ALPHABET = [
  "\\",
  "'",
  '"',
  "`",
  "\n",
  "\0",
  "?",
  "{",
  "}",
  ":",
  "\r",
  "\t",
  "%",
  "_",
  ";",
  "-",
  "/",
  "*",
  "N",
  "0",
  "x",
  "é",
  "🚀",
  "\u0301",
];

const hostile = fc
  .array(fc.constantFrom(...HOSTILE_ALPHABET), { maxLength: 40 })
  .map((chars) => chars.join(""));

/** Any string: full Unicode (fast-check 4's `unit: "binary"` is 3's fullUnicodeString), hostile ones, and JS strings with lone surrogates. */
const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  hostile,
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
);

/** What a database gives back: NUL dropped, and a lone surrogate (not UTF-8) sent as U+FFFD. */
function expected(value: string): string {
  return wellFormedText(value.replaceAll("\u0000", ""));
}

describe("quoteString", () => {
  it.each([
    ["", "''"],
    ["plain", "'plain'"],
    ["o'brien", "'o\\'brien'"],
    ["back\\slash", "'back\\\\slash'"],
    ["\\'", "'\\\\\\''"],
    ["\\N", "'\\\\N'"],
    ["nul\u0000byte", "'nulbyte'"],
    ['"double" `back`', "'\"double\" `back`'"],
    ["line\nbreak\ttab", "'line\nbreak\ttab'"],
    ["') OR 1=1 --", "'\\') OR 1=1 --'"],
  ])("quotes %j as %s", (value, quoted) => {
    expect(quoteString(value)).toBe(quoted);
  });

  it("quotes through literal, and passes numbers, booleans and null as SQL", () => {
    expect(clickhouseDialect.literal("a'b")).toBe("'a\\'b'");
    expect(clickhouseDialect.literal(1.5)).toBe("1.5");
    expect(clickhouseDialect.literal(true)).toBe("1");
    expect(clickhouseDialect.literal(null)).toBe("NULL");
    expect(() => clickhouseDialect.literal(Number.NaN)).toThrow();
  });

  it("escapes every backslash and quote: nothing can end the literal early", () => {
    fc.assert(
      fc.property(anyString, (value) => {
        const body = quoteString(value).slice(1, -1);
        // Unescaped, the body reads back as the value (NUL removed); no quote stands alone.
        expect(body.replace(/\\(.)/gsu, "$1")).toBe(value.replaceAll("\u0000", ""));
        expect(/(^|[^\\])(\\\\)*'/.test(body)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("DuckDB as the reference", () => {
  let duck: DuckdbConnection;
  beforeAll(async () => {
    duck = await DuckdbConnection.open(":memory:");
  });
  afterAll(() => duck.close());

  it("returns any string sent as a literal", async () => {
    await fc.assert(
      fc.asyncProperty(anyString, async (value) => {
        const rows = await duck.all(`SELECT ${duckdbDialect.literal(value)} AS v`);
        expect(rows[0]?.v).toBe(expected(value));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("ClickHouse literals and identifiers on a real server", () => {
  let server: ClickhouseFixture;
  let client: ClickHouseClient;
  let duck: DuckdbConnection;

  beforeAll(async () => {
    [server, duck] = await Promise.all([startSingle(), DuckdbConnection.open(":memory:")]);
    client = createClient({ url: server.url });
  }, 60_000);

  afterAll(async () => {
    // Close the client first: a server waits for open keep-alive connections when it stops.
    await client?.close();
    await duck?.close();
    await server?.stop();
  });

  async function clickhouse(sql: string): Promise<Record<string, unknown>[]> {
    const result = await client.query({ query: sql, format: "JSONEachRow" });
    return result.json<Record<string, unknown>>();
  }

  it("returns any string sent as a literal, as DuckDB does", async () => {
    await fc.assert(
      fc.asyncProperty(anyString, async (value) => {
        const [fromClickhouse] = await clickhouse(`SELECT ${clickhouseDialect.literal(value)} AS v`);
        const [fromDuckdb] = await duck.all(`SELECT ${duckdbDialect.literal(value)} AS v`);
        expect(fromClickhouse?.v).toBe(expected(value));
        expect(fromClickhouse?.v).toBe(fromDuckdb?.v);
      }),
      { numRuns: RUNS },
    );
  });

  it("compares a literal with stored text as equal (a WHERE clause finds the value)", async () => {
    await fc.assert(
      fc.asyncProperty(anyString, async (value) => {
        const v = clickhouseDialect.literal(value);
        const [row] = await clickhouse(
          `SELECT count() AS n FROM (SELECT ${v} AS s) WHERE s = ${v} AND s IN (${v}, 'other') AND length(s) = length(${v})`,
        );
        expect(Number(row?.n)).toBe(1);
      }),
      { numRuns: 100 },
    );
  });

  it("uses any name without NUL as a column alias that round-trips", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 30 }), hostile)
          .filter((name) => name.length > 0 && !name.includes("\u0000")),
        async (name) => {
          const alias = clickhouseDialect.identifier(name);
          // The server's own description, not only a JS object (which cannot hold a "__proto__" key).
          const described = await client.query({
            query: `DESCRIBE (SELECT 1 AS ${alias})`,
            format: "JSONEachRow",
          });
          const columns = await described.json<{ name: string }>();
          expect(columns.map((c) => c.name)).toEqual([wellFormedText(name)]);
          const [row] = await clickhouse(`SELECT 1 AS ${alias}`);
          if (name !== "__proto__") expect(Object.keys(row ?? {})).toEqual([wellFormedText(name)]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
