import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { type ClientRequest, request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { forbiddenAddress, forbiddenHost } from "./address-policy.js";
import { DeliveryError } from "./retry.js";

export interface WebhookTarget {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WebhookOptions {
  /** Milliseconds the webhook may take to answer (default WEBHOOK_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** The operator's SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1: loopback, private and link-local targets too. */
  readonly allowPrivateTargets?: boolean;
}

/** Milliseconds a webhook may take to answer before the attempt counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Headers about the connection and the message's framing (RFC 9110 §7.6.1), never taken from a channel. */
const HOP_BY_HOP = new Set([
  "connection",
  "content-length",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Set on the errors of the pinned lookup and of the timer, to tell them from connection errors. */
const REFUSED = "SEXTANT_REFUSED_TARGET";
const TIMEOUT = "SEXTANT_TIMEOUT";

function failure(code: string): Error {
  return Object.assign(new Error(code), { code });
}

/**
 * A lookup that resolves the name once, refuses it if any of its addresses is refused, and hands
 * those same addresses to the connection: DNS cannot answer one address to the check and another
 * to the connect (DNS rebinding). Node asks with `all: true` when it races IPv4 and IPv6.
 */
function pinnedLookup(refused: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const [first] = addresses;
      if (!first || addresses.some((a) => refused(a.address))) return callback(failure(REFUSED), "", 0);
      if (options.all) (callback as (e: null, all: LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

const refuseForbidden = (address: string) => forbiddenAddress(address) !== null;
const refuseNone = () => false;

/** POSTs `payload` and resolves with the status; a redirect is an answer like any other, never followed. */
function post(url: URL, options: RequestOptions, payload: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let request: ClientRequest;
    try {
      request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, options);
    } catch {
      // Node refuses a header name or value that is not valid HTTP before any connection.
      reject(new DeliveryError("delivery failed (a header of the webhook channel is not valid HTTP)", false));
      return;
    }
    const timer = setTimeout(() => request.destroy(failure(TIMEOUT)), timeoutMs);
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on("response", (response) => {
      resolve(response.statusCode ?? 0);
      // Drain the body so the socket closes, but never show it: it may be long or hostile.
      response.resume();
      response.on("end", () => clearTimeout(timer));
      response.on("error", () => clearTimeout(timer));
    });
    request.end(payload);
  });
}

/**
 * POSTs a JSON body to a webhook. Any 2xx answer is a delivery. Unless the operator allows private
 * targets, a URL whose host is, or resolves to, a loopback, private, link-local or metadata
 * address is refused (docs/alerts.md). Failures read "delivery failed (…)" with the HTTP status,
 * "timeout", "refused target" or "connection error" only: the alert history is readable with a
 * read key, and must not tell a closed port from a missing host (OWASP ASVS 4.0 V12.6.1).
 */
export async function postWebhook(
  target: WebhookTarget,
  body: unknown,
  options: WebhookOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const allowPrivate = options.allowPrivateTargets === true;
  const url = new URL(target.url);
  // An IP literal never reaches the lookup: it is checked here, as are names such as localhost.
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    (!allowPrivate && forbiddenHost(url) !== null)
  ) {
    throw refusedTarget();
  }
  const payload = JSON.stringify(body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers ?? {})) {
    // Framing is Sextant's to set: a configured Transfer-Encoding or Connection would contradict it.
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  Object.assign(headers, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
    "user-agent": "Sextant alerts",
  });
  let status: number;
  try {
    status = await post(
      url,
      // The same lookup either way, so that the one path deliveries take is the one tests take.
      {
        method: "POST",
        headers,
        agent: false,
        lookup: pinnedLookup(allowPrivate ? refuseNone : refuseForbidden),
      },
      payload,
      timeoutMs,
    );
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === REFUSED) throw refusedTarget();
    if (code === TIMEOUT) throw new DeliveryError("delivery failed (timeout)");
    throw new DeliveryError("delivery failed (connection error)");
  }
  if (status >= 200 && status < 300) return;
  if (status >= 300 && status < 400) {
    throw new DeliveryError(`delivery failed (HTTP ${status}; redirects are not followed)`, false);
  }
  // 4xx other than 408/429 will not change by trying again at once.
  throw new DeliveryError(
    `delivery failed (HTTP ${status})`,
    status >= 500 || status === 408 || status === 429,
  );
}

function refusedTarget(): DeliveryError {
  return new DeliveryError(
    "delivery failed (refused target: loopback, private and link-local addresses are refused unless the operator sets SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1)",
    false,
  );
}
