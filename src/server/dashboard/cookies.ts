import type { FastifyReply, FastifyRequest } from "fastify";

/** The dashboard's session cookie (HttpOnly: scripts never see it). */
export const SESSION_COOKIE = "sx_session";
/** The sign-in form's double-submit token (/login is a plain form; see docs/dashboard.md). */
export const LOGIN_COOKIE = "sx_login";

/** Cookies of a request, by name (the first of a repeated name wins, as browsers send the most specific first). */
export function readCookies(request: FastifyRequest): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A cookie we did not write (bad percent-encoding) is ignored.
    }
  }
  return cookies;
}

/** True when the browser reached us over https (directly, or through a proxy we trust). */
export function isSecure(request: FastifyRequest): boolean {
  return request.protocol === "https";
}

/**
 * The name a cookie has on this request: over https it carries the `__Host-` prefix, which browsers
 * accept only from a secure origin, with Path=/ and no Domain, so that neither a sibling sub-domain
 * nor a plain-http page can plant or overwrite it (OWASP ASVS 4.0 V3.4.4; see docs/security.md).
 */
export function cookieName(request: FastifyRequest, name: string): string {
  return isSecure(request) ? `__Host-${name}` : name;
}

/** The value of one of our cookies, under the name it has on this request. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  return readCookies(request).get(cookieName(request, name));
}

/** The session token a request carries, if any. */
export function sessionToken(request: FastifyRequest): string | undefined {
  return readCookie(request, SESSION_COOKIE);
}

/** Sets (or, with maxAgeSeconds 0, clears) a cookie: HttpOnly, SameSite=Lax, Secure and `__Host-` over https. */
export function setCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  value: string,
  maxAgeSeconds: number,
): void {
  const parts = [
    `${cookieName(request, name)}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (isSecure(request)) parts.push("Secure");
  const previous = reply.getHeader("set-cookie");
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  reply.header("set-cookie", [...list, parts.join("; ")]);
}
