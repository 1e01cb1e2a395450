import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckdbConnection, type Row } from "./connection.js";
import { duckdbDialect as d } from "./dialect.js";
import { URL_HOST_PATTERN, urlHostText } from "./import-sql.js";

let db: DuckdbConnection;
beforeAll(async () => {
  db = await DuckdbConnection.open(":memory:");
});
afterAll(() => db.close());

/** Each URL's host by the import's expression and by the one general pattern, side by side. */
async function hosts(urls: readonly string[]): Promise<Row[]> {
  const values = urls.map((u) => `(${d.literal(u)})`).join(", ");
  return db.all(`SELECT ${urlHostText("u")} AS fast, regexp_extract(u, '${URL_HOST_PATTERN}', 1) AS pattern
    FROM (VALUES ${values}) v(u)`);
}

describe("URL host in SQL", () => {
  it("reads the same host as the general pattern on tricky URLs", async () => {
    const urls = [
      "https://www.example.com/a?b=c#d",
      "http://example.com",
      "https://user:pw@www.host.com:8080/p?q=1",
      "https://a.b/c#frag@x",
      "https://ex.com?x=@",
      "https://@x.com",
      "https://",
      "http://",
      "http://:80/x",
      "https://host.com:443",
      "https:///path",
      "https:/x.com",
      "http//x.com",
      "HTTPS://WWW.Example.com/a",
      "httpS://x.y",
      "https://ünï.com/ä",
      "https://x.com\n/y",
      "https://x.com\\y",
      "www.bare.com/path",
      "/just/path",
      "mailto:x@y.com",
      "ftp://files.example.com/x",
      "1http://x.y/z",
      "",
    ];
    for (const row of await hosts(urls)) expect(row.fast).toBe(row.pattern);
  });

  it("reads the same host as the general pattern on random http(s) URLs", async () => {
    const part = fc.string({
      unit: fc.constantFrom("a", "B", "w", ".", "/", "?", "#", ":", "@", "%", "=", "&", " ", "é", "\n"),
      maxLength: 20,
    });
    const url = fc.tuple(fc.constantFrom("https://", "http://", "http:/", "https:", "HTTP://", ""), part);
    await fc.assert(
      fc.asyncProperty(fc.array(url, { minLength: 1, maxLength: 50 }), async (pairs) => {
        for (const row of await hosts(pairs.map(([scheme, rest]) => scheme + rest)))
          expect(row.fast).toBe(row.pattern);
      }),
      { numRuns: 100 },
    );
  });
});
