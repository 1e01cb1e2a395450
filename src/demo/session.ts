import type { Random } from "./random.js";
import { browsePage, PRODUCTS } from "./site.js";

/** What a session ends up doing. */
export type Intent = "bounce" | "browse" | "cart" | "buy";

/** One event of a session, `delay` seconds after the previous one. */
export interface Step {
  readonly event: string;
  readonly type: "page" | "track";
  readonly path: string;
  readonly delay: number;
}

const MAX_EVENTS = 8;
export const PAGEVIEW = "pageview";
export const SIGNED_UP = "Signed Up";
export const ADDED_TO_CART = "Added to Cart";
export const ORDER_COMPLETED = "Order Completed";

interface Draft {
  readonly event: string;
  readonly type: "page" | "track";
  readonly path: string;
}

const page = (path: string): Draft => ({ event: PAGEVIEW, type: "page", path });
const track = (event: string, path: string): Draft => ({ event, type: "track", path });

/** The events of one session (at most eight), landing page first, with realistic gaps. */
export function sessionSteps(random: Random, landing: string, intent: Intent, signUp: boolean): Step[] {
  if (intent === "bounce") return [{ ...page(landing), delay: 0 }];
  const funnelRoom = funnelLength(intent, signUp);
  const browse = browseCount(random, intent, MAX_EVENTS - 1 - funnelRoom);
  const drafts: Draft[] = [page(landing)];
  for (let i = 0; i < browse; i++) drafts.push(page(browsePage(random)));
  drafts.push(...funnel(random, intent, signUp, lastPath(drafts)));
  return timed(random, drafts);
}

/** The longest the funnel of an intent can be (product page included). */
function funnelLength(intent: Intent, signUp: boolean): number {
  const signUpEvents = signUp ? 1 : 0;
  if (intent === "buy") return 5 + signUpEvents;
  if (intent === "cart") return 3 + signUpEvents;
  return signUpEvents;
}

function browseCount(random: Random, intent: Intent, room: number): number {
  if (intent !== "browse") return Math.min(room, random.int(0, 2));
  let count = 1;
  while (count < room && random.chance(0.5)) count++;
  return Math.min(count, room);
}

function funnel(random: Random, intent: Intent, signUp: boolean, at: string): Draft[] {
  if (intent === "browse") return signUp ? [track(SIGNED_UP, at)] : [];
  const onProduct = at.startsWith("/products/");
  const product = onProduct ? at : random.pick(PRODUCTS);
  const drafts: Draft[] = onProduct ? [] : [page(product)];
  drafts.push(track(ADDED_TO_CART, product));
  if (intent === "cart") {
    if (random.chance(0.6)) drafts.push(page("/cart"));
    if (signUp) drafts.push(track(SIGNED_UP, lastPath(drafts)));
    return drafts;
  }
  drafts.push(page("/cart"), page("/checkout"));
  if (signUp) drafts.push(track(SIGNED_UP, "/checkout"));
  drafts.push(track(ORDER_COMPLETED, "/checkout"));
  return drafts;
}

function lastPath(drafts: readonly Draft[]): string {
  return drafts[drafts.length - 1]?.path ?? "/";
}

function timed(random: Random, drafts: readonly Draft[]): Step[] {
  return drafts.map((draft, i) => {
    if (i === 0) return { ...draft, delay: 0 };
    return { ...draft, delay: gap(random, draft, drafts[i - 1]) };
  });
}

/** Seconds between two events: reading time before a page, a few seconds before an action. */
function gap(random: Random, draft: Draft, previous: Draft | undefined): number {
  if (draft.type === "track") return random.int(2, 25);
  if (previous?.type === "track") return random.int(1, 6);
  return Math.min(170, Math.max(5, Math.round(random.logNormal(35, 0.8))));
}
