import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { DEMO_COLUMNS, type DemoData, type DemoOptions, generateDemo } from "./generate.js";

type Row = Record<string, string>;

const OPTIONS: DemoOptions = { days: 90, seed: 7, endDate: "2024-06-30" };
const FIRST_DAY = "2024-04-02";
const LAST_DAY = "2024-06-30";
const data: DemoData = generateDemo(OPTIONS);

const REQUIRED: Record<keyof DemoData, readonly string[]> = {
  events: ["timestamp", "event", "type", "visitor_id", "url", "device", "country", "message_id"],
  costs: DEMO_COLUMNS.costs,
  email: DEMO_COLUMNS.email,
  social: DEMO_COLUMNS.social,
  orders: ["timestamp", "order_id", "customer_id", "revenue", "currency"],
};
const KINDS = Object.keys(DEMO_COLUMNS) as (keyof DemoData)[];
const SESSION_GAP_MS = 30 * 60_000;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Splits events into sessions per visitor (30-minute inactivity), as the KPIs do. */
function sessionsOf(events: readonly Row[]): Row[][] {
  const open = new Map<string, Row[]>();
  const sessions: Row[][] = [];
  for (const event of events) {
    const visitor = event.visitor_id ?? "";
    const current = open.get(visitor);
    const last = current?.[current.length - 1];
    if (
      current &&
      last &&
      Date.parse(event.timestamp ?? "") - Date.parse(last.timestamp ?? "") <= SESSION_GAP_MS
    ) {
      current.push(event);
    } else {
      const session = [event];
      open.set(visitor, session);
      sessions.push(session);
    }
  }
  return sessions;
}

function dayOf(row: Row): string {
  return (row.date ?? row.timestamp ?? "").slice(0, 10);
}

function ordersPerCustomer(orders: readonly Row[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const order of orders)
    counts.set(order.customer_id ?? "", (counts.get(order.customer_id ?? "") ?? 0) + 1);
  return counts;
}

