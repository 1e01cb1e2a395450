import { field, type Preset } from "./preset.js";

/**
 * Meta Ads Manager: Campaigns tab → Reports → Export table data (.csv), Breakdown → By time → Day.
 * "Amount spent (EUR)" carries the account's currency; "Results" are the campaign's optimisation
 * events, read as its conversions. The optional summary row has no campaign name.
 */
export const metaAds: Preset = {
  name: "meta-ads",
  kind: "costs",
  label: "Meta Ads Manager",
  channel: "meta_ads",
  fields: [
    field("date", "date", ["Day", "Reporting starts"], true),
    field("campaign", "text", ["Campaign name"], true),
    field("spend", "number", ["Amount spent"], true),
    field("impressions", "number", ["Impressions"]),
    field("clicks", "number", ["Link clicks", "Clicks (all)"]),
    field("conversions", "number", ["Results"]),
  ],
  currencyHeaders: ["Currency"],
  dateOrder: "MDY",
  range: {
    start: "Reporting starts",
    end: "Reporting ends",
    hint: "export it again with Breakdown → By time → Day",
  },
  isSummaryRow: (values) => (values.get("campaign") ?? "").trim() === "",
};
