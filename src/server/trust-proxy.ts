import { isIP } from "node:net";
import { UserError } from "../errors.js";

/**
 * Which proxies in front of the server may say who the client is (Fastify's `trustProxy`): their
 * addresses and CIDR ranges. Fastify reads X-Forwarded-For from the right, past the trusted
 * proxies, so an address a client writes to the left of what its proxy appends is never taken.
 * Trusting every hop would let a client name its own address and escape the limits per address;
 * a hop count cannot tell a proxy from a client that connects directly, and Fastify 5.12.1 and
 * later ignore one (see docs/security.md).
 */
export type TrustedProxies = readonly string[];

/** proxy-addr's names for well-known ranges, which Fastify accepts beside addresses. */
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

const FORMS =
  "the addresses or CIDR ranges of the proxies in front of the server, comma-separated (for example --trust-proxy 10.0.0.5,10.1.0.0/16), or loopback for a proxy on this machine (also linklocal, uniquelocal)";

function refuse(text: string, why: string): never {
  throw new UserError(`--trust-proxy ${text} is not valid: give ${FORMS}; ${why}.`, [
    { field: "trust-proxy", reason: why },
  ]);
}

/** Reads `--trust-proxy`: a list of addresses, CIDR ranges and range names. */
export function parseTrustProxy(value: string | true): TrustedProxies {
  if (value === true) {
    throw new UserError(
      `--trust-proxy needs a value: ${FORMS}. Trusting every hop would let a client choose the address that rate limits count.`,
      [{ field: "trust-proxy", reason: "missing value" }],
    );
  }
  const text = value.trim();
  if (/^\d+$/.test(text))
    refuse(
      text,
      "a hop count cannot tell a proxy from a client that connects directly and writes its own X-Forwarded-For",
    );
  const entries = text.split(",").map((e) => e.trim());
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry)) continue;
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    if (family === 0 || rest.length > 0) refuse(text, `"${entry}" is not an IP address or CIDR range`);
    if (prefix !== undefined) {
      const max = family === 4 ? 32 : 128;
      if (!/^\d+$/.test(prefix) || Number(prefix) > max)
        refuse(text, `"${entry}" needs a prefix length from 0 to ${max}`);
    }
  }
  return entries;
}
