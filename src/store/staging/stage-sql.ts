import type { ColumnSpec, ImportKind, KindSpec } from "../../model/import-kinds.js";
import { AMOUNT_LIMIT, AMOUNT_RANGE } from "../../model/limits.js";
import type { Dialect } from "../dialect.js";
import { campaignKeySql } from "../sql/session-columns.js";

/** How the raw text table maps onto a kind's columns. */
export interface RawLayout {
  /** Target column → raw column name, for the columns the file has. */
  readonly sources: ReadonlyMap<string, string>;
  /** Raw columns the kind does not know (kept as properties or breakdown). */
  readonly extras: readonly string[];
  /** SQL for the file line of a raw row; null leaves the line out (the caller numbers the rows). */
  readonly lineExpr: string | null;
}

export interface TypingOptions {
  readonly timeZone: string;
  readonly strptimeFormat: string | null;
}

const EVENT_TYPES = ["page", "track", "identify", "screen", "group", "alias", "engagement"];

/**
 * One SELECT over `raw` that types every column and names the first problem of each row in
 * `error` (NULL when the row is good). Text values are trimmed, empty means missing.
 */
export function typedSelect(
  d: Dialect,
  kind: ImportKind,
  spec: KindSpec,
  layout: RawLayout,
  opts: TypingOptions,
  from = "raw",
) {
  const columns: string[] = layout.lineExpr === null ? [] : [`${layout.lineExpr} AS line`];
  const errors: string[] = [];
  for (const column of spec.columns) {
    const raw = layout.sources.get(column.name);
    // A column the file lacks is NULL of text type, so that later text functions apply to it.
    const text = raw === undefined ? "CAST(NULL AS VARCHAR)" : `nullif(trim(${d.identifier(raw)}), '')`;
    const parsed = parseExpr(d, column, text, opts);
    columns.push(`${parsed} AS ${d.identifier(column.name)}`);
    errors.push(...columnErrors(d, column, text, parsed, opts));
  }
  if (kind === "events") {
    errors.push(
      `CASE WHEN ${layout.sources.has("type") ? `lower(nullif(trim(${d.identifier(layout.sources.get("type") ?? "")}), ''))` : "NULL"} NOT IN (${EVENT_TYPES.map((t) => d.literal(t)).join(", ")}) THEN 'type must be one of ${EVENT_TYPES.join(", ")}' END`,
    );
  }
  columns.push(`${extrasExpr(d, spec, layout)} AS extras`);
  if (kind === "events") {
    // A message id identifies an event; only rows without one are identified by their content.
    const messageId = layout.sources.get("message_id");
    const id = messageId === undefined ? "NULL" : `nullif(trim(${d.identifier(messageId)}), '')`;
    columns.push(
      `CASE WHEN ${id} IS NOT NULL THEN md5_number('m:' || ${id}) ELSE md5_number(concat_ws(chr(31), ${rowText(d, layout)})) END AS dedup_key`,
    );
  }
  columns.push(`coalesce(${errors.join(", ")}) AS error`);
  return `SELECT ${columns.join(",\n  ")} FROM ${from}`;
}

function rowText(d: Dialect, layout: RawLayout): string {
  const all = [...layout.sources.values(), ...layout.extras];
  return all.map((c) => `coalesce(${d.identifier(c)}, '')`).join(", ") || "''";
}

/** Extra columns as a JSON object with keys in name order, so equal breakdowns have equal text. */
function extrasExpr(d: Dialect, spec: KindSpec, layout: RawLayout): string {
  if (spec.extraColumns === "ignored" || layout.extras.length === 0) return "json_object()";
  const pairs = [...layout.extras]
    .sort()
    .map((c) => `${d.literal(c)}, nullif(trim(${d.identifier(c)}), '')`)
    .join(", ");
  return `json_object(${pairs})`;
}

