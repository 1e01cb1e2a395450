import { isObject, stringifyJson, type TextRecord, text, withStringifiedProperties } from "./text-record.js";

function member(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * A Segment message (track, page, identify, screen…) as an events row (docs/sending-events.md#segment conventions):
 * `userId` else `anonymousId` is the visitor; page calls are `pageview`; campaign from
 * `context.campaign`; revenue, currency and order id from properties.
 */
export function segmentMessageRecord(message: Record<string, unknown>): TextRecord {
  const type = text(message.type)?.toLowerCase() ?? (message.event ? "track" : null);
  const ownProperties = isObject(message.properties) ? message.properties : {};
  // identify and group carry traits: kept as properties, never read as an order.
  const properties = isObject(message.properties)
    ? message.properties
    : isObject(message.traits)
      ? message.traits
      : {};
  const page = (key: string) =>
    text(member(message, "context", "page", key) ?? (type === "page" ? properties[key] : undefined));
  // context.campaign as analytics.js fills it, else the utm_* of context.page.search.
  const search = text(member(message, "context", "page", "search"));
  const tags = search?.includes("utm_") ? new URLSearchParams(search) : null;
  const campaign = (key: string) =>
    text(member(message, "context", "campaign", key)) ??
    tags?.get(`utm_${key === "name" ? "campaign" : key}`) ??
    null;
  return withStringifiedProperties({
    timestamp: text(message.timestamp ?? message.originalTimestamp ?? message.receivedAt ?? message.sentAt),
    event: type === "page" ? "pageview" : text(message.event ?? type),
    type,
    visitor_id: text(message.userId ?? message.anonymousId),
    user_id: text(message.userId),
    anonymous_id: text(message.anonymousId),
    url: page("url"),
    referrer: page("referrer"),
    utm_source: campaign("source"),
    utm_medium: campaign("medium"),
    utm_campaign: campaign("name"),
    utm_content: campaign("content"),
    utm_term: campaign("term"),
    revenue: text(ownProperties.revenue ?? ownProperties.total),
    currency: text(ownProperties.currency),
    order_id: text(ownProperties.order_id),
    properties: stringifyJson(properties),
    message_id: text(message.messageId),
  });
}
