import { parse as parseCsv } from "csv-parse/sync";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareMetric } from "../../src/analysis/experiments/effects.js";
import { generateKey } from "../../src/model/keys.js";
import { buildApp } from "../../src/server/app.js";
import { type Kit, openKit } from "../kpi/fixture.js";
import { CliSandbox } from "./run-cli.js";

const seen = (ts: string, visitor: string, variation: string) =>
  `${ts},Experiment Viewed,${visitor},,"{""experiment_id"":""checkout"",""variation_id"":""${variation}""}"`;
const order = (ts: string, visitor: string, revenue: number) =>
  `${ts},Order Completed,${visitor},${revenue},`;

/** Eight visitors a variation, each with an order before and one after the first exposure. */
const EVENTS = [
  "timestamp,event,visitor_id,revenue,properties",
  ...["a", "b"].flatMap((variation, k) =>
    Array.from({ length: 8 }, (_, i) => {
      const visitor = `${variation}${i}`;
      return [
        order("2026-03-01T09:00:00Z", visitor, 10 + i * 3),
        seen("2026-03-02T10:00:00Z", visitor, variation),
        order("2026-03-03T10:00:00Z", visitor, 12 + i * 3 + ((i * 7) % 5) + k * 4),
      ];
    }).flat(),
  ),
].join("\n");

describe("sextant experiment --metric, and GET /api/v1/experiments/:id with the same options", () => {
  let cli: CliSandbox;
  let kit: Kit;
  let app: FastifyInstance;
  let auth: { authorization: string };
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    await cli.ok(["import", "events", await cli.file("events.csv", EVENTS)]);
    kit = await openKit();
    const ws = await kit.workspace("shop");
    await kit.load(ws, "events", EVENTS);
    app = await buildApp({ store: kit.store });
    const key = generateKey("read");
    await kit.store.saveKey({ id: key.id, workspace: "shop", kind: "read", hash: key.hash });
    auth = { authorization: `Bearer ${key.secret}` };
  });
  afterAll(async () => {
    await app.close();
    await kit.close();
    await cli.cleanup();
  });

  it("prints revenue per visitor with CUPED and sequential figures, as the API answers them", async () => {
    const json = JSON.parse(
      await cli.ok([
        "experiment",
        "checkout",
        "--metric",
        "revenue",
        "--metric",
        "sum:Order Completed.revenue",
        "--cuped",
        "--sequential",
        "--tuning",
        "50",
        "--format",
        "json",
      ]),
    );
    const api = await app.inject({
      url: "/api/v1/experiments/checkout?metric=revenue&metric=sum:Order%20Completed.revenue&cuped=true&sequential=true&tuning=50",
      headers: auth,
    });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toEqual(json);
    expect(json.metrics.map((m: { metric: string }) => m.metric)).toEqual([
      "revenue",
      "sum:Order Completed.revenue",
    ]);
    const [control, variation] = json.metrics[0].variations;
    // Post: a = Σ(12 + 3i + (7i mod 5)), b the same + 4 each; pre: Σ(10 + 3i) for both.
    const post = Array.from({ length: 8 }, (_, i) => 12 + i * 3 + ((i * 7) % 5));
    const pre = Array.from({ length: 8 }, (_, i) => 10 + i * 3);
    const sums = (shift: number) => ({
      n: 8,
      sum: post.reduce((s, y) => s + y + shift, 0),
      sumSquares: post.reduce((s, y) => s + (y + shift) ** 2, 0),
      pre: {
        sum: pre.reduce((s, x) => s + x, 0),
        sumSquares: pre.reduce((s, x) => s + x * x, 0),
        sumProducts: post.reduce((s, y, i) => s + (y + shift) * (pre[i] ?? 0), 0),
      },
    });
    expect([control.sum, control.sum_squares, variation.sum]).toEqual([
      sums(0).sum,
      sums(0).sumSquares,
      sums(4).sum,
    ]);
    const expected = compareMetric(sums(0), sums(4), {
      scale: "mean",
      cuped: true,
      sequential: 50,
      alpha: 0.05,
    });
    expect(variation.diff).toBeCloseTo(expected.diff ?? Number.NaN, 10);
    expect(variation.lift_ci[0]).toBeCloseTo(expected.liftCi?.[0] ?? Number.NaN, 10);
    expect(variation.p_value).toBeCloseTo(expected.liftPValue ?? Number.NaN, 10);
    expect(variation.variance_reduction).toBeGreaterThan(0.5);
    expect(json.metrics[0].cuped).toEqual({ lookback_days: 14 });
    expect(json.metrics[0].sequential).toEqual({ tuning: 50 });
  });

  it("writes the metric table as CSV and a table, and refuses an unknown metric", async () => {
    const csv = parseCsv(await cli.ok(["experiment", "checkout", "--metric", "revenue", "--format", "csv"]), {
      columns: true,
    }) as Record<string, string>[];
    expect(csv.map((r) => [r.metric, r.id, r.visitors])).toEqual([
      ["revenue", "a", "8"],
      ["revenue", "b", "8"],
    ]);
    expect(Number(csv[1]?.diff)).toBe(4);
    expect(await cli.ok(["experiment", "checkout", "--metric", "orders", "--sequential"])).toMatch(
      /sequential, tuning 5000/,
    );
    expect(await cli.fails(["experiment", "checkout", "--metric", "margin"])).toMatch(
      /--metric "margin" is not a metric/,
    );
    const bad = await app.inject({ url: "/api/v1/experiments/checkout?metric=margin", headers: auth });
    expect(bad.statusCode).toBe(400);
  });
});
