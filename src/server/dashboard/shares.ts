import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { UserError } from "../../errors.js";
import type { Store } from "../../store/store.js";

/** Share links are documents of their workspace (kind "share"); the store keeps the token's hash only. */
const SHARE_KIND = "share";

const shareSchema = z.object({
  hash: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
});

export interface ShareLink {
  readonly id: string;
  readonly workspace: string;
  readonly hash: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** "30d", "12h", "2w" → milliseconds. */
export function parseDuration(text: string, field = "expires"): number {
  const match = /^(\d{1,5})([hdw])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0)
    throw new UserError(`--${field} must be a duration such as 30d, 12h or 2w, not "${text}".`, [
      { field, reason: "invalid duration" },
    ]);
  const unit = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[match[2] as "h" | "d" | "w"];
  return Number(match[1]) * unit;
}

export async function listShares(store: Store, workspaces: readonly string[]): Promise<ShareLink[]> {
  const links: ShareLink[] = [];
  for (const workspace of workspaces) {
    for (const doc of await store.listDocuments(workspace, SHARE_KIND)) {
      const parsed = shareSchema.safeParse(doc.body);
      if (parsed.success) links.push({ id: doc.id, workspace, ...parsed.data });
    }
  }
  return links.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** A new link for one workspace: returns its id and the token (shown once, in the link). */
export async function createShare(
  store: Store,
  workspace: string,
  lifetimeMs: number,
  now = new Date(),
): Promise<{ link: ShareLink; token: string }> {
  const id = `shr_${randomBytes(6).toString("hex")}`;
  const token = randomBytes(24).toString("base64url");
  const link: ShareLink = {
    id,
    workspace,
    hash: hashToken(token),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + lifetimeMs).toISOString(),
    revokedAt: null,
  };
  const { id: _id, workspace: _w, ...body } = link;
  await store.writeDocuments(workspace, [{ kind: SHARE_KIND, id, body }]);
  return { link, token };
}

/** Revokes a link (kept, marked revoked, so that `share list` shows it); false when there is none live. */
export async function revokeShare(store: Store, workspaces: readonly string[], id: string): Promise<boolean> {
  const link = (await listShares(store, workspaces)).find((l) => l.id === id && l.revokedAt === null);
  if (!link) return false;
  const { id: _id, workspace, ...body } = link;
  await store.writeDocuments(workspace, [
    { kind: SHARE_KIND, id, body: { ...body, revokedAt: new Date().toISOString() } },
  ]);
  return true;
}

/** True while a link works: not revoked and not expired. */
export function isLive(link: ShareLink, now = Date.now()): boolean {
  return link.revokedAt === null && Date.parse(link.expiresAt) > now;
}
