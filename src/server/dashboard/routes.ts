import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { UserError } from "../../errors.js";
import { KPI_CATALOG } from "../../kpi/catalog.js";
import type { Lang } from "../../model/lang.js";
import { parseOrThrow } from "../../validation.js";
import { sessionOf, workspaceFor, workspacesFor } from "../access.js";
import type { ServerContext } from "../context.js";
import { APP_PAGES } from "../route-table.js";
import { LOGIN_COOKIE, readCookie, SESSION_COOKIE, sessionToken, setCookie } from "./cookies.js";
import { LoginThrottle } from "./login-throttle.js";
import { safeNext } from "./next-path.js";
import { type LoginError, loginPage, messagePage, PAGE_CSS, securityHeaders } from "./pages.js";
import { verifyPassword } from "./passwords.js";
import { csrfMatches } from "./sessions.js";
import { hashToken, isLive, listShares } from "./shares.js";
import { findUser } from "./users.js";

/**
 * Where `npm run build` puts the web app (dist/web): next to the compiled server when this file runs
 * from dist/, and in the repository's dist/ when it runs from source (tests).
 */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const repoOrDist = join(here, "..", "..", "..");
  return existsSync(join(repoOrDist, "src")) && existsSync(join(repoOrDist, "package.json"))
    ? join(repoOrDist, "dist", "web")
    : join(repoOrDist, "web");
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  woff2: "font/woff2",
  json: "application/json",
};

const loginForm = z.object({
  username: z.string().max(200).default(""),
  password: z.string().max(1000).default(""),
  csrf: z.string().max(200).default(""),
  next: z.string().max(2000).default("/"),
});

