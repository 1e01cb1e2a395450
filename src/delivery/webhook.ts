import { DeliveryError } from "./retry.js";

export interface WebhookTarget {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Milliseconds a webhook may take to answer before the attempt counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs a JSON body to a webhook. Any 2xx answer is a delivery; another status, a refused
 * connection or no answer within the timeout is a failure, described for the alert history.
 */
export async function postWebhook(
  target: WebhookTarget,
  body: unknown,
  timeoutMs: number = WEBHOOK_TIMEOUT_MS,
): Promise<void> {
  const host = new URL(target.url).host;
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: "POST",
      headers: { ...target.headers, "content-type": "application/json", "user-agent": "Sextant alerts" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw new DeliveryError(`The webhook at ${host} did not answer within ${timeoutMs / 1000} s.`);
    }
    throw new DeliveryError(
      `Could not reach the webhook at ${host}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ""}.`,
    );
  }
  // Read the body so the connection is released, but never show it: it may be long or hostile.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status >= 300) {
    throw new DeliveryError(
      `The webhook at ${host} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`,
      // 4xx other than 408/429 will not change by trying again at once.
      response.status >= 500 || response.status === 408 || response.status === 429,
    );
  }
}
