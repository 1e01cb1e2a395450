import { type DemoRange, dayStart, formatTimestamp, HOUR_S, weekday } from "./calendar.js";
import { type Newsletter, type PaidTally, paidKey, type Row } from "./marketing.js";
import type { Random } from "./random.js";
import { type Intent, ORDER_COMPLETED, SIGNED_UP, type Step, sessionSteps } from "./session.js";
import {
  type Arrival,
  CURRENCY,
  newsletterSource,
  SITE,
  TRAFFIC_SOURCES,
  type TrafficSource,
} from "./site.js";
import { type Customer, type Visitor, VisitorPool } from "./visitors.js";

/** Everything the web simulation produces. */
export interface Traffic {
  readonly events: Row[];
  readonly orders: TimedRow[];
  readonly tallies: ReadonlyMap<string, PaidTally>;
  readonly customers: readonly Customer[];
}

/** A row with the instant it happened, for sorting. */
export interface TimedRow {
  readonly ms: number;
  readonly row: Row;
}

interface PlannedSession {
  readonly startMs: number;
  readonly source: TrafficSource;
}

interface Simulation {
  readonly random: Random;
  readonly pool: VisitorPool;
  readonly events: TimedRow[];
  readonly orders: TimedRow[];
  readonly tallies: Map<string, PaidTally>;
  orderCount: number;
}

const BASE_SESSIONS = 420;
const BASE_BUY_RATE = 0.018;
/** Relative traffic by day of week, Sunday first. */
const WEEKDAY_FACTOR = [0.76, 1.0, 1.03, 1.02, 1.0, 0.93, 0.72] as const;
/** Relative traffic by UTC hour; sessions start before 22:30 so none spans midnight. */
const HOUR_WEIGHTS = [
  1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3.5, 4.5, 5, 5, 5.5, 5, 5, 5, 5, 5, 5.5, 6, 6.5, 5.5, 1.5,
] as const;
const SOURCES = TRAFFIC_SOURCES.map((source) => [source, source.weight] as const);
const HOURS = HOUR_WEIGHTS.map((weight, hour) => [hour, weight] as const);
const LATEST_START_S = 22.5 * HOUR_S;
const SEND_HOUR_S = 9 * HOUR_S;
/** Share of a newsletter's clicks that become sessions on the send day and the two after. */
const NEWSLETTER_DECAY = [0.51, 0.21, 0.13] as const;

/** Simulates visitors' sessions day by day: page views, sign-ups, carts and web orders. */
export function simulateTraffic(
  range: DemoRange,
  sends: readonly Newsletter[],
  random: Random,
  messagePrefix: string,
): Traffic {
  const sim: Simulation = {
    random,
    pool: new VisitorPool(random),
    events: [],
    orders: [],
    tallies: new Map(),
    orderCount: 0,
  };
  for (let index = 0; index < range.days; index++) {
    for (const plan of planDay(range, index, sends, random)) runSession(sim, plan, index);
  }
  return {
    events: withMessageIds(sim.events, messagePrefix),
    orders: sim.orders,
    tallies: sim.tallies,
    customers: sim.pool.customers,
  };
}

function planDay(
  range: DemoRange,
  index: number,
  sends: readonly Newsletter[],
  random: Random,
): PlannedSession[] {
  const midnight = dayStart(range, index);
  const trend = 0.88 + (0.24 * index) / Math.max(1, range.days - 1);
  const noise = Math.max(0.8, 1 + random.normal(0, 0.06));
  const count = Math.round(BASE_SESSIONS * trend * (WEEKDAY_FACTOR[weekday(midnight)] ?? 1) * noise);
  const plans: PlannedSession[] = [];
  for (let i = 0; i < count; i++) {
    const source = random.weighted(SOURCES);
    plans.push({ startMs: midnight + startSecond(random) * 1000, source });
  }
  plans.push(...newsletterVisits(midnight, index, sends, random));
  return plans.sort((a, b) => a.startMs - b.startMs);
}

function startSecond(random: Random): number {
  const hour = random.weighted(HOURS);
  return Math.min(LATEST_START_S, hour * HOUR_S + random.int(0, HOUR_S - 1));
}

/** Sessions from newsletter clicks: a burst after the 09:00 send, fading over two days. */
function newsletterVisits(midnight: number, index: number, sends: readonly Newsletter[], random: Random) {
  const plans: PlannedSession[] = [];
  for (const send of sends) {
    const age = index - send.dayIndex;
    const share = NEWSLETTER_DECAY[age];
    if (share === undefined || age < 0) continue;
    const source = newsletterSource(send.campaign);
    const count = Math.round(send.clicks * share * random.float(0.9, 1.1));
    for (let i = 0; i < count; i++) {
      const second = age === 0 ? afterSend(random) : startSecond(random);
      plans.push({ startMs: midnight + second * 1000, source });
    }
  }
  return plans;
}

