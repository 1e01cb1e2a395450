import type { FastifyRequest } from "fastify";
import { UserError } from "../errors.js";
import type { Workspace } from "../workspace/settings.js";
import { checkWorkspace, presentedKey } from "./auth.js";
import type { ServerContext } from "./context.js";
import { sessionToken } from "./dashboard/cookies.js";
import { csrfMatches, type Principal, readableWorkspaces } from "./dashboard/sessions.js";

/** What a route does with a workspace: read its data and definitions, or change its definitions. */
export type Access = "read" | "admin";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const principals = new WeakMap<FastifyRequest, Promise<Principal | null>>();

/** The dashboard session a request's cookie carries (read once per request), or null. */
export function sessionOf(ctx: ServerContext, request: FastifyRequest): Promise<Principal | null> {
  let found = principals.get(request);
  if (!found) {
    found = ctx.sessions.resolve(sessionToken(request));
    principals.set(request, found);
  }
  return found;
}

/**
 * The workspace a request may use, from the credential it carries: a read (or admin) key reads its
 * own workspace, an admin key also changes it; a signed-in dashboard user reads the workspaces it
 * may see (an admin user all of them, and changes them); a share link reads its one workspace.
 * Every `/api/v1` route resolves its workspace here, so every route works for the dashboard.
 * `requested` is a workspace the request names; any other than the credential's is forbidden.
 */
export async function workspaceFor(
  ctx: ServerContext,
  request: FastifyRequest,
  access: Access,
  requested?: string,
): Promise<Workspace> {
  const secret = presentedKey(request);
  if (secret === undefined) {
    const principal = await sessionOf(ctx, request);
    if (principal) return sessionWorkspace(ctx, request, principal, access, requested);
  }
  const key =
    access === "read"
      ? await ctx.keys.require(secret, "read", "admin")
      : await ctx.keys.require(secret, "admin");
  const workspace = await ctx.workspaces.byName(checkWorkspace(key, requested));
  if (!workspace)
    throw new UserError(
      "The key's workspace no longer exists.",
      [{ field: "workspace", reason: "gone" }],
      404,
    );
  return workspace;
}

/** Every workspace a request may read (the dashboard's switcher; a key's one workspace). */
export async function workspacesFor(ctx: ServerContext, request: FastifyRequest): Promise<Workspace[]> {
  if (presentedKey(request) === undefined) {
    const principal = await sessionOf(ctx, request);
    if (principal) {
      const all = await ctx.workspaces.all();
      const names = readableWorkspaces(
        principal,
        all.map((w) => w.name),
      );
      return all.filter((w) => names.includes(w.name));
    }
  }
  return [await workspaceFor(ctx, request, "read")];
}

async function sessionWorkspace(
  ctx: ServerContext,
  request: FastifyRequest,
  principal: Principal,
  access: Access,
  requested: string | undefined,
): Promise<Workspace> {
  // A cookie is sent by the browser on its own: a state-changing request must also prove it comes
  // from our pages, by echoing the session's CSRF token in a header (double submit).
  if (!SAFE_METHODS.has(request.method)) {
    const given = request.headers["x-csrf-token"];
    if (!csrfMatches(principal.csrf, typeof given === "string" ? given : undefined)) {
      throw new UserError(
        "This request lacks the page's CSRF token (X-CSRF-Token); reload the dashboard and retry.",
        [{ field: "x-csrf-token", reason: "missing or wrong" }],
        403,
      );
    }
  }
  if (access === "admin" && !(principal.kind === "user" && principal.user.role === "admin")) {
    throw new UserError(
      principal.kind === "share"
        ? "A share link is read-only."
        : "Your account may read this workspace but not change it; ask an administrator.",
      [{ field: "session", reason: "read only" }],
      403,
    );
  }
  const all = await ctx.workspaces.all();
  const readable = readableWorkspaces(
    principal,
    all.map((w) => w.name),
  );
  const name = requested ?? readable[0];
  if (name === undefined || !readable.includes(name)) {
    if (requested !== undefined && principal.kind === "user" && principal.user.role === "admin") {
      throw new UserError(
        `There is no workspace "${requested}"; there are: ${readable.join(", ") || "none"}.`,
        [{ field: "workspace", reason: "not found" }],
        404,
      );
    }
    throw new UserError(
      name === undefined
        ? "You may not see any workspace yet; ask an administrator."
        : "You may not see this workspace.",
      [{ field: "workspace", reason: "forbidden" }],
      403,
    );
  }
  const workspace = all.find((w) => w.name === name);
  if (!workspace) throw new Error(`workspace ${name} vanished`);
  return workspace;
}
