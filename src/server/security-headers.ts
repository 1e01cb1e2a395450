import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * HTML reports are documents built from workspace data (campaign names, URLs): served with a
 * sandbox, no script, no request anywhere, only their own inline styles and data: images, so that
 * text that slipped in as markup could do nothing even opened from the API's origin.
 */
export const REPORT_CONTENT_SECURITY_POLICY =
  "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface SecurityHeaderOptions {
  /** Send Strict-Transport-Security with this max-age, in seconds (only behind https). */
  readonly hstsMaxAgeSeconds?: number;
}

/**
 * Headers of every response, pages, API, errors and 404s alike (OWASP ASVS 4.0 V14.4; see
 * docs/security.md): no MIME sniffing; HSTS when asked for; the report sandbox.
 */
export function securityHeaders(options: SecurityHeaderOptions) {
  const hsts =
    options.hstsMaxAgeSeconds === undefined
      ? undefined
      : `max-age=${options.hstsMaxAgeSeconds}; includeSubDomains`;
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    reply.header("x-content-type-options", "nosniff");
    if (hsts) reply.header("strict-transport-security", hsts);
    const type = String(reply.getHeader("content-type") ?? "");
    if (request.url.startsWith("/api/v1/reports/") && type.startsWith("text/html"))
      reply.header("content-security-policy", REPORT_CONTENT_SECURITY_POLICY);
    return payload;
  };
}
