import type { FastifyReply } from "fastify";
import { escapeHtml } from "../../escape-html.js";
import type { Lang } from "../../model/lang.js";

/**
 * The dashboard's pages load scripts and styles from this origin only: no inline script can run,
 * so text that slipped into the page as markup still could not execute.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers of every dashboard page and asset. */
export function securityHeaders(reply: FastifyReply): FastifyReply {
  return (
    reply
      .header("content-security-policy", CONTENT_SECURITY_POLICY)
      .header("x-content-type-options", "nosniff")
      .header("x-frame-options", "DENY")
      // Share links carry their token in the path: never send it on to another site.
      .header("referrer-policy", "no-referrer")
      .header("cross-origin-opener-policy", "same-origin")
  );
}

export const PAGE_CSS = `
:root{color-scheme:light;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b2230;background:#f5f6f8}
body{margin:0;display:grid;place-items:center;min-height:100vh;padding:1rem;box-sizing:border-box}
main{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:1.5rem;width:100%;max-width:22rem;box-sizing:border-box}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #6b7280;border-radius:4px}
button{margin-top:1.2rem;width:100%;font:inherit;font-weight:600;padding:.6rem;border:0;border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}.error{color:#b91c1c;font-weight:600}
`;

const TEXT = {
  en: {
    title: "Sign in to Sextant",
    user: "User name",
    password: "Password",
    submit: "Sign in",
    wrong: "Wrong user name or password.",
    expired: "The sign-in form expired; please try again.",
    locked: (minutes: number) =>
      `Too many failed sign-ins for this user name: try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  },
  fr: {
    title: "Connexion à Sextant",
    user: "Nom d’utilisateur",
    password: "Mot de passe",
    submit: "Se connecter",
    wrong: "Nom d’utilisateur ou mot de passe incorrect.",
    expired: "Le formulaire a expiré ; veuillez réessayer.",
    locked: (minutes: number) =>
      `Trop de connexions échouées pour ce nom d’utilisateur : réessayez dans ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  },
} as const;

export type LoginError = "wrong" | "expired" | "locked";

/** The sign-in form (inputs named username and password; see docs/dashboard.md), with its double-submit token. */
export function loginPage(options: {
  csrf: string;
  next: string;
  lang: Lang;
  error?: LoginError;
  username?: string;
  /** With the "locked" error: minutes until the user name may try again. */
  retryMinutes?: number;
}): string {
  const t = TEXT[options.lang];
  const message =
    options.error === "locked" ? t.locked(options.retryMinutes ?? 1) : options.error ? t[options.error] : "";
  const error = message ? `<p class="error" role="alert" id="login-error">${escapeHtml(message)}</p>` : "";
  return `<!doctype html>
<html lang="${options.lang}"><head><meta charset="utf-8"><title>${escapeHtml(t.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><link rel="stylesheet" href="/login.css"></head>
<body><main><h1>${escapeHtml(t.title)}</h1>${error}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}">
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
<label for="username">${escapeHtml(t.user)}</label>
<input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(options.username ?? "")}"${options.error ? ' aria-describedby="login-error"' : ""}>
<label for="password">${escapeHtml(t.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${escapeHtml(t.submit)}</button>
</form></main></body></html>`;
}

/** A plain page with one message (an expired share link, an unbuilt dashboard). */
export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  const a = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><link rel="stylesheet" href="/login.css"></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${a}</main></body></html>`;
}