function parseExpr(d: Dialect, column: ColumnSpec, text: string, opts: TypingOptions): string {
  const tz = d.literal(opts.timeZone);
  const fmt = opts.strptimeFormat === null ? null : d.literal(opts.strptimeFormat);
  switch (column.type) {
    case "timestamp":
      // An explicit offset or Z is exact; a timestamp without one is read in the workspace time zone.
      if (fmt) return `timezone(${tz}, try_strptime(${text}, ${fmt}))`;
      // In UTC a timestamp without an offset means UTC, which is what the cast reads: no regex.
      if (opts.timeZone === "UTC") return `TRY_CAST(${text} AS TIMESTAMPTZ)`;
      return `CASE WHEN regexp_matches(${text}, '[T ]\\d{1,2}:\\d\\d(:\\d\\d(\\.\\d+)?)?\\s*([Zz]|[+-]\\d\\d(:?\\d\\d)?)$')
            THEN TRY_CAST(${text} AS TIMESTAMPTZ) ELSE timezone(${tz}, TRY_CAST(${text} AS TIMESTAMP)) END`;
    case "date":
      return fmt ? `CAST(try_strptime(${text}, ${fmt}) AS DATE)` : `TRY_CAST(${text} AS DATE)`;
    case "count":
    case "money":
    case "amount":
      return `(CASE WHEN isfinite(TRY_CAST(${text} AS DOUBLE)) THEN TRY_CAST(${text} AS DOUBLE) END)`;
    case "text":
    case "json":
      return text;
    default: {
      const unknown: never = column.type;
      throw new Error(`unknown column type ${String(unknown)}`);
    }
  }
}

function columnErrors(
  d: Dialect,
  column: ColumnSpec,
  text: string,
  parsed: string,
  opts: TypingOptions,
): string[] {
  const name = column.name;
  const shown = `'"' || left(${text}, 60) || '"'`;
  const errors: string[] = [];
  if (column.required) errors.push(`CASE WHEN ${text} IS NULL THEN ${d.literal(`missing ${name}`)} END`);
  switch (column.type) {
    case "timestamp": {
      const expected =
        opts.strptimeFormat === null
          ? "a date and time in ISO 8601 (or use --date-format)"
          : "in the --date-format given";
      errors.push(
        `CASE WHEN ${text} IS NOT NULL AND ${parsed} IS NULL THEN ${d.literal(`${name} `)} || ${shown} || ${d.literal(` is not ${expected}`)} END`,
      );
      break;
    }
    case "date": {
      const expected =
        opts.strptimeFormat === null
          ? "a date written YYYY-MM-DD (or use --date-format)"
          : "in the --date-format given";
      errors.push(
        `CASE WHEN ${text} IS NOT NULL AND ${parsed} IS NULL THEN ${d.literal(`${name} `)} || ${shown} || ${d.literal(` is not ${expected}`)} END`,
      );
      break;
    }
    case "count":
    case "money":
    case "amount":
      errors.push(
        `CASE WHEN ${text} IS NOT NULL AND ${parsed} IS NULL THEN ${d.literal(`${name} `)} || ${shown} || ' is not a number' END`,
        // KPI sums are DECIMAL(38, 9): a larger value would make every query of its day fail.
        `CASE WHEN abs(${parsed}) >= ${d.literal(AMOUNT_LIMIT)} THEN ${d.literal(`${name} `)} || ${shown} || ${d.literal(` is outside the range ${AMOUNT_RANGE}`)} END`,
      );
      if (column.type !== "amount") {
        errors.push(
          `CASE WHEN ${parsed} < 0 THEN ${d.literal(`${name} `)} || ${shown} || ' is negative' END`,
        );
      }
      break;
    case "json":
      errors.push(
        `CASE WHEN ${text} IS NULL THEN NULL WHEN NOT json_valid(${text}) THEN ${d.literal(`${name} is not valid JSON`)}
              WHEN json_type(${text}::JSON) <> 'OBJECT' THEN ${d.literal(`${name} is not a JSON object`)} END`,
      );
      break;
    case "text":
      break;
    default: {
      const unknown: never = column.type;
      throw new Error(`unknown column type ${String(unknown)}`);
    }
  }
  return errors;
}

// Host, path and query parameter of a URL, in SQL. Accept full URLs, bare paths and bare hosts.

/** The host of a URL: the group after an optional scheme and an optional user-info part. */
export const URL_HOST_PATTERN = "^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^@/?#]*@)?([^/?#:]*)";

