import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { buildApp } from "../../src/server/app.js";
import { createShare } from "../../src/server/dashboard/shares.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";

/**
 * The server's request log, as `sextant serve` writes it, read back line by line: what an operator,
 * a log shipper or whoever reads the log file sees.
 */
let dir: string;
let store: DuckdbStore;
let app: FastifyInstance;
const lines: string[] = [];
const log = () => lines.join("");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-log-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"), { threads: 1 });
  await store.createWorkspace({ name: "shop", settings: validateSettings({}) });
  app = await buildApp({ store, logger: { stream: { write: (line) => lines.push(line) } } });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the request log", () => {
  it("shows neither a share link's token, nor the session it opens, nor the credentials sent", async () => {
    const { token } = await createShare(store, "shop", 3_600_000);
    const bearer = "sxr_made-up-bearer-secret";
    const response = await app.inject({
      method: "GET",
      url: `/share/${token}?key=query-key-secret&lang=fr`,
      headers: { authorization: `Bearer ${bearer}`, cookie: "sx_session=cookie-secret" },
    });
    expect(response.statusCode).toBe(303);
    const session = String(response.headers["set-cookie"]).split(";")[0]?.split("=")[1] ?? "";
    expect(session.length).toBeGreaterThan(10);

    const requests = lines.map((line) => JSON.parse(line)).filter((entry) => entry.req);
    expect(requests.at(-1)?.req).toMatchObject({
      method: "GET",
      url: "/share/[redacted]?key=[redacted]&lang=fr",
    });
    for (const secret of [token, bearer, "query-key-secret", "cookie-secret", session]) {
      expect(log(), secret).not.toContain(secret);
    }
  });

  it("redacts tokens in query strings of any route, and keeps the rest readable", async () => {
    const key = generateKey("read");
    await store.saveKey({ id: key.id, workspace: "shop", kind: "read", hash: key.hash });
    const response = await app.inject({
      method: "GET",
      url: `/api/v1/kpis?kpis=visitors&token=${key.secret}&from=2026-01-01&to=2026-01-31`,
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(response.statusCode).toBe(200);
    expect(log()).toContain("/api/v1/kpis?kpis=visitors&token=[redacted]&from=2026-01-01&to=2026-01-31");
    expect(log()).not.toContain(key.secret);
  });
});
