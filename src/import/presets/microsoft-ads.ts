import { field, type Preset } from "./preset.js";

/**
 * Microsoft Advertising: Reports → Campaign report (or the Campaigns grid → Download), time unit
 * Day. Downloads start with "Report Name:", "Report Time:"… lines and end with a total row and a
 * "©… Microsoft Corporation" line. The grid uses "Campaign name"/"Impr."/"Conv.", the report
 * builder "CampaignName"/"Impressions"/"Conversions": both are read.
 */
export const microsoftAds: Preset = {
  name: "microsoft-ads",
  kind: "costs",
  label: "Microsoft Advertising",
  channel: "microsoft_ads",
  fields: [
    field("date", "date", ["Gregorian date", "TimePeriod", "Time period", "Day", "Date"], true),
    field("campaign", "text", ["Campaign name", "CampaignName"], true),
    field("spend", "number", ["Spend"], true),
    field("impressions", "number", ["Impr.", "Impressions"]),
    field("clicks", "number", ["Clicks"]),
    field("conversions", "number", ["Conv.", "Conversions"]),
  ],
  currencyHeaders: ["Currency code", "CurrencyCode", "Currency"],
  dateOrder: "MDY",
};
