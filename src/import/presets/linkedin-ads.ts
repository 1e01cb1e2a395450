import { field, type Preset } from "./preset.js";

/**
 * LinkedIn Campaign Manager: Analyze → Campaign performance → Export → "Campaign performance"
 * report, time breakdown Daily. A few lines (report name, range, time zone) come before the header.
 */
export const linkedinAds: Preset = {
  name: "linkedin-ads",
  kind: "costs",
  label: "LinkedIn Campaign Manager",
  channel: "linkedin_ads",
  fields: [
    field("date", "date", ["Start Date (in UTC)", "Start Date"], true),
    field("campaign", "text", ["Campaign Name", "Campaign"], true),
    field("spend", "number", ["Total Spent", "Amount Spent"], true),
    field("impressions", "number", ["Impressions"]),
    field("clicks", "number", ["Clicks"]),
    field("conversions", "number", ["Conversions"]),
  ],
  currencyHeaders: ["Currency"],
  dateOrder: "MDY",
};
