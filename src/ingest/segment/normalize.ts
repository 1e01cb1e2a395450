import { UserError } from "../../errors.js";
import { checkAmount, checkNesting } from "../../model/limits.js";
import { segmentMessageRecord } from "../../model/segment-record.js";
import { isObject, type TextRecord } from "../../model/text-record.js";
import { parseOrThrow } from "../../validation.js";
import { clientInfo } from "../client-info.js";
import { messageTime } from "../timestamps.js";
import { compiledBatch, compiledMessage } from "./compiled-schema.js";
import {
  BATCH_LIMIT_BYTES,
  batchSchema,
  MESSAGE_LIMIT_BYTES,
  MESSAGE_SCHEMAS,
  MESSAGE_TYPES,
  type MessageType,
} from "./schema.js";

export interface SegmentResult {
  readonly records: TextRecord[];
  readonly bots: number;
}

/**
 * The `writeKey` a body carries instead of the Authorization header, where Segment's libraries put
 * it: on the body, or on a batch's first message. Read before the body is validated, so that a
 * stranger learns nothing of its rules.
 */
export function bodyWriteKey(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const first: unknown = Array.isArray(body.batch) ? body.batch[0] : undefined;
  return text(body.writeKey) ?? (isObject(first) ? text(first.writeKey) : null) ?? undefined;
}

/**
 * Validates a Segment Tracking API request (one message, or a batch whose context and
 * integrations every message inherits) and turns it into event records. Throws a UserError
 * naming the field for the first problem; nothing of a rejected request is kept.
 */
export function normalizeSegment(
  route: MessageType | "batch",
  body: unknown,
  receivedAt: Date,
  // The request's own User-Agent is the sending library's (analytics-node…), not the visitor's:
  // only context.userAgent describes a visitor's device.
  _requestUserAgent?: string,
): SegmentResult {
  if (!isObject(body))
    throw new UserError("The body must be a JSON object.", [{ field: "body", reason: "not an object" }]);
  // Depth first: the size bound, the schemas and JSON.stringify below all recurse.
  if (route !== "batch") {
    checkNesting(body);
    checkSize(body, MESSAGE_LIMIT_BYTES, "body");
    return collect([{ message: { ...body, type: route }, field: "" }], receivedAt);
  }
  // The batch's own fields (its context and integrations) sit as deep as a message's once inherited.
  checkNesting({ ...body, batch: null });
  if (Array.isArray(body.batch)) {
    for (const [i, message] of body.batch.entries()) checkNesting(message, `batch.${i}`);
  }
  // The compiled schemas vouch for the usual valid request; zod decides (and words the 400) otherwise.
  const batch = compiledBatch(body) ?? parseOrThrow(batchSchema, body);
  const messages = batch.batch.map((message, i) => {
    const field = `batch.${i}`;
    checkSize(message, MESSAGE_LIMIT_BYTES, field);
    const context = inherit(batch.context, message.context);
    const integrations = inherit(batch.integrations, message.integrations);
    return { message: { sentAt: batch.sentAt, ...message, context, integrations }, field };
  });
  return collect(messages, receivedAt);
}

/** A message's object merged over the batch's (read only, so the message's own is used alone). */
function inherit(fromBatch: Record<string, unknown> | undefined, own: unknown): Record<string, unknown> {
  const mine = isObject(own) ? own : {};
  return fromBatch ? { ...fromBatch, ...mine } : mine;
}

function collect(
  messages: { message: Record<string, unknown>; field: string }[],
  receivedAt: Date,
): SegmentResult {
  const records: TextRecord[] = [];
  let bots = 0;
  for (const { message, field } of messages) {
    const type = message.type;
    if (typeof type !== "string" || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
      throw new UserError(`${field ? `${field}.` : ""}type must be one of ${MESSAGE_TYPES.join(", ")}.`, [
        { field: `${field ? `${field}.` : ""}type`, reason: "unknown message type" },
      ]);
    }
    // analytics.js sends `"userId": null` until identify: null is no id, as Segment reads it.
    const ids =
      message.userId === null || message.anonymousId === null
        ? { ...message, userId: message.userId ?? undefined, anonymousId: message.anonymousId ?? undefined }
        : message;
    const valid =
      compiledMessage(type as MessageType, ids) ??
      parseOrThrow(MESSAGE_SCHEMAS[type as MessageType], ids, field);
    checkRevenue("properties" in valid && isObject(valid.properties) ? valid.properties : {}, field);
    const time = messageTime(valid, receivedAt, `${field ? `${field}.` : ""}timestamp`);
    const context = isObject(valid.context) ? valid.context : {};
    // Server-side libraries send no browser User-Agent: only a browser's is parsed, and a bot's dropped.
    const client = typeof context.userAgent === "string" ? clientInfo(context.userAgent) : null;
    if (client?.bot) {
      bots++;
      continue;
    }
    // zod's output is a new object: completed in place rather than copied.
    Object.assign(valid, { type, timestamp: time.toISOString() });
    const record = segmentMessageRecord(valid);
    if (type === "alias" && "previousId" in valid) record.anonymous_id = String(valid.previousId);
    const location = isObject(context.location) ? context.location : {};
    record.device = client?.device ?? null;
    record.browser = client?.browser ?? null;
    record.os = client?.os ?? null;
    record.country =
      typeof location.country === "string" && /^[A-Za-z]{2}$/.test(location.country)
        ? location.country
        : null;
    records.push(record);
  }
  return { records, bots };
}

const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function checkSize(value: unknown, limit: number, field: string): void {
  // Serialising every message only to measure it costs more than the rest of its checks.
  if (jsonSizeBound(value, limit) <= limit) return;
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > limit) {
    throw new UserError(
      `${field} is ${bytes} bytes; a message may be at most ${limit / 1024} KB.`,
      [{ field, reason: `over the ${limit / 1024} KB message limit` }],
      413,
    );
  }
}

/**
 * An upper bound of the UTF-8 size of JSON.stringify(value), counted without building the text: a string
 * unit takes at most 6 bytes (an escape such as \u001f), a number at most 25 characters. Stops
 * counting once over `limit`.
 */
function jsonSizeBound(value: unknown, limit: number): number {
  if (typeof value === "string") return 2 + 6 * value.length;
  if (typeof value !== "object" || value === null) return 25;
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += 1 + jsonSizeBound(item, limit);
      if (size > limit) return size;
    }
    return size;
  }
  for (const key in value) {
    size += 4 + 6 * key.length + jsonSizeBound((value as Record<string, unknown>)[key], limit);
    if (size > limit) return size;
  }
  return size;
}

/** Revenue must be a number (or a numeric string) in the amount range, so that orders add up. */
function checkRevenue(properties: Record<string, unknown>, field: string): void {
  for (const key of ["revenue", "total"]) {
    const value = properties[key];
    if (value === undefined || value === null) continue;
    // Decimal notation only (no 0x10, no Infinity): what the store's DOUBLE cast reads the same way.
    const number =
      typeof value === "number"
        ? value
        : typeof value === "string" && DECIMAL.test(value.trim())
          ? Number(value)
          : Number.NaN;
    const name = `${field ? `${field}.` : ""}properties.${key}`;
    // A decimal string of 400 digits reads as Infinity: out of range, not "not a number".
    if (Number.isNaN(number)) {
      throw new UserError(`${name} must be a number.`, [{ field: name, reason: "not a number" }]);
    }
    checkAmount(number, name);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export { BATCH_LIMIT_BYTES, MESSAGE_LIMIT_BYTES };