describe("generateDemo", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const again = generateDemo(OPTIONS);
    expect(JSON.stringify(again)).toBe(JSON.stringify(data));
    const other = generateDemo({ ...OPTIONS, seed: 8 });
    expect(JSON.stringify(other.events)).not.toBe(JSON.stringify(data.events));
    expect(JSON.stringify(other.costs)).not.toBe(JSON.stringify(data.costs));
  });

  it("produces realistic volumes", () => {
    const perDay = new Map<string, number>();
    for (const session of sessionsOf(data.events)) {
      const day = dayOf(session[0] ?? {});
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect(perDay.size).toBe(90);
    for (const count of perDay.values()) {
      expect(count).toBeGreaterThan(200);
      expect(count).toBeLessThan(700);
    }
    expect(data.costs).toHaveLength(90 * 3 * 2);
    expect(data.social).toHaveLength(90 * 2);
    expect(data.email).toHaveLength(13);
  });

  it("writes every column of every kind, all strings, required ones non-empty", () => {
    const problems: string[] = [];
    for (const kind of KINDS) {
      expect(data[kind].length).toBeGreaterThan(0);
      const columns = DEMO_COLUMNS[kind].join(",");
      data[kind].forEach((row, i) => {
        if (Object.keys(row).join(",") !== columns) problems.push(`${kind}[${i}] columns`);
        if (Object.values(row).some((value) => typeof value !== "string"))
          problems.push(`${kind}[${i}] type`);
        for (const column of REQUIRED[kind]) if (!row[column]) problems.push(`${kind}[${i}].${column} empty`);
      });
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it("keeps every date and timestamp inside the range", () => {
    const problems: string[] = [];
    for (const kind of KINDS) {
      for (const row of data[kind]) {
        const day = dayOf(row);
        const badTimestamp = row.timestamp !== undefined && !TIMESTAMP.test(row.timestamp);
        if (badTimestamp || day < FIRST_DAY || day > LAST_DAY)
          problems.push(`${kind} ${row.timestamp ?? row.date}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it("keeps events in time order and each visitor's device and country stable", () => {
    const seen = new Map<string, string>();
    const problems: string[] = [];
    let previous = "";
    for (const event of data.events) {
      const timestamp = event.timestamp ?? "";
      if (timestamp < previous) problems.push(`${event.message_id} out of order`);
      previous = timestamp;
      const profile = `${event.device}/${event.country}`;
      const visitor = event.visitor_id ?? "";
      if ((seen.get(visitor) ?? profile) !== profile) problems.push(`${visitor} changed device or country`);
      seen.set(visitor, profile);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it("gives unique message ids and order ids", () => {
    const messageIds = new Set(data.events.map((e) => e.message_id));
    expect(messageIds.size).toBe(data.events.length);
    const orderIds = new Set(data.orders.map((o) => o.order_id));
    expect(orderIds.size).toBe(data.orders.length);
  });

  it("sessions last 1 to 8 events, and only the first carries the campaign", () => {
    const sessions = sessionsOf(data.events);
    const problems: string[] = [];
    for (const session of sessions) {
      const first = session[0] ?? {};
      if (session.length > 8 || first.type !== "page") problems.push(`${first.message_id} shape`);
      const tagged = session.slice(1).some((e) => e.utm_source || e.utm_campaign || e.url?.includes("utm_"));
      if (tagged) problems.push(`${first.message_id} utm after the first event`);
      const fromUrl = new URL(first.url ?? "").searchParams.get("utm_campaign") ?? "";
      if (fromUrl !== first.utm_campaign) problems.push(`${first.message_id} url and utm_campaign differ`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    const bounceRate = sessions.filter((s) => s.length === 1).length / sessions.length;
    expect(bounceRate).toBeGreaterThan(0.25);
    expect(bounceRate).toBeLessThan(0.6);
  });

  it("has fewer sessions on weekend days than on weekdays on average", () => {
    const weekend: number[] = [];
    const weekdays: number[] = [];
    const perDay = new Map<string, number>();
    for (const session of sessionsOf(data.events)) {
      const day = dayOf(session[0] ?? {});
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    for (const [day, count] of perDay) {
      const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
      (dow === 0 || dow === 6 ? weekend : weekdays).push(count);
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(weekend)).toBeLessThan(mean(weekdays) * 0.9);
  });

  it("records every web order in orders, with its customer and visitor", () => {
    const orders = new Map(data.orders.map((o) => [o.order_id, o]));
    const completed = data.events.filter((e) => e.event === "Order Completed");
    expect(completed.length).toBeGreaterThan(500);
    const problems: string[] = [];
    for (const event of completed) {
      const revenue = Number(event.revenue);
      const valid = /^u-\d+$/.test(event.user_id ?? "") && /^\d+\.\d\d$/.test(event.revenue ?? "");
      if (!valid || revenue < 20 || revenue > 300 || event.currency !== "EUR")
        problems.push(`${event.order_id} fields`);
      const expected = {
        timestamp: event.timestamp,
        order_id: event.order_id,
        customer_id: event.user_id,
        revenue: event.revenue,
        currency: "EUR",
        campaign: "",
        visitor_id: event.visitor_id,
      };
      if (JSON.stringify(orders.get(event.order_id ?? "")) !== JSON.stringify(expected)) {
        problems.push(`${event.order_id} missing or different in orders`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    const offline = data.orders.filter((o) => o.visitor_id === "");
    expect(offline.length).toBeGreaterThan(0);
    expect(offline.some((o) => o.campaign !== "")).toBe(true);
  });

  it("has orders only after the customer's sign-up", () => {
    const signedUp = new Map<string, string>();
    for (const event of data.events) {
      if (event.event === "Signed Up" && !signedUp.has(event.user_id ?? "")) {
        signedUp.set(event.user_id ?? "", event.timestamp ?? "");
      }
    }
    const early = data.orders.filter((order) => {
      if (!order.customer_id?.startsWith("u-")) return false;
      const since = signedUp.get(order.customer_id);
      return since === undefined || since > (order.timestamp ?? "");
    });
    expect(early.map((o) => o.order_id)).toEqual([]);
  });

  it("has at least 20 % of customers ordering twice or more", () => {
    const counts = [...ordersPerCustomer(data.orders).values()];
    const repeat = counts.filter((n) => n >= 2).length;
    expect(repeat / counts.length).toBeGreaterThanOrEqual(0.2);
  });

  it("spells Spring_Sale both ways in events, and matches costs and e-mail campaign names", () => {
    const campaigns = new Set(data.events.map((e) => e.utm_campaign));
    expect(campaigns.has("Spring_Sale")).toBe(true);
    expect(campaigns.has("spring_sale")).toBe(true);
    for (const cost of data.costs) expect(campaigns.has(cost.campaign ?? "")).toBe(true);
    for (const email of data.email) {
      expect(email.campaign).toMatch(/^newsletter_w\d\d$/);
      expect(campaigns.has(email.campaign ?? "")).toBe(true);
      expect(new Date(`${email.date}T00:00:00Z`).getUTCDay()).toBe(2);
    }
  });

  it("keeps ad cost, e-mail and social numbers plausible", () => {
    for (const cost of data.costs) {
      const clicks = Number(cost.clicks);
      expect(Number(cost.impressions)).toBeGreaterThan(clicks * 15);
      expect(cost.spend).toMatch(/^\d+\.\d\d$/);
    }
    for (const email of data.email) {
      const sent = Number(email.sent);
      expect(Number(email.delivered) + Number(email.bounces)).toBe(sent);
      expect(Number(email.opens) / sent).toBeGreaterThanOrEqual(0.2);
      expect(Number(email.clicks) / sent).toBeLessThanOrEqual(0.05);
    }
    for (const network of ["instagram", "linkedin"]) {
      const followers = data.social.filter((s) => s.network === network).map((s) => Number(s.followers));
      expect(followers[followers.length - 1]).toBeGreaterThan(followers[0] ?? 0);
    }
  });

  it("rejects bad options with a user error", () => {
    expect(() => generateDemo({ ...OPTIONS, endDate: "2024-02-30" })).toThrow(UserError);
    expect(() => generateDemo({ ...OPTIONS, days: 0 })).toThrow(UserError);
    expect(() => generateDemo({ ...OPTIONS, seed: 1.5 })).toThrow(UserError);
  });

  it("covers exactly the requested days for a short range", () => {
    const small = generateDemo({ days: 1, seed: 1, endDate: "2024-01-02" });
    expect(new Set(small.events.map(dayOf))).toEqual(new Set(["2024-01-02"]));
    expect(small.email.map((e) => e.date)).toEqual(["2024-01-02"]);
  });
});
