import { isbot } from "isbot";
import { UAParser } from "ua-parser-js";

export interface ClientInfo {
  readonly device: string;
  readonly browser: string | null;
  readonly os: string | null;
  readonly bot: boolean;
}

const cache = new Map<string, ClientInfo>();
const CACHE_SIZE = 5_000;

/**
 * Device, browser and OS from a User-Agent (ua-parser-js), and whether it is a bot (isbot).
 * Parsing costs tens of microseconds and a site sees few distinct User-Agents, so answers are kept.
 */
export function clientInfo(userAgent: string | undefined): ClientInfo {
  const ua = userAgent ?? "";
  const known = cache.get(ua);
  if (known) return known;
  const info = parseClient(ua);
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(ua, info);
  return info;
}

function parseClient(ua: string): ClientInfo {
  const parsed = new UAParser(ua).getResult();
  const type = parsed.device.type;
  return {
    device: type === "mobile" || type === "tablet" ? type : "desktop",
    browser: parsed.browser.name ?? null,
    os: parsed.os.name ?? null,
    // No User-Agent at all is a script, not a person (Plausible drops those too).
    bot: ua.trim() === "" || isbot(ua),
  };
}
