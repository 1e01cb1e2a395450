import { afterAll, beforeAll, expect, it } from "vitest";
import { basic, bearer, DESKTOP_UA, startServer, type TestServer } from "./server.js";

/**
 * KPI reads during ingestion share the refresh of the derived tables that waits for the writer
 * (duckdb-store.ts refreshDerived): a read must still count every event acknowledged before it.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ workspaces: [{ name: "busy" }], listen: false });
});

afterAll(async () => {
  await server?.close();
});

const day = new Date().toISOString().slice(0, 10);

function page(i: number) {
  return server.app.inject({
    method: "POST",
    url: "/v1/page",
    headers: {
      authorization: basic(server.ws("busy").write),
      "content-type": "application/json",
      "user-agent": DESKTOP_UA,
    },
    payload: JSON.stringify({ anonymousId: `a-${i}`, messageId: `m-${i}`, name: "Home" }),
  });
}

async function pageviews(): Promise<number> {
  const response = await server.app.inject({
    method: "GET",
    url: `/api/v1/kpis?kpis=pageviews&from=${day}&to=${day}`,
    headers: { authorization: bearer(server.ws("busy").read) },
  });
  expect(response.statusCode, response.body).toBe(200);
  return Number(response.json().totals.pageviews);
}

it("concurrent reads under writes count every event acknowledged before each read", async () => {
  const reads: { acknowledged: number; seen: Promise<number> }[] = [];
  const writes: Promise<unknown>[] = [];
  let acknowledged = 0;
  for (let i = 0; i < 40; i++) {
    // Writes in flight while reads are sent; each read knows how many were acknowledged before it.
    writes.push(
      page(i).then((response) => {
        expect(response.statusCode).toBe(200);
        acknowledged++;
      }),
    );
    if (i % 3 === 0) reads.push({ acknowledged, seen: pageviews() });
    if (i % 5 === 0) await writes.at(-1);
  }
  await Promise.all(writes);
  for (const read of reads) expect(await read.seen).toBeGreaterThanOrEqual(read.acknowledged);
  expect(await pageviews()).toBe(40);
});
