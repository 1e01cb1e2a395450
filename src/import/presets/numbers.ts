/**
 * Numbers as ad platforms and spreadsheets write them: "15,320", "1.234,56", "€1,234.56",
 * "1 234,56 €", "2.53%", "--". One decimal separator per file (see `decimalEvidence`), so that
 * "1,234" is never read as 1234 in one row and 1.234 in another.
 */

export type DecimalSeparator = "." | ",";

/** A parsed cell: `value` null means "none" (empty, `--`); `symbol` is a currency sign or code seen. */
export interface ParsedNumber {
  readonly value: number | null;
  readonly percent: boolean;
  readonly symbol: string | null;
}

const NONE = new Set(["", "-", "--", "—", "–", "n/a", "N/A"]);
// Spaces used as thousands separators: ordinary, no-break and narrow no-break (fr, de-CH…), and '.
const GROUP_SPACES = /[\s\u00a0\u202f']/g;
const LEADING_SYMBOL = /^(?:[A-Z]{3}\s?|[A-Z]{0,2}\p{Sc}\s?)/u;
const TRAILING_SYMBOL = /(?:\s?\p{Sc}|\s[A-Z]{3})$/u;

/** Reads one cell, or returns a reason why it is not a number. */
export function parseNumber(raw: string, decimal: DecimalSeparator): ParsedNumber | { error: string } {
  let text = raw.trim();
  if (NONE.has(text)) return { value: null, percent: false, symbol: null };
  let symbol: string | null = null;
  let negative = false;
  if (text.startsWith("(") && text.endsWith(")")) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  if (text.startsWith("-")) {
    negative = true;
    text = text.slice(1).trim();
  }
  const lead = LEADING_SYMBOL.exec(text);
  if (lead && /\d/.test(text.slice(lead[0].length, lead[0].length + 1))) {
    symbol = lead[0].trim();
    text = text.slice(lead[0].length);
  }
  const trail = TRAILING_SYMBOL.exec(text);
  if (trail) {
    symbol = trail[0].trim();
    text = text.slice(0, -trail[0].length);
  }
  let percent = false;
  if (text.endsWith("%")) {
    percent = true;
    text = text.slice(0, -1).trim();
  }
  if (text.startsWith("-")) {
    negative = true;
    text = text.slice(1);
  }
  text = text.replace(GROUP_SPACES, "");
  const group = decimal === "." ? "," : ".";
  const g = group === "." ? "\\." : ",";
  const dsep = decimal === "." ? "\\." : ",";
  const grouped = new RegExp(`^\\d{1,3}(?:${g}\\d{3})+(?:${dsep}\\d+)?$`);
  const plain = new RegExp(`^\\d+(?:${dsep}\\d+)?$|^${dsep}\\d+$`);
  if (!grouped.test(text) && !plain.test(text)) {
    return {
      error: `"${raw.trim()}" is not a number written with "${decimal}" as the decimal separator, as the rest of this file is`,
    };
  }
  const canonical = text.split(group).join("").replace(decimal, ".");
  const value = Number(canonical);
  return { value: negative && value !== 0 ? -value : value, percent, symbol };
}

/**
 * What a cell says about the file's decimal separator: "1.234,56" or "2,5" say comma, "1,234.56"
 * or "2.53" say point, "1,234" or "1.234" say nothing (a thousands group or three decimals).
 */
export function decimalEvidence(raw: string): DecimalSeparator | null {
  const text = raw.replace(/[^\d.,]/g, "");
  const lastDot = text.lastIndexOf(".");
  const lastComma = text.lastIndexOf(",");
  if (lastDot >= 0 && lastComma >= 0) return lastDot > lastComma ? "." : ",";
  const last = Math.max(lastDot, lastComma);
  if (last < 0) return null;
  const sep = text.charAt(last) as DecimalSeparator;
  const digitsAfter = text.length - last - 1;
  const occurrences = text.split(sep).length - 1;
  // "1,234,567" (several) is grouping: the other separator is the decimal one.
  if (occurrences > 1) return sep === "." ? "," : ".";
  // Three digits after one separator may be a thousands group, unless the integer part is 0.
  return digitsAfter === 3 && last > 0 && !text.startsWith("0") ? null : sep;
}

/** Currencies a sign may stand for, to compare with a workspace's ISO code. */
const SYMBOLS: Readonly<Record<string, readonly string[]>> = {
  "€": ["EUR"],
  "£": ["GBP"],
  "¥": ["JPY", "CNY"],
  "₹": ["INR"],
  "₩": ["KRW"],
  "₺": ["TRY"],
  "₽": ["RUB"],
  "₪": ["ILS"],
  "₫": ["VND"],
  "₴": ["UAH"],
  "₱": ["PHP"],
  "฿": ["THB"],
  $: ["USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD", "ARS", "CLP", "COP", "TWD"],
  US$: ["USD"],
  CA$: ["CAD"],
  A$: ["AUD"],
  AU$: ["AUD"],
  NZ$: ["NZD"],
  HK$: ["HKD"],
  R$: ["BRL"],
};

/** True when a sign or ISO code written in a cell can be the workspace's currency. */
export function symbolMatches(symbol: string, currency: string): boolean {
  if (/^[A-Z]{3}$/.test(symbol)) return symbol === currency.toUpperCase();
  const candidates = SYMBOLS[symbol];
  return candidates === undefined || candidates.includes(currency.toUpperCase());
}
