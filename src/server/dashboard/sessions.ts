import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Store } from "../../store/store.js";
import { hashToken, isLive, listShares } from "./shares.js";
import { type DashboardUser, findUser, visibleTo } from "./users.js";

/** Sessions are global documents (workspace "", kind "session") by the hash of their cookie's token. */
const SESSION_KIND = "session";
/** A share link's session lasts until its link expires, at most this long (then the link opens it again). */
const SHARE_SESSION_MS = 7 * 86_400_000;

/**
 * How long a user's session lives (OWASP ASVS 4.0 V3.3.1–V3.3.2; see docs/security.md). A share
 * link's session ends with its link (or after 7 days): the link itself is the credential, and it
 * can be opened again.
 */
export interface SessionPolicy {
  /** A user signs in again this long after signing in, however busy the session was. */
  readonly absoluteMs: number;
  /** …or after this long without a request. */
  readonly idleMs: number;
  /** How long a server trusts its copy of the session documents (a sign-out on another server of the same store takes effect within it). */
  readonly cacheMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  absoluteMs: 12 * 3_600_000,
  idleMs: 30 * 60_000,
  cacheMs: 5_000,
};

const sessionSchema = z.object({
  user: z.string().nullable(),
  share: z.object({ id: z.string(), workspace: z.string() }).nullable(),
  csrf: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastSeenAt: z.string(),
  /** A user session's fingerprint of the password hash it was opened with: a new password ends it. */
  passwordStamp: z.string().nullable(),
});
type SessionBody = z.infer<typeof sessionSchema>;

/** Who a dashboard session is, once checked against the live users and share links. */
export type Principal =
  | { readonly kind: "user"; readonly user: DashboardUser; readonly csrf: string }
  | {
      readonly kind: "share";
      readonly shareId: string;
      readonly workspace: string;
      readonly expiresAt: string;
      readonly csrf: string;
    };

/** A short fingerprint of a password hash: sessions store it, never the hash itself. */
function passwordStamp(hash: string): string {
  return createHash("sha256").update(hash).digest("base64url").slice(0, 22);
}

/**
 * The dashboard sessions of one server. Each server keeps a copy of the session documents for
 * `cacheMs` only, so that a sign-out, a password change or a removed user on another server of
 * a shared store is seen within seconds; what a session points at (the user, the share link) is
 * read live on every request.
 */
export class Sessions {
  private snapshot: {
    at: number;
    byHash: Map<string, SessionBody>;
    /** Documents of an older version, or unreadable: dead sessions, deleted as others open. */
    unreadable: string[];
  } | null = null;

