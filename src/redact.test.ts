import { describe, expect, it } from "vitest";
import { redactUrlPassword } from "./redact.js";

describe("redactUrlPassword", () => {
  it.each([
    ["http://sextant:s3cret@clickhouse:8123/sextant", "http://sextant:***@clickhouse:8123/sextant"],
    ["https://default:p%40ss@ch.example.com:8443/db", "https://default:***@ch.example.com:8443/db"],
    ["http://:only-password@h:8123/db", "http://:***@h:8123/db"],
    ["http://user@h:8123/db", "http://user@h:8123/db"],
    ["http://h:8123/db", "http://h:8123/db"],
    ["smtp://user:pw@mail.example.com:587", "smtp://user:***@mail.example.com:587"],
    // Not a URL the parser accepts: the credentials are still cut out.
    ["http://user:pw@[bad/db", "http://user:***@[bad/db"],
  ])("%s → %s", (url, shown) => {
    expect(redactUrlPassword(url)).toBe(shown);
  });
});
