import { type DemoRange, dayStart, formatTimestamp, HOUR_S, isWeekend } from "./calendar.js";
import type { Random } from "./random.js";
import { CURRENCY } from "./site.js";
import type { TimedRow } from "./traffic.js";
import type { Customer } from "./visitors.js";

/** Phone orders: from web customers (after their first web order), repeat phone buyers and new ones. */
export function generateOfflineOrders(
  range: DemoRange,
  webCustomers: readonly Customer[],
  random: Random,
): TimedRow[] {
  const orders: TimedRow[] = [];
  const phoneCustomers: string[] = [];
  let known = 0;
  for (let index = 0; index < range.days; index++) {
    const midnight = dayStart(range, index);
    while (known < webCustomers.length && (webCustomers[known]?.since ?? index) < index) known++;
    const count = isWeekend(midnight)
      ? random.weighted([
          [0, 70],
          [1, 30],
        ] as const)
      : random.weighted([
          [0, 25],
          [1, 40],
          [2, 25],
          [3, 10],
        ] as const);
    for (let i = 0; i < count; i++) {
      const customer = offlineCustomer(random, webCustomers, known, phoneCustomers);
      const ms = midnight + random.int(8 * HOUR_S, 18 * HOUR_S - 1) * 1000;
      orders.push({ ms, row: offlineRow(random, orders.length + 1, customer, ms) });
    }
  }
  return orders;
}

/** A web customer among the first `known` (ordered before today), a phone regular, or a new caller. */
function offlineCustomer(random: Random, web: readonly Customer[], known: number, phone: string[]): string {
  const roll = random.next();
  const webCustomer = known > 0 ? web[random.int(0, known - 1)] : undefined;
  if (roll < 0.45 && webCustomer !== undefined) return webCustomer.userId;
  if (roll < 0.75 && phone.length > 0) return random.pick(phone);
  const id = `c-${String(phone.length + 1).padStart(5, "0")}`;
  phone.push(id);
  return id;
}

function offlineRow(
  random: Random,
  sequence: number,
  customerId: string,
  ms: number,
): Record<string, string> {
  const campaign = random.weighted([
    ["", 85],
    ["spring_sale", 10],
    ["catalog_mailing", 5],
  ] as const);
  return {
    timestamp: formatTimestamp(ms),
    order_id: `P-${String(500000 + sequence)}`,
    customer_id: customerId,
    revenue: Math.min(300, Math.max(20, random.logNormal(85, 0.5))).toFixed(2),
    currency: CURRENCY,
    campaign,
    visitor_id: "",
  };
}
