import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox, linesNamed } from "./run-cli.js";

const HOSTILE = `<script>alert(1)</script>'; DROP TABLE documents; --`;

const CONFIG = `workspace: shop
kpis:
  profit: revenue * 0.4 - spend
objectives:
  - id: grow-sales
    type: conversion
    title: "${HOSTILE.replace(/"/g, '\\"')}"
    goals:
      - id: q2-revenue
        kpi: revenue
        target: 120000
        start: 2026-04-01
        deadline: 2026-06-30
        where: {channel: paid}
        kind: cumulative
      - id: q2-profit
        kpi: profit
        target: 5000
        start: 2026-04-01
        deadline: 2026-06-30
        baseline: 1000
channels:
  webhook: {url: "https://hooks.example.com/T000/B000"}
  email: {to: ["team@shop.example.com"]}
alerts:
  - id: cpa-high
    kind: threshold
    kpi: cpa
    period: week
    op: ">"
    value: 40
    change: false
    schedule: "0 8 * * 1"
    cooldown: 7d
    channels: [webhook, email, dashboard]
funnels:
  - id: signup
    steps: ["pageview /pricing", "Signed Up", "Order Completed"]
    window: 7d
experiments:
  - id: landing-v2
    conversion: Signed Up
    control: control
    split: [50, 50]
reports:
  - id: weekly
    kind: periodic
    period: week
    schedule: "0 7 * * 1"
    format: html
    to: ["boss@shop.example.com"]
`;

