import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox } from "./run-cli.js";

interface Advice {
  from: string;
  to: string;
  total: number;
  campaigns: { campaign: string; spend: number; proposed: number; change: number; reason: string }[];
}

describe("sextant budget and sextant experiment size", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    await cli.ok([
      "import",
      "costs",
      await cli.file(
        "costs.csv",
        "date,campaign,channel,currency,spend\n2026-03-02,a,paid,EUR,1000\n2026-03-02,b,paid,EUR,1000.01\n",
      ),
    ]);
    await cli.ok([
      "import",
      "orders",
      await cli.file(
        "orders.csv",
        "timestamp,order_id,customer_id,revenue,currency,campaign\n2026-03-02T10:00:00Z,O-1,c1,500,EUR,a\n2026-03-02T11:00:00Z,O-2,c2,3000,EUR,b\n",
      ),
    ]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("moves budget from the worse ROI to the better, adding up to the cent", async () => {
    const advice = JSON.parse(
      await cli.ok(["budget", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"]),
    ) as Advice;
    expect(advice.total).toBe(2000.01);
    expect(advice.campaigns.map((c) => [c.campaign, c.proposed])).toEqual([
      ["a", 800],
      ["b", 1200.01],
    ]);
    expect(advice.campaigns[0]?.reason).toMatch(/^Gives 200\.00 to more efficient campaigns/);
    const fr = JSON.parse(
      await cli.ok([
        "budget",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--lang",
        "fr",
        "--format",
        "json",
      ]),
    ) as Advice;
    expect(fr.campaigns[1]?.reason).toMatch(/^Reçoit/);
  });

  it("refuses a bad --max-shift with a sentence", async () => {
    const stderr = await cli.fails(["budget", "--max-shift", "lots"]);
    expect(stderr).toMatch(/--max-shift "lots" is not a number/);
    expect(stderr).not.toMatch(/at .*\.js/);
  });

  it("gives R's power.prop.test sample size, rounded up", async () => {
    // power.prop.test(p1 = .50, p2 = .75, power = .90) → n = 76.7 → 77 per variation.
    expect(
      JSON.parse(
        await cli.ok([
          "experiment",
          "size",
          "--baseline",
          "0.5",
          "--mde",
          "0.25",
          "--power",
          "0.9",
          "--format",
          "json",
        ]),
      ),
    ).toEqual({ per_variation: 77 });
    expect(
      (
        await cli.ok([
          "experiment",
          "size",
          "--baseline",
          "0.5",
          "--mde",
          "0.5",
          "--relative",
          "--power",
          "0.9",
        ])
      ).trim(),
    ).toBe("77");
    expect(await cli.fails(["experiment", "size", "--baseline", "0.95", "--mde", "0.1"])).toMatch(
      /target rate of 1\.05/,
    );
  });
});

describe("sextant experiment ID", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    const seen = (ts: string, visitor: string, variation: string) =>
      `${ts},Experiment Viewed,${visitor},"{""experiment_id"":""landing"",""variation_id"":""${variation}""}"`;
    await cli.ok([
      "import",
      "events",
      await cli.file(
        "events.csv",
        [
          "timestamp,event,visitor_id,properties",
          seen("2026-03-02T10:00:00Z", "a", "control"),
          seen("2026-03-02T10:00:00Z", "b", "v2"),
          "2026-03-02T11:00:00Z,Signed Up,b,",
        ].join("\n"),
      ),
    ]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("prints docs/funnels-and-experiments.md#experiments's JSON, and a sentence for a missing conversion event", async () => {
    const result = JSON.parse(
      await cli.ok(["experiment", "landing", "--conversion", "Signed Up", "--format", "json"]),
    ) as { control: string; variations: { id: string; rate: number; p_value: number | null }[]; srm: object };
    expect(result.control).toBe("control");
    expect(result.variations.map((v) => [v.id, v.rate])).toEqual([
      ["control", 0],
      ["v2", 100],
    ]);
    expect(result.srm).toEqual({ p_value: 1, flagged: false, planned: [1, 1] });
    expect(await cli.fails(["experiment", "landing"])).toMatch(/--conversion "Signed Up"/);
    expect(await cli.fails(["experiment", "landing", "--conversion", "X", "--split", "50,a"])).toMatch(
      /--split/,
    );
    expect(await cli.ok(["experiment", "landing", "--conversion", "Signed Up", "--lang", "fr"])).toMatch(
      /visiteurs/,
    );
  });
});

describe("sextant funnel", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    await cli.ok([
      "import",
      "events",
      await cli.file(
        "events.csv",
        [
          "timestamp,event,visitor_id,url,device",
          "2026-03-02T10:00:00Z,pageview,a,https://shop.example/pricing,mobile",
          "2026-03-02T10:01:30Z,Signed Up,a,,mobile",
          "2026-03-02T11:00:00Z,pageview,b,https://shop.example/pricing,desktop",
        ].join("\n"),
      ),
    ]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("prints the funnel JSON of docs/funnels-and-experiments.md#funnels and refuses a one-step funnel", async () => {
    const result = JSON.parse(
      await cli.ok([
        "funnel",
        "--steps",
        "pageview /pricing,Signed Up",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
      ]),
    ) as {
      window: string;
      steps: {
        visitors: number;
        conversion_from_start: number;
        median_seconds_from_previous: number | null;
      }[];
    };
    expect(result.window).toBe("7d");
    expect(
      result.steps.map((s) => [s.visitors, s.conversion_from_start, s.median_seconds_from_previous]),
    ).toEqual([
      [2, 100, null],
      [1, 50, 90],
    ]);
    expect(await cli.fails(["funnel", "--steps", "Signed Up"])).toMatch(/at least two steps/);
    expect(await cli.fails(["funnel", "--steps", "A,B", "--window", "soon"])).toMatch(/--window "soon"/);
  });

  it("breaks a funnel down with --group-by in JSON, CSV and tables, and refuses other dimensions", async () => {
    const run = (format: string) =>
      cli.ok([
        "funnel",
        "--steps",
        "pageview /pricing,Signed Up",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--group-by",
        "device",
        "--format",
        format,
      ]);
    const json = JSON.parse(await run("json")) as {
      steps: { visitors: number }[];
      groups: {
        device: string;
        steps: { visitors: number; median_seconds_from_previous: number | null }[];
      }[];
    };
    expect(json.steps.map((s) => s.visitors)).toEqual([2, 1]);
    expect(
      json.groups.map((g) => [g.device, g.steps.map((s) => [s.visitors, s.median_seconds_from_previous])]),
    ).toEqual([
      [
        "desktop",
        [
          [1, null],
          [0, null],
        ],
      ],
      [
        "mobile",
        [
          [1, null],
          [1, 90],
        ],
      ],
    ]);
    const csv = (await run("csv")).trim().split("\n");
    expect(csv[0]).toMatch(/^device,step,name,visitors,/);
    expect(csv.slice(1).map((line) => line.split(",").slice(0, 4).join(","))).toEqual([
      ",1,pageview /pricing,2",
      ",2,Signed Up,1",
      "desktop,1,pageview /pricing,1",
      "desktop,2,Signed Up,0",
      "mobile,1,pageview /pricing,1",
      "mobile,2,Signed Up,1",
    ]);
    expect(await run("table")).toMatch(/device = mobile\n[\s\S]*Signed Up[\s\S]*90/);
    expect(await cli.fails(["funnel", "--steps", "A,B", "--group-by", "network"])).toMatch(
      /cannot be broken down by "network"; use one of campaign, channel/,
    );
    expect(await cli.ok(["funnel", "--help"])).toMatch(/--group-by <dimension>[\s\S]*props\.NAME/);
  });
});
