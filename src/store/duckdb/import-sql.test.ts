import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { URL_HOST_PATTERN, URL_PATH_PATTERN, urlHostText, urlPathText } from "../staging/stage-sql.js";
import { DuckdbConnection, type Row } from "./connection.js";
import { duckdbDialect as d } from "./dialect.js";

let db: DuckdbConnection;
beforeAll(async () => {
  db = await DuckdbConnection.open(":memory:");
});
afterAll(() => db.close());

/** Each URL's host and path by the import's expressions and by the general patterns, side by side. */
async function parts(urls: readonly string[]): Promise<Row[]> {
  const values = urls.map((u) => `(${d.literal(u)})`).join(", ");
  return db.all(`SELECT u, ${urlHostText("u")} AS host, regexp_extract(u, '${URL_HOST_PATTERN}', 1) AS host_pattern,
      ${urlPathText("u")} AS path, regexp_extract(u, '${URL_PATH_PATTERN}', 1) AS path_pattern
    FROM (VALUES ${values}) v(u)`);
}

function expectSameParts(rows: readonly Row[]): void {
  for (const row of rows) {
    expect(row.host, `host of ${JSON.stringify(row.u)}`).toBe(row.host_pattern);
    expect(row.path, `path of ${JSON.stringify(row.u)}`).toBe(row.path_pattern);
  }
}

describe("URL host and path in SQL", () => {
  it("reads the same host and path as the general patterns on tricky URLs", async () => {
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
      "https://x.com?a=/b",
      "https://x.com#/b?c",
      "https://x.com/a/b?c#d",
      "https://x.com//a",
      "http://x.com/é?q",
      "www.bare.com/path",
      "/just/path",
      "mailto:x@y.com",
      "ftp://files.example.com/x",
      "1http://x.y/z",
      "",
    ];
    expectSameParts(await parts(urls));
  });

  it("reads the same host and path as the general patterns on random URLs", async () => {
    const part = fc.string({
      unit: fc.constantFrom("a", "B", "w", ".", "/", "?", "#", ":", "@", "%", "=", "&", " ", "é", "\n"),
      maxLength: 20,
    });
    const url = fc.tuple(fc.constantFrom("https://", "http://", "http:/", "https:", "HTTP://", ""), part);
    await fc.assert(
      fc.asyncProperty(fc.array(url, { minLength: 1, maxLength: 50 }), async (pairs) => {
        expectSameParts(await parts(pairs.map(([scheme, rest]) => scheme + rest)));
      }),
      { numRuns: 100 },
    );
  });
});
