/** The languages of the dashboard, the reports and the CLI's sentences (docs/reports.md). */
export const LANGS = ["en", "fr"] as const;
export type Lang = (typeof LANGS)[number];
