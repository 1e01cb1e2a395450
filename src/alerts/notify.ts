import { emailChannelSchema, webhookChannelSchema } from "../definitions/schemas.js";
import { type EmailMessage, sendEmail } from "../delivery/email.js";
import { DeliveryError, type DeliveryOutcome, type RetryPolicy, withRetries } from "../delivery/retry.js";
import { postWebhook } from "../delivery/webhook.js";
import type { StoredDocument } from "../store/store.js";

/** What a notification says, kept with the firing so that a later retry sends the same thing. */
export interface Notice {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The structured fields posted to webhooks beside `text`. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * How alerts reach people: the SMTP server (SEXTANT_SMTP_URL, read by the CLI), the retry policy,
 * and whether webhooks may go to private addresses (SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1).
 */
export interface DeliveryConfig {
  readonly smtpUrl?: string;
  readonly retry: RetryPolicy;
  readonly webhookTimeoutMs?: number;
  readonly smtpTimeoutMs?: number;
  readonly allowPrivateTargets?: boolean;
}

/** Slack's escaping of message text: only &, < and > are special (api.slack.com "Formatting text"). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function htmlEscape(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Sends a notice to one channel (webhook or email) with the immediate retries of the policy. */
export async function deliver(
  channel: "webhook" | "email",
  notice: Notice,
  channelDocs: readonly StoredDocument[],
  config: DeliveryConfig,
): Promise<DeliveryOutcome> {
  const doc = channelDocs.find((c) => c.id === channel);
  return withRetries(async () => {
    if (!doc) {
      throw new DeliveryError(
        `No ${channel} channel is configured: add channels.${channel} to the configuration.`,
        false,
      );
    }
    if (channel === "webhook") {
      const target = webhookChannelSchema.safeParse(doc.body);
      if (!target.success) throw new DeliveryError("The webhook channel has no valid url.", false);
      await postWebhook(
        target.data,
        { text: slackEscape(notice.text), ...notice.fields },
        {
          ...(config.webhookTimeoutMs === undefined ? {} : { timeoutMs: config.webhookTimeoutMs }),
          allowPrivateTargets: config.allowPrivateTargets === true,
        },
      );
      return;
    }
    const target = emailChannelSchema.safeParse(doc.body);
    if (!target.success) throw new DeliveryError("The email channel has no valid list of addresses.", false);
    if (!config.smtpUrl) {
      throw new DeliveryError(
        "No SMTP server is set: set SEXTANT_SMTP_URL=smtp://user:password@host:port where Sextant runs.",
        false,
      );
    }
    const message: EmailMessage = {
      to: target.data.to,
      subject: notice.subject,
      text: notice.text,
      html: notice.html,
    };
    await sendEmail(config.smtpUrl, message, config.smtpTimeoutMs);
  }, config.retry);
}
