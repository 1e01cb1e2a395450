/**
 * An event or row as text columns named like the import columns (docs/importing.md#columns). Every source — CSV,
 * JSON Lines, Segment, Plausible, the tracker — becomes these records, and one SQL step types,
 * checks and enriches them (store/staging/stage-sql.ts); ingestion uses its exact mirror in
 * JavaScript where it can (store/duckdb/event-row.ts).
 */
export type TextRecord = Record<string, string | null>;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Text that is valid Unicode: a lone surrogate (JSON allows "\ud800") cannot be stored as UTF-8,
 * so it becomes U+FFFD, as a browser's TextEncoder would make it.
 */
export function wellFormedText(value: string): string {
  // Most text has no surrogate at all: one quick test spares the replace (ingestion calls this per value).
  return SURROGATE.test(value) ? value.replace(LONE_SURROGATE, "\uFFFD") : value;
}

/** A lone surrogate as JSON.stringify escapes it (paired ones it writes as they are), after an even run of backslashes. */
const ESCAPED_LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * JSON.stringify, with lone surrogates (which it escapes as "\ud800") made U+FFFD as in
 * `wellFormedText`: stores reject such escapes as invalid JSON, and they cannot be UTF-8 anyway.
 */
export function stringifyJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes("\\ud") ? json.replace(ESCAPED_LONE_SURROGATE, "$1\uFFFD") : json;
}

/**
 * Records whose `properties` text is JSON.stringify's output (the HTTP routes'), so the store
 * can take it as canonical JSON without parsing it again.
 */
const stringifiedProperties = new WeakSet<TextRecord>();

/** A record whose properties are JSON.stringify(value), marked as such. */
export function withStringifiedProperties<T extends TextRecord>(record: T): T {
  stringifiedProperties.add(record);
  return record;
}

/** True when `record.properties` was written by JSON.stringify (and not changed since). */
export function hasStringifiedProperties(record: TextRecord): boolean {
  return stringifiedProperties.has(record);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON value as column text: strings as they are, numbers and booleans printed, objects as JSON. */
export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return stringifyJson(value);
}
