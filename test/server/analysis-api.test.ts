import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareAttribution } from "../../src/analysis/attribution-comparison.js";
import { adviseBudget } from "../../src/analysis/budget/advise.js";
import { runKpiQuery } from "../../src/kpi/run-query.js";
import type { Store } from "../../src/store/store.js";
import { type DemoApp, openDemoApp } from "./demo-app.js";

let store: Store;
let app: FastifyInstance;
let auth: { authorization: string };

let fixture: DemoApp;

beforeAll(async () => {
  fixture = await openDemoApp({ days: 14, seed: 3 });
  ({ store, app, auth } = fixture);
});

afterAll(() => fixture.close());

describe("analysis routes", () => {
  it("GET /api/v1/budget answers adviseBudget's JSON, summing to the total", async () => {
    const url = "/api/v1/budget?from=2026-03-18&to=2026-03-31&max_shift=30&floor=5";
    const response = await app.inject({ method: "GET", url, headers: auth });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { total: number; campaigns: { proposed: number }[] };
    const workspace = (await store.listWorkspaces())[0];
    if (!workspace) throw new Error("no workspace");
    expect(body).toEqual(
      await adviseBudget(store, workspace, { from: "2026-03-18", to: "2026-03-31", maxShift: 30, floor: 5 }),
    );
    expect(body.campaigns.length).toBeGreaterThan(1);
    const sum = body.campaigns.reduce((s, c) => s + Math.round(c.proposed * 100), 0);
    expect(sum).toBe(Math.round(body.total * 100));
  });

  it("refuses a bad number with a sentence, and needs a key", async () => {
    const bad = await app.inject({ method: "GET", url: "/api/v1/budget?floor=abc", headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/not a number/);
    expect((await app.inject({ method: "GET", url: "/api/v1/budget" })).statusCode).toBe(401);
  });

  it("GET /api/v1/experiments/size gives power.prop.test's n", async () => {
    const response = await app.inject({
      method: "GET",
      url: "/api/v1/experiments/size?baseline=0.5&mde=0.25&power=0.9",
      headers: auth,
    });
    expect(response.json()).toEqual({ per_variation: 77 });
    const bad = await app.inject({
      method: "GET",
      url: "/api/v1/experiments/size?baseline=2&mde=0.1",
      headers: auth,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/--baseline must be a rate/);
  });

  it("attribution=first_touch on /api/v1/kpis equals the workspace set to first touch, and /api/v1/attribution lines models up", async () => {
    const workspace = (await store.listWorkspaces())[0];
    if (!workspace) throw new Error("no workspace");
    const url =
      "/api/v1/kpis?kpis=revenue,orders&from=2026-03-18&to=2026-03-31&group_by=campaign&attribution=first_touch";
    const viaParam = (await app.inject({ method: "GET", url, headers: auth })).json();
    const firstTouch = {
      ...workspace,
      settings: { ...workspace.settings, attribution: "first_touch" as const },
    };
    const direct = await runKpiQuery(store, firstTouch, {
      kpis: ["revenue", "orders"],
      from: "2026-03-18",
      to: "2026-03-31",
      groupBy: ["campaign"],
    });
    expect(viaParam).toEqual(JSON.parse(JSON.stringify(direct)));
    const comparison = (
      await app.inject({
        method: "GET",
        url: "/api/v1/attribution?from=2026-03-18&to=2026-03-31",
        headers: auth,
      })
    ).json();
    expect(comparison).toEqual(
      await compareAttribution(store, workspace, { from: "2026-03-18", to: "2026-03-31" }),
    );
    const row = comparison.campaigns.find((c: { campaign: string }) =>
      direct.rows.some((r) => r.campaign === c.campaign),
    );
    expect(row.first_touch.revenue).toBe(
      direct.rows.find((r) => r.campaign === row.campaign)?.revenue ?? null,
    );
    const bad = await app.inject({ method: "GET", url: "/api/v1/kpis?attribution=magic", headers: auth });
    expect(bad.statusCode).toBe(400);
  });

  it("GET /api/v1/experiments/:id explains a missing conversion event", async () => {
    const none = await app.inject({ method: "GET", url: "/api/v1/experiments/nope", headers: auth });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatch(/--conversion/);
    const empty = (
      await app.inject({
        method: "GET",
        url: "/api/v1/experiments/nope?conversion=Signed%20Up",
        headers: auth,
      })
    ).json();
    expect(empty.variations).toEqual([]);
    expect(
      (await app.inject({ method: "GET", url: "/api/v1/experiments", headers: auth })).json(),
    ).toHaveProperty("seen");
  });

  it("GET /api/v1/funnel and /api/v1/funnels/:id answer docs/funnels-and-experiments.md#funnels's funnel JSON", async () => {
    const adhoc = await app.inject({
      method: "GET",
      url: "/api/v1/funnel?steps=pageview%20/*,Signed%20Up&from=2026-03-18&to=2026-03-31",
      headers: auth,
    });
    expect(adhoc.statusCode).toBe(200);
    const body = adhoc.json();
    expect(body.window).toBe("7d");
    expect(body.steps).toHaveLength(2);
    expect(body.steps[0].visitors).toBeGreaterThan(0);
    expect(body.steps[1].visitors).toBeLessThanOrEqual(body.steps[0].visitors);
    await store.writeDocuments("demo", [
      {
        kind: "funnel",
        id: "signup",
        body: { id: "signup", steps: ["pageview /*", "Signed Up"], window: "7d" },
      },
    ]);
    const saved = (
      await app.inject({
        method: "GET",
        url: "/api/v1/funnels/signup?from=2026-03-18&to=2026-03-31",
        headers: auth,
      })
    ).json();
    expect(saved).toEqual({ ...body, funnel: "signup" });
    expect((await app.inject({ method: "GET", url: "/api/v1/funnels/nope", headers: auth })).statusCode).toBe(
      404,
    );
    const byDevice = (
      await app.inject({
        method: "GET",
        url: "/api/v1/funnels/signup?from=2026-03-18&to=2026-03-31&group_by=device",
        headers: auth,
      })
    ).json();
    expect(byDevice.steps).toEqual(body.steps);
    expect(byDevice.groups.length).toBeGreaterThan(0);
    for (let i = 0; i < 2; i++) {
      const sum = byDevice.groups.reduce(
        (acc: number, g: { steps: { visitors: number }[] }) => acc + (g.steps[i]?.visitors ?? 0),
        0,
      );
      expect(sum).toBe(body.steps[i].visitors);
    }
    expect(Object.keys(byDevice.groups[0])).toEqual(["device", "steps"]);
    const badGroup = await app.inject({
      method: "GET",
      url: "/api/v1/funnel?steps=A,B&group_by=network",
      headers: auth,
    });
    expect(badGroup.statusCode).toBe(400);
    expect(badGroup.json().error).toMatch(/cannot be broken down by "network"/);
    const one = await app.inject({ method: "GET", url: "/api/v1/funnel?steps=Signed%20Up", headers: auth });
    expect(one.statusCode).toBe(400);
    expect(one.json().error).toMatch(/at least two steps/);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json() as {
      paths: object;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/budget",
        "/api/v1/experiments/size",
        "/api/v1/funnel",
        "/api/v1/funnels/{id}",
      ]),
    );
  });
});
