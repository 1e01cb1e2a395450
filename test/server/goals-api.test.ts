import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateGoals } from "../../src/goals/evaluate.js";
import { generateKey } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { Workspace } from "../../src/model/workspace.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { plainCsvImport, type Store } from "../../src/store/store.js";

const CONFIG = `workspace: shop
kpis:
  net: revenue - spend
objectives:
  - id: sales
    type: conversion
    title: "Sales <b>&</b>"
    goals:
      - id: revenue-april
        kpi: revenue
        target: 1000
        start: 2026-04-01
        deadline: 2026-04-10
`;

let dir: string;
let store: Store;
let app: FastifyInstance;
let shop: Workspace;
const keys: Record<"read" | "write" | "admin", { authorization: string }> = {} as never;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-goals-api-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"));
  shop = { name: "shop", settings: validateSettings({}) };
  await store.createWorkspace(shop);
  await store.createWorkspace({ name: "other", settings: validateSettings({}) });
  const orders = join(dir, "orders.csv");
  writeFileSync(
    orders,
    "timestamp,order_id,customer_id,revenue\n2026-04-01T10:00:00Z,o1,c1,100\n2026-04-02T10:00:00Z,o2,c2,200\n",
  );
  await store.importFile(plainCsvImport(shop, "orders", orders));
  for (const kind of ["read", "write", "admin"] as const) {
    const key = generateKey(kind);
    await store.saveKey({ id: key.id, workspace: "shop", kind, hash: key.hash });
    keys[kind] = { authorization: `Bearer ${key.secret}` };
  }
  app = await buildApp({ store });
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (body: string, headers: Record<string, string>, type = "application/yaml", query = "") =>
  app.inject({
    method: "PUT",
    url: `/api/v1/config${query}`,
    payload: body,
    headers: { ...headers, "content-type": type },
  });

describe("the configuration over HTTP", () => {
  it("refuses read and write keys with 403 and changes nothing", async () => {
    for (const kind of ["read", "write"] as const) {
      const response = await put(CONFIG, keys[kind]);
      expect(response.statusCode, kind).toBe(403);
    }
    expect(await store.listDocuments("shop", "goal")).toEqual([]);
    expect((await put(CONFIG, {})).statusCode).toBe(401);
  });

  it("applies YAML with an admin key, idempotently, and exports it as YAML and JSON", async () => {
    const first = await put(CONFIG, keys.admin);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ workspace: "shop", unchanged: 0 });
    expect(first.json().changes).toHaveLength(3);
    const again = await put(CONFIG, keys.admin);
    expect(again.json()).toMatchObject({ changes: [], unchanged: 3 });
    const yaml = await app.inject({ method: "GET", url: "/api/v1/config", headers: keys.admin });
    expect(yaml.headers["content-type"]).toMatch(/yaml/);
    expect(yaml.body).toContain("revenue-april");
    const json = await app.inject({ method: "GET", url: "/api/v1/config?format=json", headers: keys.admin });
    expect(json.json().objectives[0].title).toBe("Sales <b>&</b>");
    const back = await put(JSON.stringify(json.json()), keys.admin, "application/json");
    expect(back.json()).toMatchObject({ changes: [], unchanged: 3 });
  });

  it("a failed PUT names the line and changes nothing", async () => {
    const before = (await app.inject({ method: "GET", url: "/api/v1/config", headers: keys.admin })).body;
    const bad = `${CONFIG.replace("target: 1000", "target: 2000")}      - id: bad\n        kpi: conversion_rat\n        target: 3\n        start: 2026-04-01\n        deadline: 2026-04-10\n`;
    const response = await put(bad, keys.admin);
    expect(response.statusCode).toBe(400);
    expect(response.json().details[0]).toMatchObject({ line: 15, field: "objectives[0].goals[1].kpi" });
    expect(response.json().error).toMatch(/Did you mean "conversion_rate"/);
    const after = (await app.inject({ method: "GET", url: "/api/v1/config", headers: keys.admin })).body;
    expect(after).toBe(before);
  });

  it.each([
    "http://169.254.169.254/latest/meta-data/",
    "http://2130706433:6379/",
    "http://0.0.0.0:8000/",
    "http://[::1]:22/",
    "http://[::ffff:10.0.0.1]/",
    "http://localhost:9200/",
  ])(
    "refuses a webhook channel at %s: an admin key cannot aim the server at its own network",
    async (url) => {
      const response = await put(`workspace: shop\nchannels:\n  webhook: {url: "${url}"}\n`, keys.admin);
      expect(response.statusCode).toBe(400);
      expect(response.json().details).toEqual([
        {
          field: "channels.webhook.url",
          line: 3,
          reason: expect.stringMatching(/where webhooks may not go.*SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1/),
        },
      ]);
      expect(await store.listDocuments("shop", "channel")).toEqual([]);
    },
  );

  it("refuses a file for another workspace than the key's", async () => {
    const response = await put(CONFIG.replace("workspace: shop", "workspace: other"), keys.admin);
    expect(response.statusCode).toBe(403);
    expect(await store.listDocuments("other", "objective")).toEqual([]);
  });
});

describe("goals, history, review and suggestions over HTTP", () => {
  it("GET /api/v1/goals answers the JSON of evaluateGoals", async () => {
    const response = await app.inject({
      method: "GET",
      url: "/api/v1/goals?as_of=2026-04-02",
      headers: keys.read,
    });
    expect(response.statusCode).toBe(200);
    const direct = await evaluateGoals(store, shop, { asOf: "2026-04-02" });
    expect(response.json()).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(response.json().goals[0]).toMatchObject({
      id: "revenue-april",
      current: 300,
      expected: 200,
      status: "on_track",
    });
    const bad = await app.inject({ method: "GET", url: "/api/v1/goals?as_of=yesterday", headers: keys.read });
    expect(bad.statusCode).toBe(400);
  });

  it("lists objectives, a goal's history, the review and suggested KPIs", async () => {
    const objectives = await app.inject({ method: "GET", url: "/api/v1/objectives", headers: keys.read });
    expect(objectives.json()).toEqual({
      objectives: [{ id: "sales", type: "conversion", title: "Sales <b>&</b>", goals: ["revenue-april"] }],
    });
    const history = await app.inject({
      method: "GET",
      url: "/api/v1/goals/revenue-april/history?interval=week&as_of=2026-04-30",
      headers: keys.read,
    });
    expect(history.json().snapshots.map((s: { current: number }) => s.current)).toEqual([300, 300]);
    const missing = await app.inject({
      method: "GET",
      url: "/api/v1/goals/revenue-apri/history",
      headers: keys.read,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatch(/Did you mean "revenue-april"/);
    const review = await app.inject({
      method: "GET",
      url: "/api/v1/review?as_of=2026-04-30&lang=fr",
      headers: keys.read,
    });
    expect(review.json().items.find((i: { kind: string }) => i.kind === "past_deadline").action).toMatch(
      /Clôturez/,
    );
    const suggest = await app.inject({
      method: "GET",
      url: "/api/v1/kpis/suggest?type=loyalty",
      headers: keys.read,
    });
    expect(
      suggest
        .json()
        .kpis.slice(0, 3)
        .map((k: { id: string }) => k.id),
    ).toEqual(["retention_rate", "purchase_frequency", "clv"]);
    const openapi = await app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    for (const path of [
      "/api/v1/config",
      "/api/v1/goals",
      "/api/v1/goals/{id}/history",
      "/api/v1/review",
      "/api/v1/kpis/suggest",
    ]) {
      expect(openapi.json().paths[path], path).toBeDefined();
    }
  });
});
