/**
 * Request bodies for the ingestion benchmark and the durability test: Segment batches shaped like
 * analytics-node's (one `track` per message, a unique messageId each) and Plausible events.
 */

export const BROWSER_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

const EVENTS = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed", "Signed Up"];

/** One Segment track message; `messageId` must be unique for the event to count once. */
export function trackMessage(messageId: string, i: number, timestamp: string): Record<string, unknown> {
  const event = EVENTS[i % EVENTS.length] as string;
  const properties: Record<string, unknown> = {
    product_id: `sku-${i % 97}`,
    price: 19.9 + (i % 13),
    plan: "pro",
  };
  if (event === "Order Completed")
    Object.assign(properties, { order_id: `o-${messageId}`, revenue: 59.7, currency: "EUR" });
  return {
    type: "track",
    event,
    userId: `user-${i % 5000}`,
    anonymousId: `anon-${i % 7919}`,
    messageId,
    timestamp,
    properties,
    context: {
      library: { name: "analytics-node", version: "3.1.0" },
      page: {
        url: `https://shop.example/products/${i % 97}?utm_source=news&utm_medium=email`,
        referrer: "https://www.google.com/",
      },
      campaign: { source: "news", medium: "email", name: "Spring Sale" },
    },
  };
}

/** A `/v1/batch` body of `size` track messages whose ids are `${prefix}-0` … `${prefix}-${size - 1}`. */
export function segmentBatch(
  prefix: string,
  size: number,
  now = new Date(),
): { body: string; ids: string[] } {
  const timestamp = now.toISOString();
  const ids: string[] = [];
  const batch: Record<string, unknown>[] = [];
  for (let i = 0; i < size; i++) {
    const id = `${prefix}-${i}`;
    ids.push(id);
    batch.push(trackMessage(id, i, timestamp));
  }
  return { body: JSON.stringify({ batch, sentAt: timestamp }), ids };
}

export const ID_PLACEHOLDER = "__MSGID__";

/**
 * A batch body with a placeholder in every messageId, so that a load generator makes unique ids
 * with one `replaceAll` per request instead of serialising the batch again.
 */
export function segmentBatchTemplate(size: number): string {
  return segmentBatch(ID_PLACEHOLDER, size).body;
}

/** A single Plausible event (the tracker's short field names are accepted too; these are the long ones). */
export function plausibleEvent(domain: string, n: number): string {
  return JSON.stringify({
    name: n % 10 === 0 ? "Signup" : "pageview",
    url: `https://${domain}/blog/post-${n % 211}?utm_source=twitter`,
    domain,
    referrer: "https://t.co/abc",
    props: { author: "ann", n: n % 5 },
  });
}

/** HTTP Basic with the write key as user name and an empty password (Segment's convention). */
export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`;
}
