import { z } from "zod";
import { UserError } from "../../errors.js";
import {
  ENGAGEMENT_NAME,
  ENGAGEMENT_TYPE,
  engagementProperties,
  MAX_ENGAGED_MS,
  NON_INTERACTIVE_PROPERTY,
} from "../../model/engagement.js";
import { checkAmount, checkNesting } from "../../model/limits.js";
import { stringifyJson, type TextRecord, withStringifiedProperties } from "../../model/text-record.js";
import { parseOrThrow } from "../../validation.js";

/** Plausible's limits (https://plausible.io/docs/events-api). */
const MAX_NAME = 120;
const MAX_URL_BYTES = 2000;
const MAX_PROPS = 30;
const MAX_PROP_LENGTH = 2000;

const urlText = z
  .string()
  .trim()
  .min(1)
  .refine((v) => Buffer.byteLength(v) <= MAX_URL_BYTES, `must be at most ${MAX_URL_BYTES} bytes`)
  .refine((v) => !/^\s*data:/i.test(v), "data: URLs are not accepted");

const propValue = z.union([z.string().max(MAX_PROP_LENGTH), z.number().finite(), z.boolean()]);
const props = z
  .record(z.string().min(1).max(300), propValue)
  .refine((p) => Object.keys(p).length <= MAX_PROPS, `at most ${MAX_PROPS} props`);

/** The Plausible body, long or short field names (`n, u, d, r, p, $`). */
export const plausibleSchema = z.object({
  name: z.string().trim().min(1).max(MAX_NAME),
  url: urlText,
  domain: z.string().trim().min(1).max(1000),
  referrer: urlText.nullable().optional(),
  props: z
    .union([props, z.string().max(64_000)])
    .nullable()
    .optional(),
  revenue: z
    .object({
      currency: z.string().regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code"),
      amount: z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/, "must be a number")]),
    })
    .nullable()
    .optional(),
  interactive: z.boolean().optional(),
  /** Engagement events only: the largest scroll depth reached, in percent. */
  sd: z.number().finite().min(0, "must be a scroll depth in percent, 0 or more").optional(),
  /** Engagement events only: the engaged time, in milliseconds. */
  e: z
    .number()
    .finite()
    .min(0, "must be an engaged time in milliseconds, 0 or more")
    .max(MAX_ENGAGED_MS)
    .optional(),
});

export type PlausibleEvent = z.infer<typeof plausibleSchema>;

const SHORT: Readonly<Record<string, string>> = {
  n: "name",
  u: "url",
  d: "domain",
  r: "referrer",
  p: "props",
  $: "revenue",
  i: "interactive",
};

/** Reads a Plausible event body, accepting the short names the tracker sends. */
export function parsePlausible(body: unknown): PlausibleEvent {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new UserError("The body must be a JSON object.", [{ field: "body", reason: "not an object" }]);
  }
  checkNesting(body);
  const long = Object.fromEntries(Object.entries(body).map(([k, v]) => [SHORT[k] ?? k, v]));
  const event = parseOrThrow(plausibleSchema, long);
  if (event.revenue) checkAmount(Number(event.revenue.amount), "revenue.amount");
  if (typeof event.props === "string") {
    // Older trackers send props as a JSON string.
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.props);
    } catch {
      throw new UserError("props is not a JSON object.", [{ field: "props", reason: "invalid JSON" }]);
    }
    return { ...event, props: parseOrThrow(props, parsed, "props") };
  }
  return event;
}

/** The domains a Plausible `domain` field names (it may list several, comma-separated). */
export function plausibleDomains(domain: string): string[] {
  return domain
    .split(",")
    .map((d) =>
      d
        .trim()
        .toLowerCase()
        .replace(/^www\./, ""),
    )
    .filter(Boolean);
}

/**
 * A Plausible event as an event record: `pageview` is a page view, `engagement` the engagement of
 * a page view (see model/engagement.ts), any other name a custom event; `interactive: false` is
 * kept as a property that stops the event from un-bouncing its session.
 */
export function plausibleRecord(event: PlausibleEvent, visitorId: string, receivedAt: Date): TextRecord {
  if (event.name === ENGAGEMENT_NAME) {
    return withStringifiedProperties({
      timestamp: receivedAt.toISOString(),
      event: ENGAGEMENT_NAME,
      type: ENGAGEMENT_TYPE,
      visitor_id: visitorId,
      url: event.url,
      referrer: event.referrer ?? null,
      properties: stringifyJson(engagementProperties(event.sd, event.e)),
    });
  }
  const isPage = event.name.toLowerCase() === "pageview";
  const revenue = event.revenue ?? null;
  const props = event.props && typeof event.props === "object" ? event.props : null;
  const properties =
    event.interactive === false && !isPage ? { ...props, [NON_INTERACTIVE_PROPERTY]: false } : props;
  return withStringifiedProperties({
    timestamp: receivedAt.toISOString(),
    event: isPage ? "pageview" : event.name,
    type: isPage ? "page" : "track",
    visitor_id: visitorId,
    url: event.url,
    referrer: event.referrer ?? null,
    revenue: revenue === null ? null : String(revenue.amount),
    currency: revenue === null ? null : revenue.currency.toUpperCase(),
    order_id:
      typeof event.props === "object" && event.props && typeof event.props.order_id === "string"
        ? event.props.order_id
        : null,
    properties: properties ? stringifyJson(properties) : null,
  });
}
