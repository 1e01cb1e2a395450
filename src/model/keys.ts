import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * What each kind reaches (docs/security.md, section Keys): write sends events and nothing else (it
 * is public: Segment's browser library puts it in web pages); import uploads files (costs, orders,
 * e-mail, social, events) from a server or a scheduled job; read reads KPIs and definitions; admin
 * reads, imports, and changes its workspace (definitions, channels, keys, schedules, people).
 */
export const KEY_KINDS = ["write", "import", "read", "admin"] as const;
export type KeyKind = (typeof KEY_KINDS)[number];
export const keyKindSchema = z.enum(KEY_KINDS);

/** A stored kind as a key kind; anything else (a row from a future version, say) is no key at all. */
export function storedKeyKind(value: unknown): KeyKind | null {
  const parsed = keyKindSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** What the store keeps of a key: never the secret, only its SHA-256. */
export interface ApiKey {
  readonly id: string;
  readonly workspace: string;
  readonly kind: KeyKind;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** A new key: its id (shown in lists) and the secret (shown once). */
export interface NewKey {
  readonly id: string;
  readonly secret: string;
  readonly hash: string;
}

/**
 * Keys are 192 random bits, so a plain SHA-256 is enough to store them (no password stretching
 * needed: nothing to brute-force). The prefix says the kind, as Stripe's keys do.
 */
export function generateKey(kind: KeyKind): NewKey {
  const id = `key_${randomBytes(6).toString("hex")}`;
  const secret = `sx${kind[0]}_${randomBytes(24).toString("base64url")}`;
  return { id, secret, hash: hashKey(secret) };
}

export function hashKey(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
