import { Analytics } from "@segment/analytics-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFunnelSteps } from "../../src/model/funnel-step.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { Workspace } from "../../src/model/workspace.js";
import { kpis, startServer, type TestServer } from "./server.js";

/*
 * Persons across identify, alias and two devices (docs/concepts.md, "Persons"), sent by the real
 * @segment/analytics-node client and counted by hand. 2026-03-10, UTC, sessions of 30 minutes.
 *
 *   alice  phone  a-phone   09:00 page (utm cpc Spring) · 09:01 Experiment Viewed x · 09:02 page
 *                           09:03 identify alice · 09:04 Signed Up · 09:05 Order Completed A1 50
 *          laptop a-laptop  13:00 page (direct) · 13:01 identify alice · 13:02 Experiment Viewed y
 *                           13:10 Order Completed A2 30
 *   bob    phone  b-phone   10:00 page (utm cpc Spring) · 10:20 alias b-phone → bob
 *          server (bob)     15:00 Order Completed B1 20 with the user id alone
 *   c      c-1              11:00 page (direct)
 *   dora   phone  d-phone   12:00 page (direct) · 12:01 identify dora
 *          laptop d-laptop  12:30 page (direct), identified as dora only in a later delivery
 *
 * Sessions stay per device: alice 2, bob 2 (the server's calls are a device of their own), c 1,
 * dora 2 = 7; bounces (one page view, nothing interactive): b-phone, c-1, d-phone, d-laptop = 4.
 * Persons: alice, bob, c, dora = 4 (5 before dora's laptop is identified).
 */
let server: TestServer;
const NAME = "persons";

beforeAll(async () => {
  server = await startServer({ workspaces: [{ name: NAME }] });
});

afterAll(async () => {
  await server?.close();
});

const at = (time: string) => new Date(`2026-03-10T${time}:00Z`);
const page = (url: string) => ({ url, path: new URL(url).pathname });
const SPRING = { name: "Spring", source: "google", medium: "cpc" };

async function send(calls: (analytics: Analytics) => void): Promise<void> {
  const analytics = new Analytics({
    writeKey: server.ws(NAME).write,
    host: server.url,
    path: "/v1/batch",
    flushAt: 50,
    flushInterval: 50,
    maxRetries: 1,
  });
  const errors: unknown[] = [];
  analytics.on("error", (error) => errors.push(error));
  calls(analytics);
  await analytics.closeAndFlush({ timeout: 10_000 });
  expect(errors).toEqual([]);
}

function firstDelivery(a: Analytics): void {
  const phone = { anonymousId: "a-phone" };
  a.page({
    ...phone,
    timestamp: at("09:00"),
    properties: page("https://shop.example/"),
    context: { campaign: SPRING },
  });
  a.track({
    ...phone,
    event: "Experiment Viewed",
    timestamp: at("09:01"),
    properties: { experiment_id: "hero", variation_id: "x" },
  });
  a.page({ ...phone, timestamp: at("09:02"), properties: page("https://shop.example/signup") });
  a.identify({ ...phone, userId: "alice", timestamp: at("09:03"), traits: { plan: "pro" } });
  a.track({ ...phone, userId: "alice", event: "Signed Up", timestamp: at("09:04") });
  a.track({
    ...phone,
    userId: "alice",
    event: "Order Completed",
    timestamp: at("09:05"),
    properties: { order_id: "A1", revenue: 50 },
  });
  const laptop = { anonymousId: "a-laptop" };
  a.page({ ...laptop, timestamp: at("13:00"), properties: page("https://shop.example/") });
  a.identify({ ...laptop, userId: "alice", timestamp: at("13:01") });
  a.track({
    ...laptop,
    userId: "alice",
    event: "Experiment Viewed",
    timestamp: at("13:02"),
    properties: { experiment_id: "hero", variation_id: "y" },
  });
  a.track({
    ...laptop,
    userId: "alice",
    event: "Order Completed",
    timestamp: at("13:10"),
    properties: { order_id: "A2", revenue: 30 },
  });
  a.page({
    anonymousId: "b-phone",
    timestamp: at("10:00"),
    properties: page("https://shop.example/"),
    context: { campaign: SPRING },
  });
  a.alias({ userId: "bob", previousId: "b-phone", timestamp: at("10:20") });
  a.track({
    userId: "bob",
    event: "Order Completed",
    timestamp: at("15:00"),
    properties: { order_id: "B1", revenue: 20 },
  });
  a.page({ anonymousId: "c-1", timestamp: at("11:00"), properties: page("https://shop.example/") });
  a.page({ anonymousId: "d-phone", timestamp: at("12:00"), properties: page("https://shop.example/") });
  a.identify({ anonymousId: "d-phone", userId: "dora", timestamp: at("12:01") });
  a.page({ anonymousId: "d-laptop", timestamp: at("12:30"), properties: page("https://shop.example/") });
}

