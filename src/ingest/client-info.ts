import { isbot } from "isbot";
import { UAParser } from "ua-parser-js";

export interface ClientInfo {
  readonly device: string;
  readonly browser: string | null;
  readonly os: string | null;
  readonly bot: boolean;
}

/** Device, browser and OS from a User-Agent (ua-parser-js), and whether it is a bot (isbot). */
export function clientInfo(userAgent: string | undefined): ClientInfo {
  const ua = userAgent ?? "";
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
