import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { personHash } from "../../src/people/person.js";
import { CliSandbox } from "./run-cli.js";

/*
 * `sextant people show|erase|erasures` and `sextant retention apply` as a user runs them: after an
 * erasure, and after a retention run, every KPI equals that of a store loaded without those rows.
 */

const HEADER = "timestamp,event,visitor_id,type,user_id,url,utm_campaign,order_id,revenue";
const EVENTS = [
  "2026-03-01T10:00:00Z,pageview,a1,page,,https://shop.example/,spring,,",
  "2026-03-01T10:05:00Z,Signed Up,a1,track,u1,https://shop.example/join,,,",
  "2026-03-02T09:00:00Z,pageview,u1,page,u1,https://shop.example/p,,,",
  "2026-03-02T09:01:00Z,Order Completed,u1,track,u1,https://shop.example/pay,,o1,40",
  "2026-03-01T11:00:00Z,pageview,b2,page,,https://shop.example/,spring,,",
  "2026-03-01T11:03:00Z,pageview,b2,page,,https://shop.example/p,spring,,",
  "2026-03-03T08:00:00Z,pageview,c3,page,u3,https://shop.example/,brand,,",
  "2026-03-03T08:02:00Z,Order Completed,c3,track,u3,https://shop.example/pay,brand,o2,25",
];
const ORDERS = [
  "timestamp,order_id,customer_id,revenue",
  "2026-03-04T12:00:00Z,o3,u1,15",
  "2026-03-05T12:00:00Z,o4,u3,35",
];
const KPIS =
  "visitors,sessions,pageviews,bounce_rate,avg_visit_duration,conversions,converted_visitors,leads,orders,revenue,customers,new_customers,aov";

let erased: CliSandbox;
let never: CliSandbox;

async function load(sandbox: CliSandbox, events: readonly string[], orders: readonly string[]) {
  await sandbox.ok(["workspace", "create", "shop"]);
  await sandbox.ok(["import", "events", await sandbox.file("events.csv", [HEADER, ...events].join("\n"))]);
  if (orders.length > 1)
    await sandbox.ok(["import", "orders", await sandbox.file("orders.csv", orders.join("\n"))]);
}

async function expectSameKpis(step: string): Promise<void> {
  for (const args of [
    ["--kpis", KPIS, "--from", "2026-03-01", "--to", "2026-03-07"],
    ["--kpis", KPIS, "--from", "2026-03-01", "--to", "2026-03-07", "--interval", "day"],
    [
      "--kpis",
      "visitors,sessions,orders,revenue",
      "--from",
      "2026-03-01",
      "--to",
      "2026-03-07",
      "--group-by",
      "campaign",
    ],
  ]) {
    expect(await erased.kpi(args), `${step}: ${args.join(" ")}`).toEqual(await never.kpi(args));
  }
}

beforeAll(async () => {
  erased = await CliSandbox.create();
  never = await CliSandbox.create();
});

afterAll(async () => {
  await erased?.cleanup();
  await never?.cleanup();
});

describe("sextant people", () => {
  it("shows everything stored about a person, erases it, and records the erasure without the id", async () => {
    await load(erased, EVENTS, ORDERS);
    await load(
      never,
      // The person is a1 and u1: the sign-up links the device to the user (docs/concepts.md#persons).
      EVENTS.filter((line) => !line.includes(",u1,") && !line.includes(",a1,")),
      ORDERS.filter((line) => !line.includes(",u1,")),
    );
    // Derived tables built before the erasure.
    await erased.kpi(["--kpis", KPIS]);
    const shown = JSON.parse(await erased.ok(["people", "show", "--workspace", "shop", "--id", "u1"]));
    expect(shown.ids).toEqual(["a1", "u1"]);
    expect(shown.events.map((e: { name: string }) => e.name)).toEqual([
      "pageview",
      "Signed Up",
      "pageview",
      "Order Completed",
    ]);
    expect(shown.orders.map((o: { order_id: string }) => o.order_id)).toEqual(["o3"]);

    const record = JSON.parse(await erased.ok(["people", "erase", "--workspace", "shop", "--id", "u1"]));
    expect(record).toMatchObject({
      kind: "erasure",
      idHash: personHash("shop", "u1"),
      rows: { events: 4, orders: 1, identity_links: 1 },
    });
    await expectSameKpis("after the erasure");
    const gone = JSON.parse(await erased.ok(["people", "show", "--id", "u1"]));
    expect([gone.events, gone.orders]).toEqual([[], []]);
    // The device's page view before the sign-up was the person's too: it is gone with the rest.
    expect(JSON.parse(await erased.ok(["people", "show", "--id", "a1"])).events).toHaveLength(0);

    const records = await erased.ok(["people", "erasures"]);
    expect(JSON.parse(records)).toHaveLength(1);
    expect(records).not.toContain('"u1"');
  }, 240_000);

  it("refuses an empty id", async () => {
    const stderr = await erased.fails(["people", "erase", "--id", ""]);
    expect(stderr).toMatch(/id/);
  });
});

describe("sextant retention apply", () => {
  it("does nothing without retention_days, and removes older rows with it", async () => {
    expect(await erased.ok(["retention", "apply"])).toMatch(/no retention_days/);
    await erased.ok(["workspace", "set", "shop", "retention_days=3650"]);
    const kept = JSON.parse(await erased.ok(["retention", "apply"]));
    expect(kept.rows).toMatchObject({ events: 0, orders: 0 });
    await expectSameKpis("after a retention that keeps everything");
    await erased.ok(["workspace", "set", "shop", "retention_days=1"]);
    const removed = JSON.parse(await erased.ok(["retention", "apply"]));
    // What the erasure above left: b2's two page views and c3's two events, and o4.
    expect(removed.rows).toMatchObject({ events: 4, orders: 1 });
    expect(
      JSON.parse(await erased.ok(["workspace", "list", "--format", "json"]))[0].settings.retention_days,
    ).toBe(1);
    await erased.ok(["workspace", "set", "shop", "retention_days=none"]);
    expect(
      JSON.parse(await erased.ok(["workspace", "list", "--format", "json"]))[0].settings.retention_days,
    ).toBe(null);
    await erased.fails(["workspace", "set", "shop", "retention_days=0"]);
  }, 240_000);

  it("is set by the configuration file too, and exported with it", async () => {
    const file = await erased.file("config.yaml", "workspace: shop\nretention_days: 400\n");
    expect(await erased.ok(["config", "apply", file])).toMatch(/retention_days/);
    expect(
      JSON.parse(await erased.ok(["workspace", "list", "--format", "json"]))[0].settings.retention_days,
    ).toBe(400);
    expect(await erased.ok(["config", "export"])).toMatch(/^retention_days: 400$/m);
    const bad = await erased.file("bad.yaml", "workspace: shop\nretention_days: -3\n");
    expect(await erased.fails(["config", "apply", bad])).toMatch(/line 2, retention_days/);
  });
});
