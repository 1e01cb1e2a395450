import { describe, expect, it } from "vitest";
import { parseFunnelStep, parseFunnelSteps, pathPattern } from "./funnel-step.js";

describe("funnel step syntax (docs/funnels-and-experiments.md#funnels)", () => {
  it.each([
    ["Signed Up", { kind: "event", text: "Signed Up", name: "Signed Up" }],
    ["pageview /pricing", { kind: "page", text: "pageview /pricing", path: "/pricing" }],
    ["pageview /blog/*", { kind: "page", text: "pageview /blog/*", path: "/blog/*" }],
    [
      "Clicked[plan=pro]",
      { kind: "property", text: "Clicked[plan=pro]", name: "Clicked", property: "plan", value: "pro" },
    ],
  ])("reads %s", (text, expected) => {
    expect(parseFunnelStep(text)).toEqual(expected);
  });

  it("refuses malformed steps with a sentence", () => {
    expect(() => parseFunnelStep("  ")).toThrow(/is empty/);
    expect(() => parseFunnelStep("pageview pricing")).toThrow(/does not start with \//);
    expect(() => parseFunnelStep("Clicked[plan]")).toThrow(/not NAME\[prop=value\]/);
  });

  it("splits --steps on commas outside brackets and needs two steps", () => {
    expect(parseFunnelSteps("pageview /a, B[x=1,2], C").map((s) => s.text)).toEqual([
      "pageview /a",
      "B[x=1,2]",
      "C",
    ]);
    expect(() => parseFunnelSteps("Signed Up")).toThrow(/at least two steps/);
    expect(() => parseFunnelSteps("")).toThrow(/at least two steps/);
  });

  it("turns * into .* and keeps other characters literal", () => {
    expect(pathPattern("/blog/*.html")).toBe("^/blog/.*\\.html$");
    expect(new RegExp(pathPattern("/a+b/*")).test("/a+b/x/y")).toBe(true);
    expect(new RegExp(pathPattern("/a+b/*")).test("/aab/x")).toBe(false);
  });
});
