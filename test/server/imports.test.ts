import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKpiQuery } from "../../src/kpi/run-query.js";
import { generateKey } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { Store } from "../../src/store/store.js";

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/presets/${name}`, import.meta.url)));

let dir: string;
let store: Store;
let app: FastifyInstance;
const basic = (secret: string) => ({
  authorization: `Basic ${Buffer.from(`${secret}:`).toString("base64")}`,
});
let shopImport: { authorization: string };
let shopWrite: { authorization: string };
let shopRead: { authorization: string };
let otherImport: { authorization: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-imports-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"));
  for (const name of ["shop", "other"]) await store.createWorkspace({ name, settings: validateSettings({}) });
  app = await buildApp({ store });
  const keyOf = async (workspace: string, kind: "read" | "write" | "import") => {
    const key = generateKey(kind);
    await store.saveKey({ id: key.id, workspace, kind, hash: key.hash });
    return key.secret;
  };
  shopImport = basic(await keyOf("shop", "import"));
  shopWrite = basic(await keyOf("shop", "write"));
  shopRead = { authorization: `Bearer ${await keyOf("shop", "read")}` };
  otherImport = { authorization: `Bearer ${await keyOf("other", "import")}` };
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A multipart/form-data body with the parameters first, then the file (as browsers and curl -F send). */
function form(fields: Record<string, string>, filename: string, content: Buffer) {
  const boundary = "----sextant-test-boundary";
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const body = Buffer.concat([
    Buffer.from(parts.join("")),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload: body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

async function spendOf(workspace: string) {
  const ws = (await store.listWorkspaces()).find((w) => w.name === workspace);
  if (!ws) throw new Error(`no workspace ${workspace}`);
  return runKpiQuery(store, ws, {
    kpis: ["spend", "ad_conversions"],
    from: "2026-03-01",
    to: "2026-03-31",
    groupBy: ["campaign"],
  });
}

describe("POST /api/v1/imports", () => {
  it("imports a platform export sent as multipart, recognised as the CLI recognises it", async () => {
    const upload = form({ kind: "costs" }, "Campaign report.csv", fixture("google-ads-campaigns-excel.csv"));
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/imports",
      payload: upload.payload,
      headers: { ...upload.headers, ...shopImport },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      kind: "costs",
      preset: "google-ads",
      rowsRead: 6,
      rowsStored: 6,
      rejected: [],
      totalRowsSkipped: 2,
    });
    const result = await spendOf("shop");
    const spring = result.rows.find((r) => r.campaign === "spring sale search");
    expect(spring?.spend).toBeCloseTo(3315.0, 9);
    expect(spring?.ad_conversions).toBeCloseTo(32.5, 9);
  });

  it("imports a raw body with its parameters in the query string", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/imports?kind=email&preset=mailchimp&filename=campaigns.csv",
      payload: fixture("mailchimp-campaigns.csv"),
      headers: { "content-type": "text/csv", ...shopImport },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ kind: "email", preset: "mailchimp", rowsStored: 2 });
  });

  it("refuses a foreign-currency export with the CLI's sentence, and stores nothing", async () => {
    const before = await spendOf("shop");
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/imports?kind=costs",
      payload: fixture("google-ads-campaigns-usd.csv"),
      headers: { "content-type": "application/octet-stream", ...shopImport },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatch(/in USD .*keeps its money in EUR.*nothing was imported/);
    expect(await spendOf("shop")).toEqual(before);
  });

  it("names the export's line of a bad row", async () => {
    const broken = fixture("google-ads-campaigns.csv").toString("utf8").replace('"1,100.04"', "lots");
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/imports?kind=costs&preset=google-ads",
      payload: broken,
      headers: { "content-type": "text/csv", ...shopImport },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatch(/^Line 6: Cost "lots" is not a number/);
    expect(response.json().details[0]).toMatchObject({ line: 6 });
  });

  it("takes an import key of the workspace only: no key, a write or read key, another workspace's key are refused", async () => {
    const send = (headers: Record<string, string>, url = "/api/v1/imports?kind=costs") =>
      app.inject({
        method: "POST",
        url,
        payload: fixture("meta-ads-campaigns.csv"),
        headers: { "content-type": "text/csv", ...headers },
      });
    expect((await send({})).statusCode).toBe(401);
    expect((await send(shopRead)).statusCode).toBe(403);
    // The write key is public (web pages carry it): it must not rewrite the money.
    const write = await send(shopWrite);
    expect(write.statusCode).toBe(403);
    expect(write.json().error).toBe(
      "This is a write key; this route needs an import or admin key (see docs/security.md).",
    );
    const foreign = await send(otherImport, "/api/v1/imports?kind=costs&workspace=shop");
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error).toMatch(/another workspace/);
    const own = await send(otherImport);
    expect(own.statusCode, own.body).toBe(200);
    expect((await spendOf("other")).rows.map((r) => r.campaign).sort()).toEqual([
      "retargeting",
      "spring sale social",
    ]);
    expect((await spendOf("shop")).rows.some((r) => r.campaign === "retargeting")).toBe(false);
  });

  it("is described in the OpenAPI document with its parameters", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    const operation = doc.paths["/api/v1/imports"].post;
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["kind", "preset", "filename", "workspace", "skip_invalid"]),
    );
    expect(Object.keys(operation.requestBody.content)).toContain("multipart/form-data");
  });

  it("names a missing or wrong kind", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/imports?kind=sales",
      payload: "a,b\n",
      headers: { "content-type": "text/csv", ...shopImport },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().details[0].field).toBe("kind");
  });
});
