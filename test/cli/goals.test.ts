import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox, expectClose } from "./run-cli.js";

/**
 * `sextant goals` on a DuckDB store with a handful of orders, every figure computed by hand from
 * docs/goals.md#goals-and-their-figures. Orders (revenue): 03-28 80, 03-30 120, 04-01 100, 04-02 200 (spring), 04-03 150,
 * 04-06 300 (spring), 04-12 500.
 */
const ORDERS = `timestamp,order_id,customer_id,revenue,currency,campaign
2026-03-28T10:00:00Z,o1,c1,80,EUR,
2026-03-30T10:00:00Z,o2,c2,120,EUR,
2026-04-01T10:00:00Z,o3,c3,100,EUR,
2026-04-02T10:00:00Z,o4,c4,200,EUR,spring
2026-04-03T10:00:00Z,o5,c5,150,EUR,
2026-04-06T10:00:00Z,o6,c6,300,EUR,spring
2026-04-12T10:00:00Z,o7,c7,500,EUR,
`;

const CONFIG = `workspace: shop
objectives:
  - id: sales
    type: conversion
    title: Sales
    goals:
      - id: revenue-april
        kpi: revenue
        target: 1000
        start: 2026-04-01
        deadline: 2026-04-10
      - id: aov-april
        kpi: aov
        target: 250
        start: 2026-04-01
        deadline: 2026-04-10
        window_days: 7
      - id: spring-revenue
        kpi: revenue
        target: 300
        start: 2026-04-01
        deadline: 2026-04-10
        where: {campaign: spring}
  - id: brand
    type: awareness
    title: Brand
    goals:
      - id: brand-orders
        kpi: orders
        target: 10
        start: 2026-04-01
        deadline: 2026-04-10
`;

interface GoalJson {
  id: string;
  kind: string;
  direction: string;
  current: number | null;
  baseline: number | null;
  expected: number | null;
  progress: number | null;
  forecast: number | null;
  required_per_day: number | null;
  status: string;
  smart: Record<string, { ok: boolean; message: string }>;
}

