import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoApp, openDemoApp } from "./demo-app.js";

/**
 * The first hour (docs/getting-started.md): the demo that `sextant serve` loads into an empty store
 * fills every page of the dashboard, as its API answers them.
 */
describe("the demo workspace", () => {
  let demo: DemoApp;
  const get = async (url: string) => {
    const response = await demo.app.inject({ method: "GET", url, headers: demo.auth });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    demo = await openDemoApp({ days: 90, seed: 1 });
  }, 600_000);
  afterAll(async () => {
    await demo?.close();
  });

  it("has objectives of each type and a goal in each status on its last day", async () => {
    const { objectives } = (await get("/api/v1/objectives?workspace=demo")) as {
      objectives: { type: string }[];
    };
    expect(new Set(objectives.map((o) => o.type))).toEqual(new Set(["awareness", "conversion", "loyalty"]));
    const report = (await get("/api/v1/goals?workspace=demo&as_of=2026-03-31")) as {
      goals: { id: string; status: string; current: number | null }[];
    };
    const statuses = new Set(report.goals.map((g) => g.status));
    for (const status of ["achieved", "on_track", "at_risk", "off_track"]) expect(statuses).toContain(status);
    for (const goal of report.goals) expect(goal.current, goal.id).not.toBeNull();
  });

  it("has two funnels whose steps people go through", async () => {
    const funnels = (await get("/api/v1/funnels?workspace=demo")) as
      | { id: string }[]
      | { funnels: { id: string }[] };
    const list = Array.isArray(funnels) ? funnels : funnels.funnels;
    expect(list.length).toBe(2);
    for (const { id } of list) {
      const result = (await get(`/api/v1/funnels/${id}?workspace=demo&from=2026-03-04&to=2026-03-31`)) as {
        steps: { visitors: number }[];
      };
      expect(result.steps.at(-1)?.visitors, id).toBeGreaterThan(0);
    }
  });

  it("has a finished experiment with a clear winner and a running one without", async () => {
    const finished = (await get("/api/v1/experiments/pricing-page-v2?workspace=demo")) as {
      to: string | null;
      srm: { flagged: boolean };
      variations: { id: string; p_value: number | null }[];
    };
    expect(finished.to).not.toBeNull();
    expect(finished.variations.find((v) => v.id === "treatment")?.p_value).toBeLessThan(0.01);
    expect(finished.srm.flagged).toBe(false);
    const running = (await get("/api/v1/experiments/free-shipping-banner?workspace=demo")) as {
      to: string | null;
      variations: { id: string; visitors: number }[];
    };
    expect(running.to).toBeNull();
    expect(running.variations.map((v) => v.id)).toEqual(["control", "treatment"]);
  });

  it("has alert rules with a history of firings, and a report schedule", async () => {
    const rules = (await get("/api/v1/alerts/rules?workspace=demo")) as unknown[] | { rules: unknown[] };
    expect((Array.isArray(rules) ? rules : rules.rules).length).toBeGreaterThanOrEqual(3);
    const history = (await get("/api/v1/alerts/history?workspace=demo")) as
      | { rule: string }[]
      | { history: { rule: string }[] };
    const firings = Array.isArray(history) ? history : history.history;
    expect(firings.length).toBeGreaterThan(0);
    const admin = await demo.app.inject({
      method: "GET",
      url: "/api/v1/config?workspace=demo",
      headers: demo.auth,
    });
    // The read key may not read the configuration (recipients): the schedule is in the store.
    expect(admin.statusCode).toBe(403);
    expect((await demo.store.listDocuments("demo", "report_schedule")).map((d) => d.id)).toEqual([
      "weekly-report",
    ]);
  });

  it("gives every KPI a value over the dashboard's default range (the last 28 days)", async () => {
    const result = (await get("/api/v1/kpis?workspace=demo&from=2026-03-04&to=2026-03-31")) as {
      totals: Record<string, number | null>;
    };
    const missing = Object.entries(result.totals).filter(([, v]) => v === null);
    expect(missing).toEqual([]);
    expect(Object.keys(result.totals)).toContain("clv");
  });
});
