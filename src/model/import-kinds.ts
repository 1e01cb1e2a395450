/**
 * The columns of each importable kind (docs/importing.md#columns), as data: the store reads the file, checks each
 * column by its type and merges the rows. Extra columns are kept as event properties or cost
 * breakdowns, or ignored.
 */
export const IMPORT_KINDS = ["events", "costs", "email", "social", "orders"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type ColumnType =
  | "timestamp" // ISO 8601 (an offset or Z; none means the workspace time zone) or --date-format
  | "date" // YYYY-MM-DD or --date-format
  | "count" // a number ≥ 0
  | "money" // a number ≥ 0
  | "amount" // any number (revenue may be negative for refunds)
  | "text"
  | "json"; // a JSON object

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly required: boolean;
}

export interface KindSpec {
  readonly columns: readonly ColumnSpec[];
  /** What happens to columns the kind does not know. */
  readonly extraColumns: "properties" | "breakdown" | "ignored";
}

const req = (name: string, type: ColumnType): ColumnSpec => ({ name, type, required: true });
const opt = (name: string, type: ColumnType): ColumnSpec => ({ name, type, required: false });

export const KIND_SPECS: Readonly<Record<ImportKind, KindSpec>> = {
  events: {
    columns: [
      req("timestamp", "timestamp"),
      req("event", "text"),
      req("visitor_id", "text"),
      opt("type", "text"),
      opt("user_id", "text"),
      opt("anonymous_id", "text"),
      opt("url", "text"),
      opt("referrer", "text"),
      opt("utm_source", "text"),
      opt("utm_medium", "text"),
      opt("utm_campaign", "text"),
      opt("utm_content", "text"),
      opt("utm_term", "text"),
      opt("revenue", "amount"),
      opt("currency", "text"),
      opt("order_id", "text"),
      opt("properties", "json"),
      opt("message_id", "text"),
      opt("device", "text"),
      opt("browser", "text"),
      opt("os", "text"),
      opt("country", "text"),
    ],
    extraColumns: "properties",
  },
  costs: {
    columns: [
      req("date", "date"),
      req("campaign", "text"),
      req("spend", "money"),
      opt("channel", "text"),
      opt("impressions", "count"),
      opt("clicks", "count"),
      opt("conversions", "count"),
      opt("currency", "text"),
    ],
    extraColumns: "breakdown",
  },
  email: {
    columns: [
      req("date", "date"),
      req("campaign", "text"),
      req("sent", "count"),
      opt("delivered", "count"),
      opt("opens", "count"),
      opt("clicks", "count"),
      opt("unsubscribes", "count"),
      opt("bounces", "count"),
    ],
    extraColumns: "ignored",
  },
  social: {
    columns: [
      req("date", "date"),
      req("network", "text"),
      opt("posts", "count"),
      opt("reach", "count"),
      opt("impressions", "count"),
      opt("interactions", "count"),
      opt("mentions", "count"),
      opt("followers", "count"),
    ],
    extraColumns: "ignored",
  },
  orders: {
    columns: [
      req("timestamp", "timestamp"),
      req("order_id", "text"),
      req("customer_id", "text"),
      req("revenue", "amount"),
      opt("currency", "text"),
      opt("campaign", "text"),
      opt("visitor_id", "text"),
    ],
    extraColumns: "ignored",
  },
};
