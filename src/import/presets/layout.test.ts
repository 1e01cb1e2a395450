import { describe, expect, it } from "vitest";
import { PRESET_NAMES, PRESETS } from "./index.js";
import { findLayout } from "./layout.js";

const all = PRESET_NAMES.map((n) => PRESETS[n]);
const head = (...lines: string[]) => ({ encoding: "utf-8" as const, lines });

describe("recognising an export by its header", () => {
  it.each([
    [
      "google-ads",
      3,
      ",",
      [
        "Campaign report",
        '"March 1, 2026 - March 31, 2026"',
        "Day,Campaign,Currency code,Cost,Impr.,Clicks,Conversions",
      ],
    ],
    ["google-ads", 1, "\t", ["Campaign\tDay\tCost (USD)\tImpr.\tClicks"]],
    [
      "meta-ads",
      1,
      ";",
      ["Reporting starts;Reporting ends;Campaign name;Amount spent (EUR);Impressions;Results"],
    ],
    [
      "linkedin-ads",
      2,
      ",",
      [
        "Campaign Performance Report (in UTC)",
        "Start Date (in UTC),Campaign Name,Currency,Total Spent,Impressions",
      ],
    ],
    [
      "microsoft-ads",
      3,
      ",",
      [
        '"Report Name: Campaign performance"',
        "",
        '"TimePeriod","CampaignName","Spend","Impressions","Clicks","Conversions","CurrencyCode"',
      ],
    ],
    [
      "mailchimp",
      1,
      ",",
      ["Title,Subject,Send Date,Total Recipients,Successful Deliveries,Unique Opens,Unique Clicks"],
    ],
  ])("finds %s on line %i with %j", (name, line, delimiter, lines) => {
    const layout = findLayout(head(...(lines as string[])), all);
    expect(layout?.preset.name).toBe(name);
    expect(layout?.headerLine).toBe(line);
    expect(layout?.delimiter).toBe(delimiter);
  });

  it("reads a currency code written in a header and the columns that are added up", () => {
    const meta = findLayout(head("Campaign name,Day,Amount spent (USD),Impressions"), all);
    expect(meta?.headerCurrency).toEqual({ code: "USD", header: "Amount spent (USD)" });
    const mailchimp = findLayout(head("Title,Send Date,Total Recipients,Hard Bounces,Soft Bounces"), all);
    expect(mailchimp?.sources.get("bounces")).toEqual([3, 4]);
  });

  it.each([
    ["a plain SPEC costs file", "date,campaign,spend,impressions,clicks"],
    ["a plain SPEC email file", "date,campaign,sent,delivered,opens,clicks"],
    ["a Google Ads report without the Day segment", "Campaign,Currency code,Cost,Impr.,Clicks"],
    ["an unrelated file", "Order,Customer,Total"],
  ])("recognises nothing in %s", (_what, line) => {
    expect(findLayout(head(line), all)).toBeNull();
  });
});
