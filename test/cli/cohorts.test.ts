import { parse as parseCsv } from "csv-parse/sync";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/model/keys.js";
import { buildApp } from "../../src/server/app.js";
import { type Kit, openKit } from "../kpi/fixture.js";
import { CliSandbox } from "./run-cli.js";

const ORDERS = [
  "timestamp,order_id,customer_id,revenue",
  "2026-01-05T12:00:00Z,a1,alice,10",
  "2026-02-07T12:00:00Z,a2,alice,-4.5",
  "2026-01-10T12:00:00Z,b1,bob,7",
  "2026-02-02T12:00:00Z,c1,carol,12",
].join("\n");

describe("sextant cohorts and GET /api/v1/cohorts", () => {
  let cli: CliSandbox;
  let kit: Kit;
  let app: FastifyInstance;
  let auth: { authorization: string };
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    await cli.ok(["import", "orders", await cli.file("orders.csv", ORDERS)]);
    kit = await openKit();
    await kit.load(await kit.workspace("shop"), "orders", ORDERS);
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

  it("answers the same triangle on the command line and over HTTP", async () => {
    const flags = [
      "--by",
      "first_order_month",
      "--kpi",
      "revenue",
      "--from",
      "2026-01-01",
      "--to",
      "2026-02-28",
    ];
    const json = JSON.parse(await cli.ok(["cohorts", ...flags, "--format", "json"]));
    expect(json.cohorts).toEqual([
      { cohort: "2026-01-01", size: 2, values: [17, -4.5] },
      { cohort: "2026-02-01", size: 1, values: [12] },
    ]);
    const api = await app.inject({
      url: "/api/v1/cohorts?by=first_order_month&kpi=revenue&from=2026-01-01&to=2026-02-28",
      headers: auth,
    });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toEqual(json);
    // CSV: one line per cohort, one column per month since; a negative number stays a number.
    const csv = parseCsv(await cli.ok(["cohorts", ...flags, "--format", "csv"]), { columns: true });
    expect(csv).toEqual([
      { cohort: "2026-01-01", size: "2", month_0: "17", month_1: "-4.5" },
      { cohort: "2026-02-01", size: "1", month_0: "12", month_1: "" },
    ]);
    const retention = JSON.parse(
      await cli.ok(["cohorts", "--by", "first_order_month", "--kpi", "retention", "--format", "json"]),
    );
    expect(retention.cohorts.map((c: { values: number[] }) => c.values)).toEqual([[100, 50], [100]]);
  });

  it("refuses unknown options with a sentence", async () => {
    expect(await cli.fails(["cohorts", "--by", "first_day", "--kpi", "revenue"])).toMatch(/--by "first_day"/);
    const bad = await app.inject({ url: "/api/v1/cohorts?by=first_order_month&kpi=ltv", headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/--kpi "ltv"/);
  });
});
