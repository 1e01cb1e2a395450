import type { DateOrder } from "./dates.js";

export const PRESET_NAMES = ["google-ads", "meta-ads", "linkedin-ads", "microsoft-ads", "mailchimp"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * Where a docs/importing.md#columns column comes from in a platform's export. `headers` are alternatives, best
 * first, spelled as the platform does and compared in any case with spaces collapsed and a currency code in parentheses removed
 * ("Amount spent (EUR)" is "amount spent"); an alternative that is a list is the sum of its columns
 * (Mailchimp's hard and soft bounces).
 */
export interface FieldRule {
  readonly target: string;
  readonly type: "date" | "text" | "number";
  readonly headers: readonly (string | readonly string[])[];
  /** Needed to recognise the export and to read a row. */
  readonly required: boolean;
}

/** One platform's export as it is downloaded: its columns and how to read them. */
export interface Preset {
  readonly name: PresetName;
  readonly kind: "costs" | "email";
  /** The platform's label, for sentences ("a Google Ads export"). */
  readonly label: string;
  /** Written on every row of a cost export (docs/importing.md#columns). */
  readonly channel: string | null;
  readonly fields: readonly FieldRule[];
  /** Columns that name the currency of each row ("Currency code"). */
  readonly currencyHeaders: readonly string[];
  /** Numeric dates when nothing in the file says otherwise (the platform's own default). */
  readonly dateOrder: DateOrder;
  /**
   * When the date is read from the first of these columns (no day column), the row must cover one
   * day: the second must hold the same date (Meta's "Reporting starts"/"Reporting ends").
   */
  readonly range?: { readonly start: string; readonly end: string; readonly hint: string };
  /** Rows that add up other rows in a way the first cell does not say ("Total: …" always is one). */
  readonly isSummaryRow?: (values: ReadonlyMap<string, string>) => boolean;
}

export const field = (
  target: string,
  type: FieldRule["type"],
  headers: FieldRule["headers"],
  required = false,
): FieldRule => ({ target, type, headers, required });
