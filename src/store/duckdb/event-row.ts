import { hash } from "node:crypto";
import { KIND_SPECS } from "../../model/import-kinds.js";
import { inAmountRange } from "../../model/limits.js";
import { hasStringifiedProperties, type TextRecord, wellFormedText } from "../../model/text-record.js";

/**
 * An event in the stored shape of `events` (schema.ts), typed and enriched in JavaScript: the
 * same values that the SQL of import-sql.ts (`typedSelect` then `enrichedEvents`) gives for the
 * same record, so that an ingestion commit needs no SQL beyond the append. `seq` is numbered by
 * the caller. `event-row.test.ts` checks both paths against each other on random records.
 */
export interface EventRow {
  readonly dedupKey: bigint;
  readonly messageId: string | null;
  /** Microseconds since the Unix epoch, UTC. */
  readonly tsMicros: bigint;
  readonly type: string;
  readonly name: string;
  readonly visitorId: string;
  readonly userId: string | null;
  readonly anonymousId: string | null;
  readonly url: string | null;
  readonly host: string | null;
  readonly path: string | null;
  readonly referrer: string | null;
  readonly referrerDomain: string | null;
  readonly utmSource: string | null;
  readonly utmMedium: string | null;
  readonly utmCampaign: string | null;
  readonly utmContent: string | null;
  readonly utmTerm: string | null;
  readonly campaignKey: string | null;
  readonly device: string | null;
  readonly browser: string | null;
  readonly os: string | null;
  readonly country: string | null;
  readonly revenue: number | null;
  readonly currency: string | null;
  readonly orderId: string | null;
  readonly properties: string | null;
}

/** Thrown inside when a value is outside the cases mirrored here exactly; the record goes to SQL. */
class NotMirrored extends Error {}

const RECORD_COLUMNS = KIND_SPECS.events.columns.map((c) => c.name);
const EVENT_TYPES = new Set(["page", "track", "identify", "screen", "group", "alias", "engagement"]);

/**
 * The stored row of an event record, or null when the record needs the SQL path: a value this
 * mirror does not reproduce exactly (non-ASCII text that SQL would change case of, a timestamp
 * without an offset in a non-UTC workspace, unusual JSON or numbers, percent-encoded non-ASCII
 * UTM tags) or a record that SQL would reject.
 */
export function eventRow(record: TextRecord, timeZone: string): EventRow | null {
  try {
    return mirror(record, timeZone);
  } catch (error) {
    if (error instanceof NotMirrored) return null;
    throw error;
  }
}

function mirror(record: TextRecord, timeZone: string): EventRow {
  // As loadRecords stores them: well-formed text; then typedSelect's nullif(trim(x), '').
  const raw = (column: string): string | null => {
    const value = record[column];
    return value === null || value === undefined ? null : wellFormedText(value);
  };
  const text = (column: string): string | null => {
    const value = raw(column);
    return value === null ? null : sqlTrim(value) || null;
  };
  const timestampText = text("timestamp");
  const event = text("event");
  const visitorId = text("visitor_id");
  if (timestampText === null || event === null || visitorId === null) throw new NotMirrored();
  const tsMicros = timestampMicros(timestampText, timeZone);
  const typeText = text("type");
  const lowerType = typeText === null ? null : asciiLower(typeText);
  if (lowerType !== null && !EVENT_TYPES.has(lowerType)) throw new NotMirrored();
  const type =
    lowerType === "page" || (lowerType === null && asciiLower(event) === "pageview")
      ? "page"
      : (lowerType ?? "track");

  const messageId = text("message_id");
  const dedupKey =
    messageId !== null
      ? md5Number(`m:${messageId}`)
      : md5Number(RECORD_COLUMNS.map((c) => raw(c) ?? "").join("\u001f"));

  const url = text("url");
  const referrer = text("referrer");
  const utm = (name: string): string | null =>
    text(`utm_${name}`) ?? (url?.includes(`utm_${name}=`) ? urlParam(url, `utm_${name}`) : null);
  const utmCampaign = utm("campaign");
  const campaignKey = utmCampaign === null ? null : asciiLower(sqlTrim(utmCampaign)) || null;
  const device = text("device");
  const country = text("country");
  const currency = text("currency");
  return {
    dedupKey,
    messageId,
    tsMicros,
    type,
    name: type === "page" ? "pageview" : event,
    visitorId,
    userId: text("user_id"),
    anonymousId: text("anonymous_id"),
    url,
    host: urlHost(url),
    path: url === null ? null : urlPath(url),
    referrer,
    referrerDomain: urlHost(referrer),
    utmSource: utm("source"),
    utmMedium: utm("medium"),
    utmCampaign,
    utmContent: utm("content"),
    utmTerm: utm("term"),
    campaignKey,
    device: device === null ? null : asciiLower(device),
    browser: text("browser"),
    os: text("os"),
    country: country === null ? null : asciiUpper(country),
    revenue: amount(text("revenue")),
    currency: currency === null ? null : asciiUpper(currency),
    orderId: text("order_id"),
    properties: properties(text("properties"), hasStringifiedProperties(record)),
  };
}

/** DuckDB's trim(): removes Unicode space separators (category Zs), not tabs or newlines. */
function sqlTrim(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  // Printable ASCII at both ends (the usual case): nothing to trim.
  if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) return value;
  return value.replace(/^\p{Zs}+|\p{Zs}+$/gu, "");
}