/**
 * The host as URL_HOST_PATTERN reads it. An http(s) URL without `@` (nearly every URL) has the
 * scheme group and no user-info group, so a one-pass pattern reads the same host about three times
 * faster; `import-sql.test.ts` compares both on tricky and random URLs.
 */
export const urlHostText = (u: string) =>
  `CASE WHEN (starts_with(${u}, 'https://') OR starts_with(${u}, 'http://')) AND NOT contains(${u}, '@')
    THEN regexp_extract(${u}, '^https?://([^/?#:]*)', 1) ELSE regexp_extract(${u}, '${URL_HOST_PATTERN}', 1) END`;

/** The host in lower case, without `www.`, NULL when empty. */
const urlHost = (u: string) => `nullif(regexp_replace(lower(${urlHostText(u)}), '^www\\.', ''), '')`;
/** The path of a URL: after an optional scheme and authority, up to the query or fragment. */
export const URL_PATH_PATTERN = "^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)";

/**
 * The path as URL_PATH_PATTERN reads it. After `http://` or `https://` the optional group is taken
 * with its longest authority, so the path is the rest up to `?` or `#`: two patterns without a
 * capture group read it faster than the capture (import-sql.test.ts compares both). split_part
 * instead of the second pattern was slower in the INSERT, though faster alone.
 */
export const urlPathText = (u: string) =>
  `CASE WHEN starts_with(${u}, 'https://') OR starts_with(${u}, 'http://')
    THEN regexp_extract(regexp_replace(${u}, '^https?://[^/?#]*', ''), '^[^?#]*', 0)
    ELSE regexp_extract(${u}, '${URL_PATH_PATTERN}', 1) END`;

/** The path, `/` when empty. */
const urlPath = (u: string) => `coalesce(nullif(${urlPathText(u)}, ''), '/')`;
const urlParam = (u: string, name: string) =>
  `nullif(trim(coalesce(try(url_decode(replace(regexp_extract(${u}, '[?&]${name}=([^&#]*)', 1), '+', ' '))),
    regexp_extract(${u}, '[?&]${name}=([^&#]*)', 1))), '')`;

/**
 * Events in their stored shape: type and name normalised (page calls are `pageview`), UTM tags
 * from columns or else from the URL's query, host, path and referrer domain parsed once here.
 * `rows` is a relation of good rows of `typed` (import.ts' `newEvents` picks them).
 */
export function enrichedEvents(d: Dialect, workspace: string, seqBase: bigint, rows: string): string {
  // A URL is searched for a tag only when the tag's column is empty and the URL has it.
  const utm = (name: string) =>
    `CASE WHEN utm_${name} IS NOT NULL THEN utm_${name} WHEN contains(url, 'utm_${name}=') THEN ${urlParam("url", `utm_${name}`)} END`;
  const type = `CASE WHEN lower(type) IN ('page', 'pageview') OR (type IS NULL AND lower(event) = 'pageview') THEN 'page'
      WHEN type IS NULL THEN 'track' ELSE lower(type) END`;
  return `SELECT *, ${campaignKeySql("utm_campaign")} AS campaign_key FROM (
  SELECT ${d.literal(workspace)} AS workspace,
    ${seqBase}::BIGINT + line AS seq,
    dedup_key, message_id, timestamp AS ts, t.type,
    CASE WHEN t.type = 'page' THEN 'pageview' ELSE event END AS name,
    visitor_id, user_id, anonymous_id, url, ${urlHost("url")} AS host, CASE WHEN url IS NULL THEN NULL ELSE ${urlPath("url")} END AS path,
    referrer, ${urlHost("referrer")} AS referrer_domain,
    ${utm("source")} AS utm_source, ${utm("medium")} AS utm_medium, ${utm("campaign")} AS utm_campaign,
    ${utm("content")} AS utm_content, ${utm("term")} AS utm_term,
    lower(device) AS device, browser, os, upper(country) AS country, revenue, upper(currency) AS currency, order_id,
    CASE WHEN properties IS NULL AND extras = json_object() THEN NULL
         ELSE json_merge_patch(coalesce(properties::JSON, json_object()), extras) END AS properties
  FROM (SELECT * REPLACE (${type} AS type) FROM ${rows}) t
)`;
}
