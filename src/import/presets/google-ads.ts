import { field, type Preset } from "./preset.js";

/**
 * Google Ads: Campaigns → Download (CSV or "Excel .csv", which is UTF-16 with tabs), segmented by
 * Day. The file starts with the report title and the date range, and ends with "Total: …" rows.
 */
export const googleAds: Preset = {
  name: "google-ads",
  kind: "costs",
  label: "Google Ads",
  channel: "google_ads",
  fields: [
    field("date", "date", ["Day", "Date"], true),
    field("campaign", "text", ["Campaign", "Campaign name"], true),
    field("spend", "number", ["Cost"], true),
    field("impressions", "number", ["Impr.", "Impressions"]),
    field("clicks", "number", ["Clicks"]),
    field("conversions", "number", ["Conversions", "Conv."]),
  ],
  currencyHeaders: ["Currency code", "Currency"],
  dateOrder: "MDY",
};