const NON_ASCII = /[\u0080-\uffff]/;

/** lower() for ASCII text; DuckDB's Unicode case mapping differs from JavaScript's (İ, ß…). */
function asciiLower(value: string): string {
  if (NON_ASCII.test(value)) throw new NotMirrored();
  return value.toLowerCase();
}

function asciiUpper(value: string): string {
  if (NON_ASCII.test(value)) throw new NotMirrored();
  return value.toUpperCase();
}

/** md5_number(): the MD5 digest read as a little-endian 128-bit unsigned integer. */
function md5Number(value: string): bigint {
  const digest = hash("md5", value, "buffer");
  return (digest.readBigUInt64LE(8) << 64n) | digest.readBigUInt64LE(0);
}

const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|([+-])(\d\d):(\d\d))?$/;

/**
 * TRY_CAST(text AS TIMESTAMPTZ) for ISO 8601 with an offset or Z (exact in any workspace), and
 * without one in a UTC workspace; anything else (and any invalid date) is left to SQL.
 */
function timestampMicros(value: string, timeZone: string): bigint {
  // The events of a batch often share their time (the time it was received): parsed once.
  if (lastTime.value === value && lastTime.timeZone === timeZone) return lastTime.micros;
  const micros = parseTimestampMicros(value, timeZone);
  lastTime = { value, timeZone, micros };
  return micros;
}

let lastTime: { value: string; timeZone: string; micros: bigint } = { value: "", timeZone: "", micros: 0n };

function parseTimestampMicros(value: string, timeZone: string): bigint {
  const m = ISO_TIME.exec(value);
  if (!m) throw new NotMirrored();
  const [, y, mo, d, h, mi, s, fraction, zone, sign, oh, om] = m;
  if (zone === undefined && timeZone !== "UTC") throw new NotMirrored();
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  // Within 1900–2200 the microseconds are exact as a JavaScript number (they travel as JSON).
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 || day > daysInMonth)
    throw new NotMirrored();
  if (hour > 23 || minute > 59 || second > 59) throw new NotMirrored();
  let offsetMinutes = 0;
  if (sign !== undefined) {
    if (Number(oh) > 14 || Number(om) > 59) throw new NotMirrored();
    offsetMinutes = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  const micros = fraction === undefined ? 0 : Number(fraction.padEnd(6, "0"));
  return BigInt(ms) * 1000n + BigInt(micros);
}

/** The DOUBLE cast for plain decimals (what Segment and Plausible revenue is); others go to SQL. */
function amount(value: string | null): number | null {
  if (value === null) return null;
  if (!/^-?\d{1,17}(\.\d{1,17})?$/.test(value)) throw new NotMirrored();
  const number = Number(value);
  // Outside the amount range the SQL path refuses the row, naming the range (import-sql.ts).
  if (!inAmountRange(number)) throw new NotMirrored();
  // JSON has no negative zero: -0 would arrive as 0.
  if (number === 0 && value.startsWith("-")) throw new NotMirrored();
  return number;
}

/**
 * json_merge_patch(properties::JSON, json_object()) prints JSON as JSON.stringify does for the
 * JSON that JSON.stringify wrote, save for \u escapes (DuckDB writes upper-case hex) and large
 * exponents (1e21, not 1e+21): only that canonical JSON is mirrored.
 */
function properties(value: string | null, stringified: boolean): string | null {
  if (value === null) return null;
  if (value[0] !== "{" || value.includes("\\u") || /\de\+/.test(value)) throw new NotMirrored();
  // JSON.stringify's own output is canonical already: no need to parse it again.
  if (stringified) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new NotMirrored();
  }
  if (JSON.stringify(parsed) !== value) throw new NotMirrored();
  return value;
}

const HOST = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(?:[^@/?#]*@)?([^/?#:]*)/;
const PATH = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)/;

/** urlHost of import-sql.ts: lower case, without `www.`, NULL when empty. */
function urlHost(url: string | null): string | null {
  if (url === null) return null;
  const host = asciiLower(HOST.exec(url)?.[1] ?? "");
  return host.replace(/^www\./, "") || null;
}

/** urlPath of import-sql.ts: `/` when empty. */
function urlPath(url: string): string {
  return PATH.exec(url)?.[1] || "/";
}

const PARAMS = new Map<string, RegExp>();

/** urlParam of import-sql.ts: the first `name=` value, `+` as space, percent-decoded, trimmed. */
function urlParam(url: string, name: string): string | null {
  let pattern = PARAMS.get(name);
  if (!pattern) {
    pattern = new RegExp(`[?&]${name}=([^&#]*)`);
    PARAMS.set(name, pattern);
  }
  const value = pattern.exec(url)?.[1] ?? "";
  return sqlTrim(urlDecode(value.replaceAll("+", " "))) || null;
}

/**
 * url_decode() where its result is ASCII: valid %XX escapes decoded, others kept as written.
 * Escapes of other bytes (UTF-8 sequences, which SQL checks) go to SQL.
 */
function urlDecode(value: string): string {
  if (!value.includes("%")) return value;
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const code = Number.parseInt(hex, 16);
    if (code === 0 || code > 0x7f) throw new NotMirrored();
    return String.fromCharCode(code);
  });
}