describe("sextant config apply / export (docs/configuration.md#apply-semantics)", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
  });
  afterAll(async () => cli.cleanup());

  it("applies a file, then applying it again changes nothing", async () => {
    const file = await cli.file("sextant.yaml", CONFIG);
    const first = await cli.ok(["config", "apply", file]);
    expect(first).toMatch(/created goal q2-revenue/);
    expect(first).toMatch(/created kpi profit/);
    expect(first).toMatch(/shop: 10 changed, 0 unchanged\./);
    const again = await cli.ok(["config", "apply", file]);
    expect(again.trim()).toBe("shop: 0 changed, 10 unchanged.");
  }, 180_000);

  it("exports a file that applies back to the same state, hostile text kept as data", async () => {
    const exported = await cli.ok(["config", "export"]);
    expect(exported).toContain("<script>alert(1)</script>");
    const json = JSON.parse(await cli.ok(["config", "export", "--format", "json"]));
    expect(json.objectives[0].title).toBe(HOSTILE);
    expect(json.objectives[0].goals.map((g: { id: string }) => g.id)).toEqual(["q2-profit", "q2-revenue"]);
    const back = await cli.ok(["config", "apply", await cli.file("exported.yaml", exported)]);
    expect(back.trim()).toBe("shop: 0 changed, 10 unchanged.");

    // And onto a fresh store: the same export comes out.
    const fresh = await CliSandbox.create();
    try {
      await fresh.ok(["workspace", "create", "shop"]);
      await fresh.ok(["config", "apply", await fresh.file("exported.yaml", exported)]);
      expect(await fresh.ok(["config", "export"])).toBe(exported);
    } finally {
      await fresh.cleanup();
    }
  }, 180_000);

  it("refuses a file with errors, names their lines, and changes nothing", async () => {
    const before = await cli.ok(["config", "export"]);
    const bad = CONFIG.replace("kpi: revenue\n", "kpi: revenu\n")
      .replace("deadline: 2026-06-30\n        baseline", "deadline: 2026-03-01\n        baseline")
      .replace('schedule: "0 8 * * 1"', 'schedule: "0 25 * * 1"')
      .replace("funnels:\n", "funnels:\n  - id: dup\n    steps: [a]\n  - id: dup\n    steps: [b]\n");
    const stderr = await cli.fails(["config", "apply", await cli.file("bad.yaml", bad)]);
    expect(stderr).toMatch(/nothing was applied/);
    expect(stderr).toMatch(
      /line 10, objectives\[0\]\.goals\[0\]\.kpi: unknown KPI "revenu"\. Did you mean "revenue"\?/,
    );
    expect(stderr).toMatch(
      /line 20, objectives\[0\]\.goals\[1\]\.deadline: the deadline 2026-03-01 is before the start 2026-04-01/,
    );
    expect(stderr).toMatch(/alerts\[0\]\.schedule: "0 25 \* \* 1" is not a cron schedule/);
    expect(stderr).toMatch(/the funnel id "dup" is used twice/);
    expect(stderr).toMatch(/funnels\[0\]\.steps: A funnel needs at least two steps/);
    expect(linesNamed(stderr).length).toBeGreaterThanOrEqual(4);
    expect(await cli.ok(["config", "export"])).toBe(before);
  }, 180_000);

  it("refuses a cumulative goal on a ratio KPI, a bad formula and unknown keys", async () => {
    const before = await cli.ok(["config", "export"]);
    const yaml = `workspace: shop
kpis:
  margin: revenue * (0.4
objectives:
  - id: conv
    type: conversion
    title: "=HYPERLINK(\\"http://x\\")"
    goals:
      - id: cr
        kpi: conversion_rate
        target: 3.5
        start: 2026-04-01
        deadline: 2026-06-30
        kind: cumulative
        colour: blue
`;
    const stderr = await cli.fails(["config", "apply", await cli.file("ratio.yaml", yaml)]);
    expect(stderr).toMatch(/line 15, objectives\[0\]\.goals\[0\]\.colour: unknown key/);
    const fixed = yaml.replace("        colour: blue\n", "");
    const second = await cli.fails(["config", "apply", await cli.file("ratio2.yaml", fixed)]);
    expect(second).toMatch(/line 3, kpis\.margin:/);
    expect(second).toMatch(
      /line 14, objectives\[0\]\.goals\[0\]\.kind: a cumulative goal .* conversion_rate is a level/,
    );
    expect(await cli.ok(["config", "export"])).toBe(before);
    const syntax = await cli.fails([
      "config",
      "apply",
      await cli.file("syntax.yaml", "workspace: shop\nobjectives: [\n"),
    ]);
    expect(syntax).toMatch(/not valid YAML/);
    expect(linesNamed(syntax).length).toBe(1);
  }, 180_000);

  it("keeps definitions the file leaves out, and deletes them with --prune", async () => {
    const small = `workspace: shop
objectives:
  - id: grow-sales
    type: conversion
    title: Sales
`;
    const file = await cli.file("small.yaml", small);
    const kept = await cli.ok(["config", "apply", file]);
    expect(kept).toMatch(/updated objective grow-sales/);
    expect(await cli.ok(["config", "export"])).toMatch(/q2-revenue/);
    const pruned = await cli.ok(["config", "apply", "--prune", file]);
    expect(pruned).toMatch(/deleted goal q2-revenue/);
    expect(pruned).toMatch(/deleted kpi profit/);
    const json = JSON.parse(await cli.ok(["config", "export", "--format", "json"]));
    expect(json).toEqual({
      workspace: "shop",
      objectives: [{ id: "grow-sales", type: "conversion", title: "Sales" }],
    });
  }, 180_000);

  it("refuses a file for another workspace", async () => {
    const stderr = await cli.fails([
      "config",
      "apply",
      await cli.file("other.yaml", "workspace: shop\n"),
      "--workspace",
      "nope",
    ]);
    expect(stderr).toMatch(/no workspace "nope"/);
  }, 180_000);

  it("refuses a webhook on a private host unless the operator allows private targets", async () => {
    const file = await cli.file(
      "private.yaml",
      'workspace: shop\nchannels:\n  webhook: {url: "http://192.168.1.20:8080/hook"}\n',
    );
    expect(await cli.fails(["config", "apply", file])).toMatch(
      /line 3, channels\.webhook\.url: the host is a private address \(RFC 1918\), where webhooks may not go/,
    );
    expect(await cli.ok(["config", "apply", file], { env: { SEXTANT_ALLOW_PRIVATE_WEBHOOKS: "1" } })).toMatch(
      /(created|updated) channel webhook/,
    );
    expect(
      await cli.fails(["config", "apply", file], { env: { SEXTANT_ALLOW_PRIVATE_WEBHOOKS: "yes" } }),
    ).toMatch(/SEXTANT_ALLOW_PRIVATE_WEBHOOKS "yes" is not 1 or 0/);
  }, 180_000);
});