describe("sextant goals: the figures of docs/goals.md#goals-and-their-figures through the CLI", () => {
  let cli: CliSandbox;
  const goalsAsOf = async (day: string, extra: string[] = []) => {
    const out = JSON.parse(await cli.ok(["goals", "--as-of", day, "--format", "json", ...extra])) as {
      as_of: string;
      goals: GoalJson[];
    };
    expect(out.as_of).toBe(day);
    return (id: string) => {
      const goal = out.goals.find((g) => g.id === id);
      if (!goal) throw new Error(`no goal ${id} in ${JSON.stringify(out)}`);
      return goal;
    };
  };

  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    await cli.ok(["import", "orders", await cli.file("orders.csv", ORDERS)]);
    const applied = await cli.run(["config", "apply", await cli.file("sextant.yaml", CONFIG)]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/orders does not usually serve the objective type awareness/);
  });
  afterAll(async () => cli.cleanup());

  it("before the start: t is the start day, status not_started", async () => {
    const goal = await goalsAsOf("2026-03-25");
    const revenue = goal("revenue-april");
    expect(revenue).toMatchObject({ kind: "cumulative", direction: "up", status: "not_started" });
    expectClose(revenue.current, 100);
    expectClose(revenue.expected, 100);
    expectClose(revenue.progress, 10);
    expectClose(revenue.forecast, 1000);
    expectClose(revenue.required_per_day, 100);
    const aov = goal("aov-april");
    expect(aov).toMatchObject({ kind: "level", status: "not_started" });
    // current over [03-26, 04-01]: 80, 120, 100; baseline over [03-25, 03-31]: 80, 120.
    expectClose(aov.current, 100);
    expectClose(aov.baseline, 100);
    expectClose(aov.progress, 0);
  }, 180_000);

  it("mid-way: cumulative on track, level off track, a segment counts only its orders", async () => {
    const goal = await goalsAsOf("2026-04-03");
    const revenue = goal("revenue-april");
    expectClose(revenue.current, 450);
    expectClose(revenue.expected, 300);
    expectClose(revenue.progress, 45);
    expectClose(revenue.forecast, 1500);
    expectClose(revenue.required_per_day, 550 / 7);
    expect(revenue.status).toBe("on_track");
    const aov = goal("aov-april");
    // [03-28, 04-03]: 650 over 5 orders; baseline 100; f = 3/10.
    expectClose(aov.current, 130);
    expectClose(aov.baseline, 100);
    expectClose(aov.expected, 145);
    expectClose(aov.progress, 20);
    expectClose(aov.forecast, 200);
    expectClose(aov.required_per_day, 120 / 7);
    expect(aov.status).toBe("off_track");
    const spring = goal("spring-revenue");
    expectClose(spring.current, 200);
    expect(spring.status).toBe("on_track");
  }, 180_000);

  it("at the deadline: required_per_day is null, statuses are final", async () => {
    const goal = await goalsAsOf("2026-04-10");
    const revenue = goal("revenue-april");
    expectClose(revenue.current, 750);
    expectClose(revenue.forecast, 750);
    expect(revenue.required_per_day).toBeNull();
    expect(revenue.status).toBe("missed");
    const aov = goal("aov-april");
    expectClose(aov.current, 300);
    expectClose(aov.forecast, 300);
    expectClose(aov.progress, (200 / 150) * 100);
    expect(aov.status).toBe("achieved");
    const spring = goal("spring-revenue");
    expectClose(spring.current, 500);
    expect(spring.status).toBe("achieved");
  }, 180_000);

  it("after the deadline: later data does not count", async () => {
    const goal = await goalsAsOf("2026-04-20");
    expectClose(goal("revenue-april").current, 750);
    expect(goal("revenue-april").status).toBe("missed");
    expect(goal("revenue-april").required_per_day).toBeNull();
  }, 180_000);

  it("checks SMART letter by letter, in English and in French", async () => {
    const goal = await goalsAsOf("2026-04-03");
    const revenue = goal("revenue-april");
    expect(Object.keys(revenue.smart)).toEqual([
      "specific",
      "measurable",
      "achievable",
      "relevant",
      "time_bound",
    ]);
    expect(revenue.smart.measurable?.ok).toBe(true);
    expect(revenue.smart.relevant?.ok).toBe(true);
    // 100 a day when the best week before the start made 80 / 7 a day.
    expect(revenue.smart.achievable?.ok).toBe(false);
    expect(revenue.smart.achievable?.message).toMatch(/far beyond/);
    expect(goal("brand-orders").smart.relevant?.ok).toBe(false);
    expect(goal("spring-revenue").smart.specific?.message).toMatch(/campaign=spring/);
    const fr = await goalsAsOf("2026-04-03", ["--lang", "fr"]);
    expect(fr("brand-orders").smart.relevant?.message).toMatch(/n'est pas un indicateur habituel/);
  }, 180_000);

  it("prints a table, and refuses a bad date with a sentence", async () => {
    const table = await cli.ok(["goals", "--as-of", "2026-04-03"]);
    expect(table).toMatch(/revenue-april/);
    expect(table).toMatch(/on_track/);
    const error = await cli.fails(["goals", "--as-of", "2026-02-30"]);
    expect(error).toMatch(/as_of "2026-02-30" is not a date/);
  }, 180_000);

  it("keeps weekly snapshots and rewrites a closed week when late data arrives", async () => {
    const history = async () =>
      JSON.parse(
        await cli.ok([
          "goals",
          "history",
          "revenue-april",
          "--interval",
          "week",
          "--as-of",
          "2026-04-20",
          "--format",
          "json",
        ]),
      ) as {
        snapshots: { period: string; as_of: string; current: number; status: string }[];
        rewritten: number;
      };
    const first = await history();
    expect(first.snapshots.map((s) => [s.period, s.as_of, s.current])).toEqual([
      ["2026-03-30", "2026-04-05", 450],
      ["2026-04-06", "2026-04-10", 750],
    ]);
    expect(first.rewritten).toBe(2);
    expect((await history()).rewritten).toBe(0);
    await cli.ok([
      "import",
      "orders",
      await cli.file("late.csv", "timestamp,order_id,customer_id,revenue\n2026-04-02T12:00:00Z,o8,c8,50\n"),
    ]);
    const after = await history();
    expect(after.snapshots.map((s) => s.current)).toEqual([500, 800]);
    expect(after.rewritten).toBe(2);
  }, 180_000);

  it("reviews: past deadlines and unwatched KPIs, with an action each", async () => {
    const review = JSON.parse(await cli.ok(["review", "--as-of", "2026-04-20", "--format", "json"])) as {
      items: { kind: string; subject: string; action: string }[];
    };
    const kinds = review.items.map((i) => `${i.kind}:${i.subject}`);
    expect(kinds).toContain("past_deadline:revenue-april");
    expect(kinds).toContain("unwatched_kpi:customers");
    expect(kinds).not.toContain("unwatched_kpi:revenue");
    for (const item of review.items) expect(item.action).not.toBe("");
  }, 180_000);
});