function preferredLanguage(request: FastifyRequest): Lang {
  return /^fr\b/i.test(request.headers["accept-language"] ?? "") ? "fr" : "en";
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return securityHeaders(reply)
    .status(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(body);
}

/** Sign-in, sign-out, share links, the session and catalog APIs, and the single-page app itself. */
export function dashboardRoutes(app: FastifyInstance, ctx: ServerContext, webRoot = defaultWebRoot()): void {
  // The sign-in form posts as a browser form does.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 16 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  const sendLogin = (
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    status = 200,
    error?: LoginError,
    username?: string,
    retryMinutes?: number,
  ) => {
    const csrf = randomBytes(18).toString("base64url");
    setCookie(request, reply, LOGIN_COOKIE, csrf, 3600);
    return html(
      reply,
      status,
      loginPage({
        csrf,
        next,
        lang: preferredLanguage(request),
        ...(error ? { error } : {}),
        ...(username ? { username } : {}),
        ...(retryMinutes ? { retryMinutes } : {}),
      }),
    );
  };

  app.get("/login.css", async (_request, reply) =>
    securityHeaders(reply)
      .type("text/css; charset=utf-8")
      .header("cache-control", "max-age=3600")
      .send(PAGE_CSS),
  );

  app.get("/login", async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    const principal = await sessionOf(ctx, request);
    if (principal?.kind === "user") return reply.redirect(next, 303);
    return sendLogin(request, reply, next);
  });

  // Guessing passwords is slowed by bcrypt, stopped by this limit per client address (its address
  // as --trust-proxy allows reading it), and by the back-off per user name.
  const throttle = new LoginThrottle(ctx.now);
  const loginLimit = {
    rateLimit: { max: 20, timeWindow: "1 minute", keyGenerator: (r: FastifyRequest) => `login:${r.ip}` },
  };
  app.post("/login", { config: loginLimit }, async (request, reply) => {
    const form = parseOrThrow(loginForm, request.body ?? {});
    const next = safeNext(form.next);
    const expected = readCookie(request, LOGIN_COOKIE);
    if (!expected || !csrfMatches(expected, form.csrf))
      return sendLogin(request, reply, next, 200, "expired");
    // While a name is locked its password is not even checked: a guess then tells nothing.
    const waitMs = throttle.waitMs(form.username);
    if (waitMs > 0) {
      const minutes = Math.ceil(waitMs / 60_000);
      reply.header("retry-after", String(Math.ceil(waitMs / 1000)));
      return sendLogin(request, reply, next, 429, "locked", form.username, minutes);
    }
    throttle.attempt(form.username);
    const user = await findUser(ctx.store, form.username);
    // A hash is checked even for an unknown name, so that timing does not say which names exist.
    const ok = await verifyPassword(
      form.password,
      user?.hash ?? "$2b$11$SEFW52c7e7EFW6psfyljfu81FZFCIy4gJlpJcSqSddT8dME.Reg/6",
    );
    // The form again, with its error, as a page (200): browsers log any 4xx page as a console error.
    if (!user || !ok) return sendLogin(request, reply, next, 200, "wrong", form.username);
    throttle.succeeded(form.username);
    const session = await ctx.sessions.open({ user });
    setCookie(request, reply, LOGIN_COOKIE, "", 0);
    setCookie(request, reply, SESSION_COOKIE, session.token, session.maxAgeSeconds);
    return reply.redirect(next, 303);
  });

  app.post("/logout", async (request, reply) => {
    const token = sessionToken(request);
    const principal = await sessionOf(ctx, request);
    if (token && principal) {
      const body = request.body as { csrf?: unknown } | undefined;
      const header = request.headers["x-csrf-token"];
      const given =
        typeof header === "string" ? header : typeof body?.csrf === "string" ? body.csrf : undefined;
      if (!csrfMatches(principal.csrf, given)) {
        throw new UserError(
          "Signing out needs the page's CSRF token.",
          [{ field: "x-csrf-token", reason: "missing or wrong" }],
          403,
        );
      }
      await ctx.sessions.close(token);
    }
    setCookie(request, reply, SESSION_COOKIE, "", 0);
    return reply.redirect("/login", 303);
  });

  app.get("/share/:token", async (request, reply) => {
    const { token } = parseOrThrow(z.object({ token: z.string().max(200) }), request.params);
    const hash = hashToken(token);
    const all = (await ctx.workspaces.all()).map((w) => w.name);
    const link = (await listShares(ctx.store, all)).find((l) => l.hash === hash);
    if (!link || !isLive(link, ctx.now())) {
      return html(
        reply,
        401,
        messagePage(
          "Link not valid",
          "This share link has expired or was revoked. Ask the person who sent it for a new one.",
          { href: "/login", text: "Sign in" },
        ),
      );
    }
    const session = await ctx.sessions.open({ share: link });
    setCookie(request, reply, SESSION_COOKIE, session.token, session.maxAgeSeconds);
    return reply.redirect(`/?workspace=${encodeURIComponent(link.workspace)}`, 303);
  });

  app.get("/api/v1/session", async (request) => {
    const principal = await sessionOf(ctx, request);
    if (!principal) {
      throw new UserError(
        "You are not signed in: open /login, or a share link.",
        [{ field: "session", reason: "missing" }],
        401,
      );
    }
    const workspaces = (await workspacesFor(ctx, request)).map((w) => ({
      name: w.name,
      timezone: w.settings.timezone,
      currency: w.settings.currency,
      locale: w.settings.locale,
      attribution: w.settings.attribution,
      conversion_events: w.settings.conversion_events,
    }));
    return principal.kind === "user"
      ? {
          user: principal.user.name,
          role: principal.user.role,
          workspaces,
          csrf: principal.csrf,
          expires_at: null,
        }
      : { user: null, role: "share", workspaces, csrf: principal.csrf, expires_at: principal.expiresAt };
  });

  app.get("/api/v1/catalog", async (request) => {
    const q = parseOrThrow(z.object({ workspace: z.string().optional() }), request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const custom = await ctx.store.listCustomKpis(workspace.name);
    return {
      workspace: workspace.name,
      kpis: [
        ...KPI_CATALOG.map((k) => ({
          id: k.id,
          label: k.label,
          unit: k.unit,
          better: k.better,
          definition: k.definition,
          custom: false,
        })),
        ...custom.map((k) => ({
          id: k.id,
          label: { en: k.id, fr: k.id },
          unit: "ratio",
          better: "higher",
          definition: k.formula,
          custom: true,
        })),
      ],
    };
  });

  const indexFile = join(webRoot, "index.html");
  const sendApp = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!(await sessionOf(ctx, request)))
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    if (!existsSync(indexFile)) {
      return html(
        reply,
        503,
        messagePage("Dashboard not built", "The dashboard is not built: run `npm run build`, then restart."),
      );
    }
    return html(reply, 200, readFileSync(indexFile, "utf8"));
  };
  for (const page of APP_PAGES) app.get(`/${page}`, sendApp);

  app.get("/assets/:file", async (request, reply) => {
    const { file } = parseOrThrow(z.object({ file: z.string() }), request.params);
    const ext = /^[A-Za-z0-9_.-]+\.([a-z0-9]+)$/.exec(file)?.[1];
    const path = join(webRoot, "assets", file);
    if (!ext || file.includes("..") || !CONTENT_TYPES[ext] || !existsSync(path)) {
      throw new UserError(`There is no asset ${file}.`, [{ field: "file", reason: "not found" }], 404);
    }
    // Built file names carry a hash of their content: they never change.
    return securityHeaders(reply)
      .type(CONTENT_TYPES[ext])
      .header("cache-control", "public, max-age=31536000, immutable")
      .send(readFileSync(path));
  });
}
