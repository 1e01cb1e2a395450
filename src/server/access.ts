import type { FastifyInstance, FastifyRequest } from "fastify";
import { UserError } from "../errors.js";
import type { ApiKey, KeyKind } from "../model/keys.js";
import type { Workspace } from "../model/workspace.js";
import { checkWorkspace, keyWords, presentedKey } from "./auth.js";
import type { ServerContext } from "./context.js";
import { sessionToken } from "./dashboard/cookies.js";
import { csrfMatches, type Principal, readableWorkspaces } from "./dashboard/sessions.js";
import { type Access, routeRow } from "./route-table.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route: set from its row of the route table (route-table.ts). */
    access?: Access;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The key kinds each level takes (docs/security.md, section Keys). */
const KEY_KINDS_OF: Readonly<Partial<Record<Access, readonly KeyKind[]>>> = {
  read: ["read", "admin"],
  import: ["import", "admin"],
  admin: ["admin"],
};

/** Who a request is, once the gate has checked its credential against the route's level. */
export type Caller =
  | { readonly kind: "key"; readonly key: ApiKey }
  | { readonly kind: "session"; readonly principal: Principal };

const sessions = new WeakMap<FastifyRequest, Promise<Principal | null>>();
const callers = new WeakMap<FastifyRequest, Caller>();

/** The dashboard session a request's cookie carries (read once per request), or null. */
export function sessionOf(ctx: ServerContext, request: FastifyRequest): Promise<Principal | null> {
  let found = sessions.get(request);
  if (!found) {
    found = ctx.sessions.resolve(sessionToken(request));
    sessions.set(request, found);
  }
  return found;
}

/**
 * Gives every route its level from the route table, and refuses to start with a route that has no
 * row: a route cannot ship without saying who may call it. Then checks each request's credential
 * against its route's level before anything else reads the request (the body included). Call it
 * after registering the rate limit and before any route.
 */
export function guardRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // CORS preflights (the ingestion routes') answer headers only.
      if (method === "OPTIONS") continue;
      const row = routeRow(String(method), route.url);
      if (!row)
        throw new Error(
          `${method} ${route.url} has no row in src/server/route-table.ts: say who may call it`,
        );
      route.config = { ...route.config, access: row.access };
      // Routes that check their own credential: Segment's write key may come in the body; the
      // operator's routes check the socket and a token.
      if (row.access === "public" || row.access === "write" || row.access === "operator") continue;
      // A route's own hook, after those registered before (the rate limit: refused credentials
      // count against their address too).
      const gate = async (request: FastifyRequest) => {
        const caller = await admit(ctx, request, row.access);
        callers.set(request, caller);
        // A workspace named in the query string or the path is checked here, before the
        // request's other parameters are: a caller learns nothing of a workspace it may not see.
        for (const named of namedWorkspaces(request)) await workspaceOf(ctx, caller, named);
      };
      route.onRequest = [...[route.onRequest ?? []].flat(), gate];
    }
  });
}

function namedWorkspaces(request: FastifyRequest): string[] {
  const query = (request.query ?? {}) as { workspace?: unknown };
  const params = (request.params ?? {}) as { name?: unknown };
  return [query.workspace, params.name].flat().filter((v): v is string => typeof v === "string");
}

async function admit(ctx: ServerContext, request: FastifyRequest, access: Access): Promise<Caller> {
  const secret = presentedKey(request);
  const kinds = KEY_KINDS_OF[access];
  if (secret !== undefined && kinds) return { kind: "key", key: await ctx.keys.require(secret, kinds) };
  const principal = await sessionOf(ctx, request);
  if (!principal) {
    throw new UserError(
      access === "session"
        ? "You are not signed in: open /login, or a share link."
        : `This route needs ${kinds ? `${keyWords(kinds)}, sent as Authorization: Bearer KEY, or ` : ""}a dashboard session.`,
      [{ field: access === "session" ? "session" : "authorization", reason: "missing credential" }],
      401,
    );
  }
  if ((access === "admin" || access === "import") && !isAdmin(principal)) {
    throw new UserError(
      principal.kind === "share"
        ? "A share link is read-only."
        : "Your account may read this workspace but not change it; ask an administrator.",
      [{ field: "session", reason: "read only" }],
      403,
    );
  }
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
  return { kind: "session", principal };
}

function isAdmin(principal: Principal): boolean {
  return principal.kind === "user" && principal.user.role === "admin";
}

function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) {
    throw new Error(`${request.method} ${request.routeOptions.url} asked for a workspace without its gate`);
  }
  return caller;
}

/**
 * The workspace a request may use, after the gate: a key's own workspace; for a dashboard session,
 * a workspace it may see (an administrator: all of them; a share link: its one workspace), by
 * default the first. `requested` is a workspace the request names; any other than the credential's
 * is forbidden, whether it exists or not.
 */
export async function workspaceFor(
  ctx: ServerContext,
  request: FastifyRequest,
  requested?: string,
): Promise<Workspace> {
  return workspaceOf(ctx, callerOf(request), requested);
}

async function workspaceOf(
  ctx: ServerContext,
  caller: Caller,
  requested: string | undefined,
): Promise<Workspace> {
  if (caller.kind === "session") return sessionWorkspace(ctx, caller.principal, requested);
  const workspace = await ctx.workspaces.byName(checkWorkspace(caller.key, requested));
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
  const caller = callerOf(request);
  if (caller.kind === "key") return [await workspaceFor(ctx, request)];
  const all = await ctx.workspaces.all();
  const names = readableWorkspaces(
    caller.principal,
    all.map((w) => w.name),
  );
  return all.filter((w) => names.includes(w.name));
}

async function sessionWorkspace(
  ctx: ServerContext,
  principal: Principal,
  requested: string | undefined,
): Promise<Workspace> {
  const all = await ctx.workspaces.all();
  const readable = readableWorkspaces(
    principal,
    all.map((w) => w.name),
  );
  const name = requested ?? readable[0];
  if (name === undefined || !readable.includes(name)) {
    if (requested !== undefined && isAdmin(principal)) {
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
