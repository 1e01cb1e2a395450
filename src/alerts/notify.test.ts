import { describe, expect, it } from "vitest";
import { htmlEscape, slackEscape } from "./notify.js";

describe("user text in notifications is escaped", () => {
  it.each([
    ["a < b & c > d", "a &lt; b &amp; c &gt; d"],
    ["<!channel> <@U123>", "&lt;!channel&gt; &lt;@U123&gt;"],
    ['"quoted"', '"quoted"'],
  ])("Slack text %j → %j", (input, expected) => {
    expect(slackEscape(input)).toBe(expected);
  });

  it.each([
    ['<script>alert("x")</script>', "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"],
    ["L'été & co", "L&#39;été &amp; co"],
  ])("HTML %j → %j", (input, expected) => {
    expect(htmlEscape(input)).toBe(expected);
  });
});