function afterSend(random: Random): number {
  const second = SEND_HOUR_S + Math.round(-Math.log(1 - random.next()) * 3 * HOUR_S);
  return second <= LATEST_START_S ? second : random.int(SEND_HOUR_S, LATEST_START_S);
}

function runSession(sim: Simulation, plan: PlannedSession, day: number): void {
  const { random, pool } = sim;
  const { source } = plan;
  const visitor = pool.choose(day, source.returning, source.fromCustomers);
  const arrival = source.arrive(random);
  const intent = chooseIntent(random, source, visitor);
  const signUp = visitor.userId === "" && (intent === "buy" || (intent !== "bounce" && random.chance(0.035)));
  const steps = sessionSteps(random, arrival.landing, intent, signUp);
  let ms = plan.startMs;
  let previousPage = "";
  for (const step of steps) {
    ms += step.delay * 1000;
    emitStep(sim, visitor, arrival, step, previousPage, ms, day);
    if (step.type === "page") previousPage = step.path;
  }
  tally(sim, arrival, day, intent === "buy");
}

function chooseIntent(random: Random, source: TrafficSource, visitor: Visitor): Intent {
  const loyalty = visitor.orders > 0 ? 3 : visitor.userId !== "" ? 1.5 : 1;
  if (random.chance(BASE_BUY_RATE * source.buy * loyalty)) return "buy";
  if (random.chance(source.bounce)) return "bounce";
  return random.chance(0.1) ? "cart" : "browse";
}

function emitStep(
  sim: Simulation,
  visitor: Visitor,
  arrival: Arrival,
  step: Step,
  previousPage: string,
  ms: number,
  day: number,
): void {
  if (step.event === SIGNED_UP) sim.pool.signUp(visitor);
  const row = eventRow(visitor, arrival, step, previousPage, ms);
  if (step.event === ORDER_COMPLETED) placeOrder(sim, visitor, row, ms, day);
  sim.events.push({ ms, row });
}

/** An events row; only the landing page view carries the referrer and the campaign. */
function eventRow(visitor: Visitor, arrival: Arrival, step: Step, previousPage: string, ms: number): Row {
  const first = previousPage === "";
  const utm = first ? arrival.utm : null;
  return {
    timestamp: formatTimestamp(ms),
    event: step.event,
    type: step.type,
    visitor_id: visitor.id,
    user_id: visitor.userId,
    url: SITE + step.path + (utm ? `?${utmQuery(arrival)}` : ""),
    referrer: first ? arrival.referrer : step.type === "page" ? SITE + previousPage : "",
    utm_source: utm?.source ?? "",
    utm_medium: utm?.medium ?? "",
    utm_campaign: utm?.campaign ?? "",
    utm_content: utm?.content ?? "",
    utm_term: utm?.term ?? "",
    revenue: "",
    currency: "",
    order_id: "",
    device: visitor.device,
    country: visitor.country,
    message_id: "",
  };
}

function utmQuery(arrival: Arrival): string {
  const utm = arrival.utm;
  if (utm === null) return "";
  const query = new URLSearchParams({
    utm_source: utm.source,
    utm_medium: utm.medium,
    utm_campaign: utm.campaign,
  });
  if (utm.content !== "") query.set("utm_content", utm.content);
  if (utm.term !== "") query.set("utm_term", utm.term);
  return query.toString();
}

function placeOrder(sim: Simulation, visitor: Visitor, row: Row, ms: number, day: number): void {
  sim.orderCount++;
  const orderId = `W-${String(100000 + sim.orderCount)}`;
  const revenue = Math.min(300, Math.max(20, sim.random.logNormal(62, 0.55))).toFixed(2);
  Object.assign(row, { revenue, currency: CURRENCY, order_id: orderId });
  sim.pool.recordOrder(visitor, day);
  sim.orders.push({
    ms,
    row: {
      timestamp: row.timestamp ?? formatTimestamp(ms),
      order_id: orderId,
      customer_id: visitor.userId,
      revenue,
      currency: CURRENCY,
      campaign: "",
      visitor_id: visitor.id,
    },
  });
}

function tally(sim: Simulation, arrival: Arrival, day: number, bought: boolean): void {
  if (arrival.paid === null) return;
  const key = paidKey(day, arrival.paid.campaign, arrival.paid.adGroup);
  const counts = sim.tallies.get(key) ?? { sessions: 0, orders: 0 };
  counts.sessions++;
  if (bought) counts.orders++;
  sim.tallies.set(key, counts);
}

/** Sorts events by time (stable) and numbers them with unique, reproducible message ids. */
function withMessageIds(events: TimedRow[], prefix: string): Row[] {
  events.sort((a, b) => a.ms - b.ms);
  return events.map(({ row }, i) => {
    row.message_id = `${prefix}-${String(i + 1).padStart(7, "0")}`;
    return row;
  });
}
