/** Any origin serves: `next` is resolved against it only to see whether it leaves it. */
const BASE = "http://sextant.invalid";

/**
 * Where sign-in may send the browser: a path (and query) of this site, else "/" (OWASP ASVS 4.0
 * V5.1.5; see docs/security.md). `next` is resolved as a browser would resolve the Location
 * header, so that `//evil`, `/\evil` and `https://evil` are seen to leave the site; control
 * characters are refused outright, since URL parsers drop tabs and new lines
 * (`/%09/evil.invalid/x` would become `//evil.invalid/x`) and Node refuses them in headers.
 */
export function safeNext(next: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  if (typeof next !== "string" || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  return `${url.pathname}${url.search}`;
}
