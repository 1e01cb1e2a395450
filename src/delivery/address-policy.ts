import { BlockList, isIP } from "node:net";

/**
 * Where a webhook may not go unless the operator allows private targets (docs/alerts.md,
 * "Private webhook targets"): a URL that users configure must not turn the server into a client
 * of its own machine, its network or its cloud's metadata service (OWASP ASVS 4.0 V12.6.1 / V5.2.6).
 * Ranges from the IANA special-purpose address registries (RFC 6890 and its updates).
 */
const IPV4_RANGES: readonly (readonly [string, number, string])[] = [
  ["0.0.0.0", 8, "an unspecified address"],
  ["10.0.0.0", 8, "a private address (RFC 1918)"],
  ["100.64.0.0", 10, "a shared address (CGNAT, RFC 6598)"],
  ["127.0.0.0", 8, "a loopback address"],
  // 169.254.169.254 is the metadata service of AWS, GCP, Azure, OpenStack…
  ["169.254.0.0", 16, "a link-local address (cloud metadata)"],
  ["172.16.0.0", 12, "a private address (RFC 1918)"],
  // 192.0.0.192 is Oracle Cloud's metadata service.
  ["192.0.0.0", 24, "an IETF protocol address"],
  ["192.168.0.0", 16, "a private address (RFC 1918)"],
  ["198.18.0.0", 15, "a benchmarking address"],
  ["224.0.0.0", 4, "a multicast address"],
  ["240.0.0.0", 4, "a reserved or broadcast address"],
];

const IPV6_RANGES: readonly (readonly [string, number, string])[] = [
  // :: and ::1, and the deprecated IPv4-compatible ::a.b.c.d.
  ["::", 96, "an unspecified, loopback or IPv4-compatible address"],
  ["64:ff9b:1::", 48, "a local NAT64 address"],
  ["100::", 64, "a discard address"],
  // fd00:ec2::254 is the IPv6 metadata service of AWS.
  ["fc00::", 7, "a unique local address (ULA)"],
  ["fe80::", 10, "a link-local address"],
  ["fec0::", 10, "a site-local address"],
  ["ff00::", 8, "a multicast address"],
];

/** The 32 bits of an IPv4 address as two IPv6 groups: 127.0.0.1 → "7f00:1". */
function ipv4Groups(address: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = address.split(".").map(Number);
  return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/**
 * One rule list per reason. An IPv4 rule also catches its IPv4-mapped form (::ffff:127.0.0.1,
 * BlockList does that), and each is repeated inside the prefixes that carry an IPv4 address to
 * it: NAT64's 64:ff9b::/96 (RFC 6052) and 6to4's 2002::/16 (RFC 3056).
 */
const RULES: readonly { readonly list: BlockList; readonly reason: string }[] = [
  ...IPV4_RANGES.map(([network, prefix, reason]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, "ipv4");
    const groups = ipv4Groups(network);
    list.addSubnet(`64:ff9b::${groups}`, 96 + prefix, "ipv6");
    list.addSubnet(`2002:${groups}::`, 16 + prefix, "ipv6");
    return { list, reason };
  }),
  ...IPV6_RANGES.map(([network, prefix, reason]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, "ipv6");
    return { list, reason };
  }),
];

/** Why an IP address is no place for a webhook (e.g. "a loopback address"), or null if it may be one. */
export function forbiddenAddress(address: string): string | null {
  // A zone (fe80::1%eth0) names an interface, not another address.
  const bare = address.split("%")[0] ?? "";
  const family = isIP(bare);
  if (family === 0) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  return RULES.find((rule) => rule.list.check(bare, type))?.reason ?? null;
}

/** Names that always mean this machine or the cloud's metadata service, whatever DNS says. */
const FORBIDDEN_NAMES = /^(localhost|.*\.localhost|metadata\.google\.internal|metadata)$/;

/**
 * Why a URL's host is refused when a definition is saved, or null: an IP literal in a forbidden
 * range (the WHATWG URL parser has already turned 2130706433 or 0x7f.1 into 127.0.0.1), or a name
 * such as localhost. Other names are checked on the address they resolve to, at delivery.
 */
export function forbiddenHost(url: URL): string | null {
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (isIP(host) !== 0) return forbiddenAddress(host);
  return FORBIDDEN_NAMES.test(host) ? "this machine or a metadata service" : null;
}
