import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Store } from "../../store/store.js";
import { hashToken, isLive, listShares } from "./shares.js";
import { type DashboardUser, findUser, visibleTo } from "./users.js";

/** Sessions are global documents (workspace "", kind "session") by the hash of their cookie's token. */
const SESSION_KIND = "session";
const USER_SESSION_MS = 7 * 86_400_000;

const sessionSchema = z.object({
  user: z.string().nullable(),
  share: z.object({ id: z.string(), workspace: z.string() }).nullable(),
  csrf: z.string(),
  expiresAt: z.string(),
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

/**
 * Session documents never change once written (only deleted), so each server remembers the ones it
 * has read; what they point at (the user, the share link) is read live on every request, so that a
 * removed user or a revoked link stops working at once.
 */
const known = new WeakMap<Store, Map<string, SessionBody>>();

function cacheOf(store: Store): Map<string, SessionBody> {
  let cache = known.get(store);
  if (!cache) {
    cache = new Map();
    known.set(store, cache);
  }
  return cache;
}

async function findSession(store: Store, hash: string): Promise<SessionBody | undefined> {
  const cache = cacheOf(store);
  const cached = cache.get(hash);
  if (cached) return cached;
  // Another server of the same store may have created it: read the documents once.
  for (const doc of await store.listDocuments("", SESSION_KIND)) {
    const parsed = sessionSchema.safeParse(doc.body);
    if (parsed.success) cache.set(doc.id, parsed.data);
  }
  if (cache.size > 100_000) cache.clear();
  return cache.get(hash);
}

/** Opens a session for a user or a share link; returns the cookie's token. */
export async function openSession(
  store: Store,
  who: { user: string } | { share: { id: string; workspace: string; expiresAt: string } },
  now = Date.now(),
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const body: SessionBody = {
    user: "user" in who ? who.user : null,
    share: "share" in who ? { id: who.share.id, workspace: who.share.workspace } : null,
    csrf: randomBytes(24).toString("base64url"),
    expiresAt: new Date(
      "share" in who
        ? Math.min(Date.parse(who.share.expiresAt), now + USER_SESSION_MS)
        : now + USER_SESSION_MS,
    ).toISOString(),
  };
  // Expired sessions are deleted as new ones open, so the documents do not pile up.
  const expired = (await store.listDocuments("", SESSION_KIND))
    .filter((doc) => {
      const parsed = sessionSchema.safeParse(doc.body);
      return !parsed.success || Date.parse(parsed.data.expiresAt) <= now;
    })
    .map((doc) => ({ kind: SESSION_KIND, id: doc.id, body: null }));
  const hash = hashToken(token);
  await store.writeDocuments("", [...expired, { kind: SESSION_KIND, id: hash, body }]);
  const cache = cacheOf(store);
  for (const change of expired) cache.delete(change.id);
  cache.set(hash, body);
  return token;
}

export async function closeSession(store: Store, token: string): Promise<void> {
  const hash = hashToken(token);
  cacheOf(store).delete(hash);
  await store.writeDocuments("", [{ kind: SESSION_KIND, id: hash, body: null }]);
}

/** The principal of a session token, or null when the session, its user or its share link is gone. */
export async function resolveSession(
  store: Store,
  token: string | undefined,
  now = Date.now(),
): Promise<Principal | null> {
  if (!token) return null;
  const session = await findSession(store, hashToken(token));
  if (!session || Date.parse(session.expiresAt) <= now) return null;
  if (session.user !== null) {
    const user = await findUser(store, session.user);
    return user ? { kind: "user", user, csrf: session.csrf } : null;
  }
  if (session.share !== null) {
    const { id, workspace } = session.share;
    const link = (await listShares(store, [workspace])).find((l) => l.id === id);
    if (!link || !isLive(link, now)) return null;
    return { kind: "share", shareId: id, workspace, expiresAt: link.expiresAt, csrf: session.csrf };
  }
  return null;
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