  constructor(
    private readonly store: Store,
    readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session for a user or a share link; returns the cookie's token and its lifetime. */
  async open(
    who: { user: DashboardUser } | { share: { id: string; workspace: string; expiresAt: string } },
  ): Promise<{ token: string; maxAgeSeconds: number }> {
    const now = this.now();
    const token = randomBytes(32).toString("base64url");
    const expiresAt =
      "share" in who
        ? Math.min(Date.parse(who.share.expiresAt), now + SHARE_SESSION_MS)
        : now + this.policy.absoluteMs;
    const body: SessionBody = {
      user: "user" in who ? who.user.name : null,
      share: "share" in who ? { id: who.share.id, workspace: who.share.workspace } : null,
      csrf: randomBytes(24).toString("base64url"),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
      lastSeenAt: new Date(now).toISOString(),
      passwordStamp: "user" in who ? passwordStamp(who.user.hash) : null,
    };
    // Dead sessions are deleted as new ones open, so the documents do not pile up.
    const byHash = await this.reload(now);
    const dead = [
      ...(this.snapshot?.unreadable ?? []),
      ...[...byHash].filter(([, s]) => !this.alive(s, now)).map(([hash]) => hash),
    ];
    const hash = hashToken(token);
    await this.store.writeDocuments("", [
      ...dead.map((id) => ({ kind: SESSION_KIND, id, body: null })),
      { kind: SESSION_KIND, id: hash, body },
    ]);
    for (const id of dead) byHash.delete(id);
    byHash.set(hash, body);
    return { token, maxAgeSeconds: Math.max(1, Math.floor((expiresAt - now) / 1000)) };
  }

  /** Ends the session of a token (sign-out). */
  async close(token: string): Promise<void> {
    const hash = hashToken(token);
    this.snapshot?.byHash.delete(hash);
    await this.store.writeDocuments("", [{ kind: SESSION_KIND, id: hash, body: null }]);
  }

  /** The principal of a session token, or null when the session, its user or its share link is gone. */
  async resolve(token: string | undefined): Promise<Principal | null> {
    if (!token) return null;
    const hash = hashToken(token);
    const session = await this.find(hash);
    if (!session) return null;
    const now = this.now();
    if (!this.alive(session, now)) {
      await this.drop(hash);
      return null;
    }
    if (session.user !== null) {
      const user = await findUser(this.store, session.user);
      if (!user || passwordStamp(user.hash) !== session.passwordStamp) {
        await this.drop(hash);
        return null;
      }
      await this.touch(hash, session, now);
      return { kind: "user", user, csrf: session.csrf };
    }
    if (session.share !== null) {
      const { id, workspace } = session.share;
      const link = (await listShares(this.store, [workspace])).find((l) => l.id === id);
      if (!link || !isLive(link, now)) return null;
      return { kind: "share", shareId: id, workspace, expiresAt: link.expiresAt, csrf: session.csrf };
    }
    return null;
  }

  /**
   * Within its absolute lifetime and, for a user's session, used within the idle timeout; both
   * measured with today's policy too, so that shorter lifetimes apply to sessions already open.
   */
  private alive(session: SessionBody, now: number): boolean {
    if (Date.parse(session.expiresAt) <= now) return false;
    if (session.user === null) return true;
    return (
      now - Date.parse(session.createdAt) < this.policy.absoluteMs &&
      now - Date.parse(session.lastSeenAt) < this.policy.idleMs
    );
  }

  /**
   * Records that a session was used, in the store so that every server sees it; at most once a
   * minute (or a tenth of the idle timeout), so that reads do not become writes.
   */
  private async touch(hash: string, session: SessionBody, now: number): Promise<void> {
    if (now - Date.parse(session.lastSeenAt) < Math.min(60_000, this.policy.idleMs / 10)) return;
    const body = { ...session, lastSeenAt: new Date(now).toISOString() };
    this.snapshot?.byHash.set(hash, body);
    await this.store.writeDocuments("", [{ kind: SESSION_KIND, id: hash, body }]);
  }

  private async drop(hash: string): Promise<void> {
    this.snapshot?.byHash.delete(hash);
    await this.store.writeDocuments("", [{ kind: SESSION_KIND, id: hash, body: null }]);
  }

  private async find(hash: string): Promise<SessionBody | undefined> {
    const now = this.now();
    const fresh = this.snapshot !== null && now - this.snapshot.at < this.policy.cacheMs;
    const cached = fresh ? this.snapshot?.byHash.get(hash) : undefined;
    if (cached) return cached;
    // Another server of the same store may have created it, or changed it: read the documents again.
    return (await this.reload(now)).get(hash);
  }

  private async reload(now: number): Promise<Map<string, SessionBody>> {
    const byHash = new Map<string, SessionBody>();
    const unreadable: string[] = [];
    for (const doc of await this.store.listDocuments("", SESSION_KIND)) {
      const parsed = sessionSchema.safeParse(doc.body);
      if (parsed.success) byHash.set(doc.id, parsed.data);
      else unreadable.push(doc.id);
    }
    this.snapshot = { at: now, byHash, unreadable };
    return byHash;
  }
}

/** Ends every session of a user (a new password, a removed account), on every server of the store. */
export async function closeUserSessions(store: Store, user: string): Promise<number> {
  const ids = (await store.listDocuments("", SESSION_KIND))
    .filter((doc) => {
      const parsed = sessionSchema.safeParse(doc.body);
      return parsed.success && parsed.data.user === user;
    })
    .map((doc) => doc.id);
  if (ids.length)
    await store.writeDocuments(
      "",
      ids.map((id) => ({ kind: SESSION_KIND, id, body: null })),
    );
  return ids.length;
}

/** The workspaces a principal may read, among those that exist. */
export function readableWorkspaces(principal: Principal, all: readonly string[]): string[] {
  return principal.kind === "user"
    ? visibleTo(principal.user, all)
    : all.filter((w) => w === principal.workspace);
}

/** Compares a presented CSRF token with the session's in constant time. */
export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
