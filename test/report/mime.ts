/** One leaf of a MIME message: its headers (lower-case names) and its decoded body. */
export interface MimePart {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const end = raw.indexOf("\r\n\r\n");
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? "" : raw.slice(end + 4);
  const headers: Record<string, string> = {};
  // Folded header lines (RFC 5322 §2.2.3) continue with white space.
  for (const line of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

/** Quoted-printable (RFC 2045 §6.7): soft line breaks removed, =XX bytes decoded. */
function quotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const joined = text.replace(/=\r\n/g, "");
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i] as string;
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, "utf8"));
  }
  return Buffer.from(bytes);
}

/**
 * The leaves of a MIME message (RFC 2046 multiparts walked depth first), each body decoded from
 * its transfer encoding. Enough for the messages nodemailer writes; mailparser is not a dependency.
 */
export function mimeParts(raw: string): MimePart[] {
  const { headers, body } = splitHead(raw);
  const type = headers["content-type"] ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary) {
    const pieces = body.split(`--${boundary}`);
    return pieces
      .slice(1)
      .filter((p) => !p.startsWith("--"))
      .flatMap((p) => mimeParts(p.replace(/^\r\n/, "")));
  }
  const encoding = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  const decoded =
    encoding === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64")
      : encoding === "quoted-printable"
        ? quotedPrintable(body)
        : Buffer.from(body, "utf8");
  return [{ headers, body: decoded }];
}

/** The part whose content type starts with `type`. */
export function partOf(parts: readonly MimePart[], type: string): MimePart | undefined {
  return parts.find((p) => (p.headers["content-type"] ?? "").toLowerCase().startsWith(type));
}
