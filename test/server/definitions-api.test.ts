import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/model/keys.js";
import { type DemoApp, openDemoApp } from "./demo-app.js";

/** One definition at a time over HTTP, checked as the configuration file is (docs/configuration.md). */
describe("PUT, GET and DELETE of one definition", () => {
  let demo: DemoApp;
  let admin: { authorization: string };

  const call = (method: "GET" | "PUT" | "DELETE", url: string, payload?: unknown, headers = admin) =>
    demo.app.inject({
      method,
      url: `${url}${url.includes("?") ? "&" : "?"}workspace=demo`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const exported = async () => (await call("GET", "/api/v1/config?format=json")).json();

  beforeAll(async () => {
    demo = await openDemoApp({ days: 14, seed: 2 });
    const key = generateKey("admin");
    await demo.store.saveKey({ id: key.id, workspace: "demo", kind: "admin", hash: key.hash });
    admin = { authorization: `Bearer ${key.secret}` };
  }, 600_000);
  afterAll(async () => {
    await demo?.close();
  });

  it("creates an objective and a goal, answers them on GET and exports them nested", async () => {
    const objective = { type: "conversion", title: "More orders" };
    const put = await call("PUT", "/api/v1/objectives/more-orders", objective);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().changes).toEqual([{ kind: "objective", id: "more-orders", action: "created" }]);
    const goal = {
      objective: "more-orders",
      kpi: "orders",
      target: 500,
      start: "2026-03-01",
      deadline: "2026-06-30",
    };
    const created = await call("PUT", "/api/v1/goals/q2-orders", goal);
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().definition).toEqual({ id: "q2-orders", ...goal });
    expect((await call("GET", "/api/v1/goals/q2-orders")).json()).toEqual({ id: "q2-orders", ...goal });
    expect((await call("GET", "/api/v1/objectives/more-orders")).json()).toEqual({
      id: "more-orders",
      ...objective,
    });
    const config = await exported();
    const nested = config.objectives.find((o: { id: string }) => o.id === "more-orders");
    expect(nested.goals).toEqual([
      { id: "q2-orders", kpi: "orders", target: 500, start: "2026-03-01", deadline: "2026-06-30" },
    ]);

    const updated = await call("PUT", "/api/v1/goals/q2-orders", { ...goal, target: 600 });
    expect(updated.json().changes).toEqual([{ kind: "goal", id: "q2-orders", action: "updated" }]);
    const again = await call("PUT", "/api/v1/goals/q2-orders", { ...goal, target: 600 });
    expect(again.json().changes).toEqual([]);
  });

  it("refuses a bad goal with the configuration file's sentence, naming the field, and changes nothing", async () => {
    const before = await exported();
    const bad = {
      objective: "more-orders",
      kpi: "revenu",
      target: 1,
      start: "2026-03-01",
      deadline: "2026-06-30",
    };
    const response = await call("PUT", "/api/v1/goals/typo", bad);
    expect(response.statusCode).toBe(400);
    const { error, details } = response.json();
    expect(error).toMatch(/^The goal "typo" has an error; nothing was changed/);
    expect(details[0].field).toBe("kpi");
    // The same definition in a configuration file is refused for the same reason.
    const file = {
      objectives: [
        {
          id: "more-orders",
          type: "conversion",
          title: "More orders",
          goals: [{ id: "typo", ...bad, objective: undefined }],
        },
      ],
    };
    const viaFile = await call("PUT", "/api/v1/config", JSON.parse(JSON.stringify(file)));
    expect(viaFile.statusCode).toBe(400);
    expect(viaFile.json().details[0].reason).toBe(details[0].reason);
    expect(await exported()).toEqual(before);
    expect((await call("GET", "/api/v1/goals/typo")).statusCode).toBe(404);
  });

  it("refuses a goal whose objective does not exist, and an id that is not the URL's", async () => {
    const goal = { objective: "nope", kpi: "orders", target: 1, start: "2026-03-01", deadline: "2026-06-30" };
    const orphan = await call("PUT", "/api/v1/goals/orphan", goal);
    expect(orphan.statusCode).toBe(400);
    expect(orphan.json().error).toContain("PUT /api/v1/objectives/nope");
    const renamed = await call("PUT", "/api/v1/goals/a", { ...goal, id: "b", objective: "more-orders" });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().details[0].field).toBe("id");
  });

  it("stores funnels, experiments and alert rules, listed where their analyses are", async () => {
    const funnel = { steps: ["pageview /pricing", "Signed Up"], window: "7d" };
    expect((await call("PUT", "/api/v1/funnels/pricing-signup", funnel)).statusCode).toBe(200);
    const funnels = (await call("GET", "/api/v1/funnels")).json().funnels;
    expect(funnels).toContainEqual({ id: "pricing-signup", ...funnel });
    const analysis = await call("GET", "/api/v1/funnels/pricing-signup");
    expect(analysis.statusCode).toBe(200);
    expect(analysis.json().steps).toHaveLength(2);

    const experiment = { conversion: "Order Completed", control: "control" };
    expect((await call("PUT", "/api/v1/experiments/hero-test", experiment)).statusCode).toBe(200);
    expect((await call("GET", "/api/v1/experiments")).json().saved).toContainEqual({
      id: "hero-test",
      ...experiment,
    });

    const rule = {
      kind: "threshold",
      kpi: "cpa",
      period: "week",
      op: ">",
      value: 40,
      channels: ["dashboard"],
    };
    expect((await call("PUT", "/api/v1/alerts/rules/cpa-high", rule)).statusCode).toBe(200);
    expect((await call("GET", "/api/v1/alerts/rules/cpa-high")).json()).toEqual({ id: "cpa-high", ...rule });

    const badRule = await call("PUT", "/api/v1/alerts/rules/cron", { ...rule, schedule: "every day" });
    expect(badRule.statusCode).toBe(400);
    expect(badRule.json().details[0].field).toBe("schedule");
    const badFunnel = await call("PUT", "/api/v1/funnels/empty", { steps: [] });
    expect(badFunnel.statusCode).toBe(400);
    expect(badFunnel.json().details[0].field).toBe("steps");

    const config = await exported();
    expect(config.funnels).toContainEqual({ id: "pricing-signup", ...funnel });
    expect(config.alerts).toContainEqual({ id: "cpa-high", ...rule });
  });

  it("deletes one definition, refusing an objective that still has goals", async () => {
    const busy = await call("DELETE", "/api/v1/objectives/more-orders");
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toContain("q2-orders");
    const watch = { kind: "goal_status", goal: "q2-orders", channels: ["dashboard"] };
    expect((await call("PUT", "/api/v1/alerts/rules/watch-orders", watch)).statusCode).toBe(200);
    const watched = await call("DELETE", "/api/v1/goals/q2-orders");
    expect(watched.statusCode).toBe(400);
    expect(watched.json().error).toContain('there is no goal "q2-orders"');
    expect((await call("GET", "/api/v1/goals/q2-orders")).statusCode).toBe(200);
    expect((await call("DELETE", "/api/v1/alerts/rules/watch-orders")).statusCode).toBe(200);
    const gone = await call("DELETE", "/api/v1/goals/q2-orders");
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json().changes).toEqual([{ kind: "goal", id: "q2-orders", action: "deleted" }]);
    expect((await call("GET", "/api/v1/goals/q2-orders")).statusCode).toBe(404);
    expect((await call("DELETE", "/api/v1/objectives/more-orders")).statusCode).toBe(200);
    expect((await call("DELETE", "/api/v1/funnels/pricing-signup")).json().changes).toEqual([
      { kind: "funnel", id: "pricing-signup", action: "deleted" },
    ]);
    expect((await call("DELETE", "/api/v1/funnels/pricing-signup")).statusCode).toBe(404);
    // The demo's own definitions are still there.
    const config = await exported();
    expect(config.funnels.map((f: { id: string }) => f.id)).toEqual(["purchase", "sign-up"]);
  });

  it("lets a read key read a definition but not write one", async () => {
    expect((await call("GET", "/api/v1/alerts/rules/cpa-high", undefined, demo.auth)).statusCode).toBe(200);
    const write = await call("PUT", "/api/v1/funnels/x", { steps: ["Signed Up"] }, demo.auth);
    expect(write.statusCode).toBe(403);
    expect(
      (await call("GET", "/api/v1/funnels")).json().funnels.map((f: { id: string }) => f.id),
    ).not.toContain("x");
  });
});
