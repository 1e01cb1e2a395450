/** How a delivery is retried at once: `attempts` tries, waiting backoffMs, 2·backoffMs, … between them. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffMs: number;
  /** How to wait (tests pass one that does not). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 500 };

/** One try at delivering: when, and why it failed (null when it succeeded). */
export interface Attempt {
  readonly at: string;
  readonly error: string | null;
}

export interface DeliveryOutcome {
  readonly delivered: boolean;
  readonly attempts: readonly Attempt[];
}

/**
 * A failure of a delivery, worded for the person who reads the alert history. `retryable: false`
 * (a channel not configured, an address refused) is not tried again at once: only a change of
 * configuration or a later run can help.
 */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";

  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
  }
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `send` until it succeeds or the policy's attempts are spent, with exponential back-off. */
export async function withRetries(
  send: () => Promise<void>,
  policy: RetryPolicy,
  now: () => Date = () => new Date(),
): Promise<DeliveryOutcome> {
  const attempts: Attempt[] = [];
  const sleep = policy.sleep ?? wait;
  for (let i = 0; i < Math.max(1, policy.attempts); i++) {
    if (i > 0) await sleep(policy.backoffMs * 2 ** (i - 1));
    const at = now().toISOString();
    try {
      await send();
      attempts.push({ at, error: null });
      return { delivered: true, attempts };
    } catch (error) {
      attempts.push({ at, error: describeFailure(error) });
      if (error instanceof DeliveryError && !error.retryable) break;
    }
  }
  return { delivered: false, attempts };
}

/** A sentence for a failure of fetch, nodemailer or a DeliveryError. */
export function describeFailure(error: unknown): string {
  if (error instanceof DeliveryError) return error.message;
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const code = (error as Error & { code?: unknown }).code;
    const causeText = cause instanceof Error ? cause.message : "";
    return [error.message, causeText, typeof code === "string" && !error.message.includes(code) ? code : ""]
      .filter(Boolean)
      .join(": ");
  }
  return String(error);
}
