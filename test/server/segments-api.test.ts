import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSegments, type SegmentsResult } from "../../src/analysis/segments/run-segments.js";
import { runCli } from "../../src/cli/run.js";
import { runKpiQuery } from "../../src/kpi/run-query.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { Workspace } from "../../src/model/workspace.js";
import type { Store } from "../../src/store/store.js";
import { type DemoApp, openDemoApp } from "./demo-app.js";

let store: Store;
let app: FastifyInstance;
let demo: Workspace;
let auth: { authorization: string };

const RANGE = "from=2026-03-18&to=2026-03-31";

let fixture: DemoApp;

beforeAll(async () => {
  fixture = await openDemoApp({ days: 14, seed: 3 }, async (s) => {
    await s.createWorkspace({ name: "other", settings: validateSettings({}) });
  });
  ({ store, app, auth, demo } = fixture);
});

afterAll(() => fixture.close());

const get = (url: string, headers: Record<string, string> = auth) =>
  app.inject({ method: "GET", url, headers });

type Body = SegmentsResult;

describe("GET /api/v1/segments", () => {
  it("compares visitor conversion by channel: the KPI query's figures and an independent z-test", async () => {
    const response = await get(`/api/v1/segments?kpi=visitor_conversion_rate&by=channel&${RANGE}`);
    expect(response.statusCode).toBe(200);
    const body = response.json() as Body;
    expect(body).toEqual(
      JSON.parse(
        JSON.stringify(
          await runSegments(store, demo, {
            kpi: "visitor_conversion_rate",
            by: "channel",
            from: "2026-03-18",
            to: "2026-03-31",
          }),
        ),
      ),
    );
    expect(body.share_of).toBe("visitors");
    expect(body.test).toMatch(/z-test/);
    const counts = await runKpiQuery(store, demo, {
      kpis: ["converted_visitors", "visitors", "visitor_conversion_rate"],
      from: "2026-03-18",
      to: "2026-03-31",
      groupBy: ["channel"],
    });
    expect(body.total).toBe(counts.totals.visitor_conversion_rate);
    expect(body.segments.length).toBe(counts.rows.length);
    expect(body.segments.length).toBeGreaterThan(2);
    const X = Number(counts.totals.converted_visitors);
    const N = Number(counts.totals.visitors);
    const values = body.segments.map((s) => s.value as number);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    for (const segment of body.segments) {
      const row = counts.rows.find((r) => r.channel === segment.channel);
      if (!row) throw new Error(`no row for ${String(segment.channel)}`);
      const x = Number(row.converted_visitors);
      const n = Number(row.visitors);
      expect(segment.value).toBe(row.visitor_conversion_rate);
      expect(segment.share).toBeCloseTo((n / N) * 100, 9);
      // Pooled two-proportion z-test of the segment against everyone else, written out here.
      const pooled = X / N;
      const z = (x / n - (X - x) / (N - n)) / Math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / (N - n)));
      expect(segment.p_value).toBeCloseTo(2 * normalCdf(-Math.abs(z), 0, 1), 12);
      expect(segment.p_value_holm as number).toBeGreaterThanOrEqual(segment.p_value as number);
      expect(segment.significant).toBe((segment.p_value_holm as number) < 0.05);
    }
  });

  it("takes where filters and a limit, and gives a count's share of the total", async () => {
    const body = (
      await get(`/api/v1/segments?kpi=sessions&by=device&where=channel=paid&limit=2&${RANGE}`)
    ).json() as Body;
    const direct = await runKpiQuery(store, demo, {
      kpis: ["sessions"],
      from: "2026-03-18",
      to: "2026-03-31",
      groupBy: ["device"],
      where: ["channel=paid"],
    });
    expect(direct.rows.length).toBeGreaterThan(2);
    expect(body.segments).toHaveLength(2);
    expect(body.share_of).toBe("sessions");
    expect(body.test).toBeNull();
    const top = [...direct.rows].sort((a, b) => Number(b.sessions) - Number(a.sessions))[0];
    expect(body.segments[0]).toMatchObject({
      device: top?.device,
      value: top?.sessions,
      p_value: null,
      significant: null,
    });
    expect(body.segments[0]?.share).toBeCloseTo(
      (Number(top?.sessions) / Number(direct.totals.sessions)) * 100,
      9,
    );
  });

  it("answers bad input with a sentence and 400, never a NaN", async () => {
    const cases: [string, RegExp][] = [
      ["kpi=conversion_rat&by=device", /Unknown KPI "conversion_rat"\. Did you mean "conversion_rate"/],
      ["kpi=ctr&by=devise", /Unknown dimension "devise"\. Did you mean "device"/],
      ["by=device", /^kpi: required/],
      ["kpi=ctr", /^by: required/],
      ["kpi=ctr&by=device&limit=0", /limit/],
      ["kpi=ctr&by=device&from=2026-03-05&to=2026-03-01", /starts \(2026-03-05\) after it ends/],
      ["kpi=ctr&by=page", /page applies to/],
    ];
    for (const [query, message] of cases) {
      const response = await get(`/api/v1/segments?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error, query).toMatch(message);
    }
    const empty = await get("/api/v1/segments?kpi=bounce_rate&by=device&from=2020-01-01&to=2020-01-31");
    expect(empty.statusCode).toBe(200);
    expect(empty.body).not.toMatch(/NaN|Infinity/);
    expect(empty.json()).toMatchObject({ total: null, segments: [] });
    const one = (await get(`/api/v1/segments?kpi=bounce_rate&by=device&where=device=mobile&${RANGE}`)).json();
    expect(one.segments).toHaveLength(1);
    expect(one.segments[0]).toMatchObject({ device: "mobile", share: 100, diff_abs: 0, p_value: null });
  });

  it("needs a read key of the workspace, or a dashboard session", async () => {
    expect((await get("/api/v1/segments?kpi=ctr&by=device", {})).statusCode).toBe(401);
    expect((await get("/api/v1/segments?kpi=ctr&by=device&workspace=other")).statusCode).toBe(403);
    let stdout = "";
    const code = await runCli(["node", "sextant", "users", "add", "viewer", "--workspace", "demo"], {
      stdout: (t) => {
        stdout += t;
      },
      stderr: () => undefined,
      store,
    });
    expect(code).toBe(0);
    const password = stdout.trim().split("\n").at(-1) ?? "";
    const form = await app.inject({ method: "GET", url: "/login" });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
    const login = await app.inject({
      method: "POST",
      url: "/login",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: String(form.headers["set-cookie"]).split(";")[0] ?? "",
      },
      payload: new URLSearchParams({ username: "viewer", password, csrf, next: "/" }).toString(),
    });
    const cookie = [login.headers["set-cookie"]]
      .flat()
      .map(String)
      .find((c) => c.startsWith("sx_session="))
      ?.split(";")[0];
    if (!cookie) throw new Error("the viewer could not sign in");
    const viaSession = await get(`/api/v1/segments?kpi=ctr&by=campaign&${RANGE}`, { cookie });
    expect(viaSession.statusCode).toBe(200);
    expect(viaSession.json()).toEqual((await get(`/api/v1/segments?kpi=ctr&by=campaign&${RANGE}`)).json());
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await get("/api/v1/openapi.json", {})).json() as {
      paths: Record<string, { get?: { parameters?: { name: string; required: boolean }[] } }>;
    };
    const parameters = doc.paths["/api/v1/segments"]?.get?.parameters ?? [];
    expect(parameters.filter((p) => p.required).map((p) => p.name)).toEqual(["kpi", "by"]);
    expect(parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["from", "to", "where", "limit"]));
  });
});
