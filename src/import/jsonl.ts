import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { RejectedRow } from "../store/store.js";
import type { ImportKind } from "./kinds.js";

export type TextRecord = Record<string, string | null>;

export interface JsonlRows {
  readonly columns: string[];
  readonly rows: { line: number; record: TextRecord }[];
  readonly rejected: RejectedRow[];
}

/**
 * Reads a JSON Lines file into text records with the kind's column names: Segment messages for
 * events, flat objects for the other kinds. Lines that are not JSON objects are rejected by line.
 */
export async function readJsonl(file: string, kind: ImportKind): Promise<JsonlRows> {
  const columns = new Set<string>();
  const rows: { line: number; record: TextRecord }[] = [];
  const rejected: RejectedRow[] = [];
  const lines = createInterface({
    input: createReadStream(file, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line === 1 ? text.replace(/^\uFEFF/, "") : text);
    } catch (error) {
      rejected.push({ line, reason: `not valid JSON (${(error as Error).message})` });
      continue;
    }
    if (!isObject(value)) {
      rejected.push({ line, reason: "not a JSON object" });
      continue;
    }
    const record = kind === "events" ? segmentMessageRecord(value) : flatRecord(value);
    for (const key of Object.keys(record)) columns.add(key);
    rows.push({ line, record });
  }
  return { columns: [...columns], rows, rejected };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function flatRecord(value: Record<string, unknown>): TextRecord {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, text(v)]));
}

function member(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * A Segment message (track, page, identify, screen…) as an events row (SPEC §2.1 conventions):
 * `userId` else `anonymousId` is the visitor; page calls are `pageview`; campaign from
 * `context.campaign`; revenue, currency and order id from properties.
 */
export function segmentMessageRecord(message: Record<string, unknown>): TextRecord {
  const type = text(message.type)?.toLowerCase() ?? (message.event ? "track" : null);
  const properties = isObject(message.properties)
    ? message.properties
    : isObject(message.traits)
      ? message.traits
      : {};
  const page = (key: string) =>
    text(member(message, "context", "page", key) ?? (type === "page" ? properties[key] : undefined));
  const campaign = (key: string) => text(member(message, "context", "campaign", key));
  return {
    timestamp: text(message.timestamp ?? message.originalTimestamp ?? message.receivedAt ?? message.sentAt),
    event: type === "page" ? "pageview" : text(message.event ?? type),
    type,
    visitor_id: text(message.userId ?? message.anonymousId),
    user_id: text(message.userId),
    url: page("url"),
    referrer: page("referrer"),
    utm_source: campaign("source"),
    utm_medium: campaign("medium"),
    utm_campaign: campaign("name"),
    utm_content: campaign("content"),
    utm_term: campaign("term"),
    revenue: text(properties.revenue ?? properties.total),
    currency: text(properties.currency),
    order_id: text(properties.order_id),
    properties: JSON.stringify(properties),
    message_id: text(message.messageId),
  };
}
