/**
 * Failed sign-ins per user name, beside the limit per client address: guesses spread over many
 * addresses still slow down (OWASP ASVS 4.0 V2.2.1; Metabase and Plausible do the same). After a
 * few free failures each further one locks the name for a window that doubles, up to a small
 * maximum, so that an attacker can delay the real user but never lock them out for good; attempts
 * while locked are refused unchecked and do not lengthen the lock; a successful sign-in resets it.
 */
export interface ThrottlePolicy {
  /** Failures allowed before the first lock. */
  readonly freeFailures: number;
  readonly firstLockMs: number;
  readonly maxLockMs: number;
  /** A name with no failure for this long starts afresh. */
  readonly forgetMs: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  firstLockMs: 60_000,
  maxLockMs: 15 * 60_000,
  forgetMs: 24 * 3_600_000,
};

/** Names remembered at most; past it the oldest is forgotten first (memory stays bounded). */
const MAX_NAMES = 50_000;

interface Failures {
  count: number;
  lastAt: number;
  lockedUntil: number;
}

/** Failed sign-ins of one server, by user name (known or not: both behave the same). */
export class LoginThrottle {
  private readonly byName = new Map<string, Failures>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
  ) {}

  /** Milliseconds before this name may try again; 0 when it may now. */
  waitMs(name: string): number {
    const entry = this.entry(name);
    return entry ? Math.max(0, entry.lockedUntil - this.now()) : 0;
  }

  /**
   * Counts a sign-in attempt as failed until `succeeded` says otherwise, before its password is
   * checked, so that guesses sent side by side count before bcrypt answers; past the free
   * failures, locks the name for a doubling window.
   */
  attempt(name: string): void {
    const now = this.now();
    const entry = this.entry(name) ?? { count: 0, lastAt: now, lockedUntil: 0 };
    entry.count += 1;
    entry.lastAt = now;
    const over = entry.count - this.policy.freeFailures;
    if (over > 0) {
      const lock = Math.min(this.policy.maxLockMs, this.policy.firstLockMs * 2 ** Math.min(over - 1, 30));
      entry.lockedUntil = now + lock;
    }
    this.byName.delete(name);
    if (this.byName.size >= MAX_NAMES) {
      const oldest = this.byName.keys().next().value;
      if (oldest !== undefined) this.byName.delete(oldest);
    }
    // Re-inserted, so that the map stays in order of the last failure.
    this.byName.set(name, entry);
  }

  /** A successful sign-in forgets the name's failures. */
  succeeded(name: string): void {
    this.byName.delete(name);
  }

  private entry(name: string): Failures | undefined {
    const entry = this.byName.get(name);
    if (entry && this.now() - entry.lastAt > this.policy.forgetMs && entry.lockedUntil <= this.now()) {
      this.byName.delete(name);
      return undefined;
    }
    return entry;
  }
}