const DAY = { from: "2026-03-10", to: "2026-03-10" };
const TRAFFIC = ["visitors", "sessions", "bounce_rate", "conversions", "converted_visitors"];
const ORDERS = ["orders", "revenue", "customers"];

async function query(extra: Record<string, string | string[]> = {}, list = [...TRAFFIC, ...ORDERS]) {
  return kpis(server, NAME, { kpis: list.join(","), ...DAY, ...extra });
}

async function workspace(): Promise<Workspace> {
  const found = (await server.store.listWorkspaces()).find((w) => w.name === NAME);
  return found ?? { name: NAME, settings: validateSettings({}) };
}

describe("persons across identify, alias and devices", () => {
  it("counts a person once, keeps sessions per device, and merges a late identify", async () => {
    await send(firstDelivery);
    // dora's laptop is not hers yet: five persons.
    expect((await query()).totals).toEqual({
      visitors: 5,
      sessions: 7,
      bounce_rate: (4 / 7) * 100,
      conversions: 4,
      converted_visitors: 2,
      orders: 3,
      revenue: 100,
      customers: 2,
    });
    await send((a) => a.identify({ anonymousId: "d-laptop", userId: "dora", timestamp: at("12:31") }));
    expect((await query()).totals).toEqual({
      visitors: 4,
      sessions: 7,
      bounce_rate: (4 / 7) * 100,
      conversions: 4,
      converted_visitors: 2,
      orders: 3,
      revenue: 100,
      customers: 2,
    });
  });

  it("counts each channel's persons, and attributes every device's orders to the person's touches", async () => {
    const byChannel = await query({ group_by: "channel" }, ["visitors", "sessions"]);
    const channel = (name: string) => byChannel.rows.find((row) => row.channel === name);
    // paid: alice's phone and bob's phone; direct: alice's laptop, bob's server calls, c, dora ×2.
    expect(channel("paid")).toMatchObject({ visitors: 2, sessions: 2 });
    expect(channel("direct")).toMatchObject({ visitors: 4, sessions: 5 });
    const byCampaign = await query({ group_by: "campaign" }, ORDERS);
    // A1 (phone), A2 (laptop, after the phone's Spring session) and B1 (server, after bob's phone).
    expect(byCampaign.rows.find((row) => row.campaign === "spring")).toMatchObject({
      orders: 3,
      revenue: 100,
      customers: 2,
    });
  });

  it("runs funnels and experiments over persons", async () => {
    const ws = await workspace();
    const funnel = await server.store.queryFunnel({
      workspace: ws,
      steps: parseFunnelSteps(["pageview", "Order Completed"]),
      windowSeconds: 7 * 86_400,
      ...DAY,
    });
    // alice, bob, c, dora enter; alice and bob order (bob on another device than his page view).
    expect(funnel.reached).toEqual([4, 2]);
    // alice saw x on her phone, then y on her laptop: she stays in x, and converted.
    expect(
      await server.store.queryExposures({ workspace: ws, experiment: "hero", conversion: "Order Completed" }),
    ).toEqual([{ variation: "x", visitors: 1, conversions: 1 }]);
  });

  it("lists every id of a person, for erasure", async () => {
    const ws = await workspace();
    expect(await server.store.personIdentities(ws, "a-laptop")).toEqual(["a-laptop", "a-phone", "alice"]);
    expect(await server.store.personIdentities(ws, "bob")).toEqual(["b-phone", "bob"]);
    expect(await server.store.personIdentities(ws, "dora")).toEqual(["d-laptop", "d-phone", "dora"]);
    expect(await server.store.personIdentities(ws, "c-1")).toEqual(["c-1"]);
  });
});
