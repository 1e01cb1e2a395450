import type { FastifyRequest } from "fastify";
import { UserError } from "../errors.js";
import type { Workspace } from "../workspace/settings.js";
import { checkWorkspace, presentedKey } from "./auth.js";
import type { ServerContext } from "./context.js";

/** What a route does with a workspace: read its data and definitions, or change its definitions. */
export type Access = "read" | "admin";

/**
 * The workspace a request may use, from the credential it carries: a read (or admin) key reads its
 * own workspace, an admin key also changes it. Every `/api/v1` route resolves its workspace here,
 * so a new kind of credential (a dashboard session, a share link) is added in one place.
 * `requested` is a workspace the request names; any other than the credential's is forbidden.
 */
export async function workspaceFor(
  ctx: ServerContext,
  request: FastifyRequest,
  access: Access,
  requested?: string,
): Promise<Workspace> {
  const secret = presentedKey(request);
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
