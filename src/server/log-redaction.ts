import type { FastifyRequest } from "fastify";

/** What a secret reads as in the server's log. */
export const REDACTED = "[redacted]";

/** Query parameters that carry a secret: share and API tokens, keys, passwords, signatures. */
const SECRET_PARAMETERS =
  /^(token|key|api[_-]?key|write[_-]?key|access[_-]?token|auth|password|secret|signature|sig|session|csrf)$/i;

/**
 * A request URL as the log may show it: a share link's token (`/share/TOKEN`, which opens the
 * workspace to whoever has it) and the values of secret query parameters are replaced. Anyone who
 * reads the log must not be able to replay what they find there (OWASP ASVS 4.0 V7.1.1).
 */
export function redactRequestUrl(url: string): string {
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: judge the path as it came.
  }
  // However the path is spelled (`//share/`, `%73hare`), the router may read it as a share link.
  const shown = /^\/*share\//i.test(decoded) ? `/share/${REDACTED}` : path;
  if (queryAt === -1) return shown;
  const query = url
    .slice(queryAt + 1)
    .split("&")
    .map((pair) => {
      const equals = pair.indexOf("=");
      const rawName = equals === -1 ? pair : pair.slice(0, equals);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, " "));
      } catch {
        // Keep the raw name.
      }
      return equals !== -1 && SECRET_PARAMETERS.test(name.trim()) ? `${rawName}=${REDACTED}` : pair;
    })
    .join("&");
  return `${shown}?${query}`;
}

/** Where log lines go when not to standard output (tests read them). */
export interface LogStream {
  write(line: string): void;
}

/**
 * Fastify's logger options for `sextant serve`: pino at level info, requests logged as Fastify's
 * default does but with the URL redacted, and any header that carries a credential censored
 * should a log line include headers (OWASP ASVS 4.0 V7.1.1, V7.1.2).
 */
export function loggerOptions(stream?: LogStream) {
  const headers = ["authorization", "cookie", "x-api-key", "proxy-authorization"];
  return {
    level: "info",
    ...(stream ? { stream } : {}),
    serializers: {
      req(request: FastifyRequest) {
        return {
          method: request.method,
          url: redactRequestUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        };
      },
    },
    redact: {
      paths: [
        ...headers.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`, `request.headers["${h}"]`]),
        'res.headers["set-cookie"]',
        'headers["set-cookie"]',
      ],
      censor: REDACTED,
    },
  };
}
