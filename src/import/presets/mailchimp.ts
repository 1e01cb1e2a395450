import { field, type Preset } from "./preset.js";

/**
 * Mailchimp: Analytics → Reports → Campaigns → Export (the campaigns CSV), one row per campaign.
 * "Send Date" is written "Mar 03, 2026 09:00 am"; bounces are "Total Bounces", or hard plus soft.
 */
export const mailchimp: Preset = {
  name: "mailchimp",
  kind: "email",
  label: "Mailchimp",
  channel: null,
  fields: [
    field("date", "date", ["Send Date"], true),
    field("campaign", "text", ["Title", "Campaign Name", "Campaign Title"], true),
    field("sent", "number", ["Total Recipients", "Emails Sent", "Recipients"], true),
    field("delivered", "number", ["Successful Deliveries", "Delivered"]),
    field("opens", "number", ["Unique Opens"]),
    field("clicks", "number", ["Unique Clicks"]),
    field("unsubscribes", "number", ["Unsubscribes"]),
    field("bounces", "number", ["Total Bounces", ["Hard Bounces", "Soft Bounces"], "Bounces"]),
  ],
  currencyHeaders: [],
  dateOrder: "MDY",
};
