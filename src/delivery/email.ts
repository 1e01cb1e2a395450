import { UserError } from "../errors.js";
import { DeliveryError } from "./retry.js";

export interface EmailAttachment {
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType: string;
}

/** An e-mail to send: plain text always, HTML and attachments (a report's PDF) when given. */
export interface EmailMessage {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly attachments?: readonly EmailAttachment[];
}

/** Milliseconds to connect to the SMTP server and for each of its answers. */
export const SMTP_TIMEOUT_MS = 10_000;

/**
 * Checks SEXTANT_SMTP_URL (`smtp://user:pass@host:port`, or `smtps://` for TLS from the start;
 * `?from=alerts@example.com` sets the sender). Called at start-up by the CLI.
 */
export function parseSmtpUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UserError("SEXTANT_SMTP_URL is not a URL: write it like smtp://user:password@host:587.", [
      { field: "SEXTANT_SMTP_URL", reason: "not a URL" },
    ]);
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new UserError(`SEXTANT_SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//.`, [
      { field: "SEXTANT_SMTP_URL", reason: "not smtp" },
    ]);
  }
  return url.toString();
}

/** Sends one e-mail through the SMTP server of `smtpUrl`; failures become DeliveryErrors. */
export async function sendEmail(
  smtpUrl: string,
  message: EmailMessage,
  timeoutMs: number = SMTP_TIMEOUT_MS,
): Promise<void> {
  const url = new URL(smtpUrl);
  const from = url.searchParams.get("from") ?? `Sextant <sextant@${url.hostname || "localhost"}>`;
  url.searchParams.delete("from");
  // Loaded on the first send: most commands that read SMTP settings never send.
  const { default: nodemailer } = await import("nodemailer");
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 587,
    secure: url.protocol === "smtps:",
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({
      from,
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      ...(message.html === undefined ? {} : { html: message.html }),
      ...(message.attachments === undefined
        ? {}
        : {
            attachments: message.attachments.map((a) => ({
              filename: a.filename,
              content: a.content,
              contentType: a.contentType,
            })),
          }),
    });
  } catch (error) {
    const e = error as { code?: string; responseCode?: number; message?: string };
    const where = `${url.hostname}:${url.port || (url.protocol === "smtps:" ? 465 : 587)}`;
    if (e.code === "ECONNECTION" || e.code === "ETIMEDOUT" || e.code === "ESOCKET" || e.code === "EDNS") {
      throw new DeliveryError(`Could not reach the SMTP server at ${where} (${e.message ?? e.code}).`);
    }
    if (e.code === "EAUTH") {
      throw new DeliveryError(`The SMTP server at ${where} refused the user name or password.`, false);
    }
    const permanent = typeof e.responseCode === "number" && e.responseCode >= 500;
    throw new DeliveryError(
      `The SMTP server at ${where} refused the message (${e.message ?? e.code}).`,
      !permanent,
    );
  } finally {
    transport.close();
  }
}
