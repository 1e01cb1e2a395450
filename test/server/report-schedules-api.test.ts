import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/model/keys.js";
import { buildApp } from "../../src/server/app.js";
import { type Kit, openKit } from "../kpi/fixture.js";

let kit: Kit;
let app: FastifyInstance;

async function key(workspace: string, kind: "read" | "admin") {
  const k = generateKey(kind);
  await kit.store.saveKey({ id: k.id, workspace, kind, hash: k.hash });
  return { authorization: `Bearer ${k.secret}` };
}

beforeAll(async () => {
  kit = await openKit();
  await kit.workspace("shop", { timezone: "Europe/Paris" });
  await kit.workspace("other");
  app = await buildApp({ store: kit.store });
});
afterAll(async () => {
  await app.close();
  await kit.close();
});

const weekly = {
  id: "weekly",
  kind: "periodic",
  period: "week",
  schedule: "0 8 * * 1",
  formats: ["pdf", "csv"],
  lang: "fr",
  to: ["team@shop.example.com"],
};

describe("report schedules over HTTP", () => {
  it("a read key neither lists (they name recipients), nor creates or deletes a schedule", async () => {
    const read = await key("shop", "read");
    const post = await app.inject({
      method: "POST",
      url: "/api/v1/reports/schedules",
      headers: read,
      payload: weekly,
    });
    expect(post.statusCode).toBe(403);
    const del = await app.inject({
      method: "DELETE",
      url: "/api/v1/reports/schedules/weekly",
      headers: read,
    });
    expect(del.statusCode).toBe(403);
    expect((await app.inject({ url: "/api/v1/reports/schedules", headers: read })).statusCode).toBe(403);
    expect((await app.inject({ url: "/api/v1/reports/history", headers: read })).statusCode).toBe(403);
    expect((await app.inject({ url: "/api/v1/reports/schedules" })).statusCode).toBe(401);
  });

  it("an admin key creates, replaces and deletes a schedule; the list shows its next run", async () => {
    const admin = await key("shop", "admin");
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/reports/schedules",
      headers: admin,
      payload: weekly,
    });
    expect(created.statusCode, created.body).toBe(201);
    const replaced = await app.inject({
      method: "POST",
      url: "/api/v1/reports/schedules",
      headers: admin,
      payload: { ...weekly, to: ["boss@shop.example.com"] },
    });
    expect(replaced.statusCode).toBe(200);
    const list = (await app.inject({ url: "/api/v1/reports/schedules", headers: admin })).json();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: "weekly",
      to: ["boss@shop.example.com"],
      time_zone: "Europe/Paris",
      last_delivery: null,
    });
    // Mondays 08:00 in Paris: 06:00 or 07:00 UTC, a Monday.
    const next = new Date(list[0].next_run);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getUTCDay()).toBe(1);
    expect([6, 7]).toContain(next.getUTCHours());
    // Another workspace's key does not see it.
    const other = await key("other", "admin");
    expect((await app.inject({ url: "/api/v1/reports/schedules", headers: other })).json()).toEqual([]);

    const deleted = await app.inject({
      method: "DELETE",
      url: "/api/v1/reports/schedules/weekly",
      headers: admin,
    });
    expect(deleted.json()).toEqual({ deleted: "weekly" });
    const again = await app.inject({
      method: "DELETE",
      url: "/api/v1/reports/schedules/weekly",
      headers: admin,
    });
    expect(again.statusCode).toBe(404);
  });

  it("refuses a bad schedule with a sentence naming the field, and stores nothing", async () => {
    const admin = await key("shop", "admin");
    const cases: [Record<string, unknown>, string][] = [
      [{ ...weekly, schedule: "every monday" }, "schedule"],
      [{ ...weekly, to: ["not an address"] }, "to.0"],
      [{ ...weekly, period: undefined }, "body"],
      [{ ...weekly, kind: "audit", campaign: undefined }, "body"],
      [{ ...weekly, format: "pdf" }, "format"],
      [{ ...weekly, extra: 1 }, ""],
    ];
    for (const [payload, field] of cases) {
      const res = await app.inject({
        method: "POST",
        url: "/api/v1/reports/schedules",
        headers: admin,
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().details[0].field).toBe(field);
      expect(res.json().error).toMatch(/\.$|:/);
    }
    expect((await app.inject({ url: "/api/v1/reports/schedules", headers: admin })).json()).toEqual([]);
  });

  it("the OpenAPI document describes the schedule routes and their keys", async () => {
    const doc = (await app.inject({ url: "/api/v1/openapi.json" })).json();
    expect(doc.paths["/api/v1/reports/schedules"].post.security).toEqual([{ adminKey: [] }, { session: [] }]);
    expect(doc.paths["/api/v1/reports/schedules"].get.security).toEqual([{ adminKey: [] }, { session: [] }]);
    expect(doc.paths["/api/v1/reports/schedules/{id}"].delete).toBeDefined();
    expect(doc.paths["/api/v1/reports/history"].get).toBeDefined();
    const body = doc.paths["/api/v1/reports/schedules"].post.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(expect.arrayContaining(["id", "kind", "schedule", "to"]));
  });
});
