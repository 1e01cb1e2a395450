import type { Lang } from "../model/lang.js";

/** A figure in a sentence: at most two decimals, in the language's number format; "—" for none. */
export function num(value: number | null, lang: Lang): string {
  if (value === null) return "—";
  return new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 2 }).format(value);
}
