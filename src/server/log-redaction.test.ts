import { describe, expect, it } from "vitest";
import { redactRequestUrl } from "./log-redaction.js";

describe("redactRequestUrl", () => {
  it.each([
    ["/share/AbC-123_xyz", "/share/[redacted]"],
    ["/share/AbC-123_xyz?x=1", "/share/[redacted]?x=1"],
    ["//share/AbC", "/share/[redacted]"],
    ["/%73hare/AbC", "/share/[redacted]"],
    ["/SHARE/AbC", "/share/[redacted]"],
    ["/api/v1/kpis?kpis=visitors&token=s3cret", "/api/v1/kpis?kpis=visitors&token=[redacted]"],
    [
      "/x?key=a&writeKey=b&api_key=c&access_token=d&password=e",
      "/x?key=[redacted]&writeKey=[redacted]&api_key=[redacted]&access_token=[redacted]&password=[redacted]",
    ],
    ["/x?Token=a", "/x?Token=[redacted]"],
    ["/x?%74oken=a", "/x?%74oken=[redacted]"],
    ["/x?monkey=a&keys=b&token", "/x?monkey=a&keys=b&token"],
    ["/campaigns?workspace=shop&from=2026-01-01", "/campaigns?workspace=shop&from=2026-01-01"],
    ["/sharepoint/x", "/sharepoint/x"],
    ["/%E0%A4%A", "/%E0%A4%A"],
  ])("%s → %s", (url, shown) => {
    expect(redactRequestUrl(url)).toBe(shown);
  });
});
