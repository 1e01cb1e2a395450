import { createHash } from "node:crypto";

/** Where daily salts live; the store keeps them so a restart does not split a day's visitors. */
export interface SaltSource {
  dailySalt(day: string): Promise<string>;
}

/**
 * Plausible's cookieless visitor id: a hash of (daily salt, domain, IP, User-Agent). The IP is
 * never stored, and the salt changes every day, so a visitor cannot be followed across days.
 * https://plausible.io/data-policy#how-we-count-unique-users-without-cookies
 */
export class VisitorHasher {
  private cached: { day: string; salt: string } | null = null;

  constructor(private readonly salts: SaltSource) {}

  async visitorId(domain: string, ip: string, userAgent: string, now: Date): Promise<string> {
    const day = now.toISOString().slice(0, 10);
    if (this.cached?.day !== day) this.cached = { day, salt: await this.salts.dailySalt(day) };
    const digest = createHash("sha256")
      .update(`${this.cached.salt}\u0000${domain}\u0000${ip}\u0000${userAgent}`)
      .digest("hex");
    return `h_${digest.slice(0, 32)}`;
  }
}
