import { UserError } from "../errors.js";
import { DAY_MS, type DemoRange, parseDate } from "./calendar.js";
import { generateCosts, generateNewsletters, generateSocial } from "./marketing.js";
import { generateOfflineOrders } from "./offline.js";
import { Random, streamSeed } from "./random.js";
import { simulateTraffic, type TimedRow } from "./traffic.js";

/** What to generate: `days` UTC days ending with `endDate` (included), from `seed`. */
export interface DemoOptions {
  days: number;
  seed: number;
  /** YYYY-MM-DD, last day included, UTC. */
  endDate: string;
}

/** Rows for each import kind; every value is a string ("" when empty), ready to be written as CSV. */
export interface DemoData {
  events: Record<string, string>[];
  costs: Record<string, string>[];
  email: Record<string, string>[];
  social: Record<string, string>[];
  orders: Record<string, string>[];
}

/** Column order of each kind, as the rows' keys are. */
export const DEMO_COLUMNS = {
  events: [
    "timestamp",
    "event",
    "type",
    "visitor_id",
    "user_id",
    "url",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "revenue",
    "currency",
    "order_id",
    "device",
    "country",
    "message_id",
  ],
  costs: [
    "date",
    "campaign",
    "channel",
    "spend",
    "impressions",
    "clicks",
    "conversions",
    "currency",
    "ad_group",
  ],
  email: ["date", "campaign", "sent", "delivered", "opens", "clicks", "unsubscribes", "bounces"],
  social: ["date", "network", "posts", "reach", "impressions", "interactions", "mentions", "followers"],
  orders: ["timestamp", "order_id", "customer_id", "revenue", "currency", "campaign", "visitor_id"],
} as const satisfies Record<keyof DemoData, readonly string[]>;

const MAX_DAYS = 3660;

/** Independent random streams, so that each kind's rows do not depend on the others' draws. */
const STREAM = { email: 1, social: 2, traffic: 3, costs: 4, offline: 5 } as const;

/** Generates a reproducible demo data set of a small e-commerce shop (same options → same rows). */
export function generateDemo(options: DemoOptions): DemoData {
  const range = demoRange(options);
  const stream = (id: number) => new Random(streamSeed(options.seed, id));
  const newsletters = generateNewsletters(range, stream(STREAM.email));
  const traffic = simulateTraffic(range, newsletters.sends, stream(STREAM.traffic), `demo-${options.seed}`);
  const offline = generateOfflineOrders(range, traffic.customers, stream(STREAM.offline));
  return {
    events: traffic.events,
    costs: generateCosts(range, traffic.tallies, stream(STREAM.costs)),
    email: newsletters.rows,
    social: generateSocial(range, stream(STREAM.social)),
    orders: byTime([...traffic.orders, ...offline]),
  };
}

/** Validates options and turns them into the first day and the number of days. */
function demoRange(options: DemoOptions): DemoRange {
  const { days, seed, endDate } = options;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new UserError(`Days must be a whole number from 1 to ${MAX_DAYS}.`, [
      { field: "days", reason: `got ${days}` },
    ]);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new UserError("The seed must be a whole number.", [{ field: "seed", reason: `got ${seed}` }]);
  }
  return { startMs: parseDate(endDate) - (days - 1) * DAY_MS, days };
}

function byTime(rows: TimedRow[]): Record<string, string>[] {
  return rows.sort((a, b) => a.ms - b.ms).map(({ row }) => row);
}
