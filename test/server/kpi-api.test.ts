import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKpiQuery } from "../../src/kpi/run-query.js";
import { generateKey } from "../../src/model/keys.js";
import type { Store } from "../../src/store/store.js";
import { type DemoApp, openDemoApp } from "./demo-app.js";

let store: Store;
let app: FastifyInstance;
let auth: { authorization: string };

let fixture: DemoApp;

beforeAll(async () => {
  fixture = await openDemoApp({ days: 21, seed: 5 });
  ({ store, app, auth } = fixture);
});

afterAll(() => fixture.close());

describe("GET /api/v1/kpis", () => {
  it("answers the same JSON as the CLI's query runner", async () => {
    const url =
      "/api/v1/kpis?kpis=visitors,conversion_rate,spend,cpa&from=2026-03-11&to=2026-03-31&interval=week&group_by=channel&where=channel=paid&where=channel=email";
    const response = await app.inject({ method: "GET", url, headers: auth });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const workspace = (await store.listWorkspaces())[0];
    if (!workspace) throw new Error("no workspace");
    const direct = await runKpiQuery(store, workspace, {
      kpis: ["visitors", "conversion_rate", "spend", "cpa"],
      from: "2026-03-11",
      to: "2026-03-31",
      interval: "week",
      groupBy: ["channel"],
      where: ["channel=paid", "channel=email"],
    });
    expect(body).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(new Set(body.rows.map((r: { channel: string }) => r.channel))).toEqual(new Set(["paid", "email"]));
    expect(body.rows[0].period).toBe("2026-03-09");
  });

  it("names the wrong parameter with a 400", async () => {
    const response = await app.inject({
      method: "GET",
      url: "/api/v1/kpis?interval=fortnight",
      headers: auth,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ details: [{ field: "interval" }] });
    const unknown = await app.inject({ method: "GET", url: "/api/v1/kpis?kpis=visitorz", headers: auth });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatch(/Did you mean "visitors"/);
  });

  it("forbids naming another workspace and refuses requests without a key", async () => {
    const other = await app.inject({ method: "GET", url: "/api/v1/kpis?workspace=nope", headers: auth });
    expect(other.statusCode).toBe(403);
    const anonymous = await app.inject({ method: "GET", url: "/api/v1/kpis" });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().details[0].field).toBe("authorization");
  });

  it("lets an admin key read, and refuses a write key, which web pages carry", async () => {
    const admin = generateKey("admin");
    await store.saveKey({ id: admin.id, workspace: "demo", kind: "admin", hash: admin.hash });
    const write = generateKey("write");
    await store.saveKey({ id: write.id, workspace: "demo", kind: "write", hash: write.hash });
    const url = "/api/v1/kpis?kpis=visitors";
    const asAdmin = await app.inject({
      method: "GET",
      url,
      headers: { authorization: `Bearer ${admin.secret}` },
    });
    expect(asAdmin.statusCode).toBe(200);
    expect(admin.secret.startsWith("sxa_")).toBe(true);
    const asWriter = await app.inject({
      method: "GET",
      url,
      headers: { authorization: `Bearer ${write.secret}` },
    });
    expect(asWriter.statusCode).toBe(403);
    expect(asWriter.json().error).toMatch(/needs a read or admin key/);
  });

  it("shows no dashboard and no data without a session", async () => {
    expect((await app.inject({ method: "GET", url: "/healthz" })).json()).toMatchObject({ status: "ok" });
    const page = await app.inject({ method: "GET", url: "/campaigns?workspace=demo" });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe("/login?next=%2Fcampaigns%3Fworkspace%3Ddemo");
    expect((await app.inject({ method: "GET", url: "/api/v1/kpis" })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/api/v1/session" })).statusCode).toBe(401);
    const login = await app.inject({ method: "GET", url: "/login" });
    expect(login.statusCode).toBe(200);
    expect(login.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(login.body).toContain('name="username"');
    expect(login.body).toContain('name="password"');
  });

  it("serves the catalog's labels and definitions, and custom KPIs, to a read key", async () => {
    await store.saveCustomKpi("demo", "x_kpi", "revenue - spend");
    const body = (await app.inject({ method: "GET", url: "/api/v1/catalog", headers: auth })).json();
    const cr = body.kpis.find((k: { id: string }) => k.id === "conversion_rate");
    expect(cr).toMatchObject({ label: { en: "Conversion rate" }, unit: "percent", better: "higher" });
    expect(body.kpis.find((k: { id: string }) => k.id === "x_kpi")).toMatchObject({
      custom: true,
      definition: "revenue - spend",
    });
  });
});
