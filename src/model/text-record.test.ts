import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringifyJson, wellFormedText } from "./text-record.js";

function mergesNames(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(mergesNames);
  if (value && typeof value === "object") {
    const names = Object.keys(value);
    if (new Set(names.map(wellFormedText)).size !== names.length) return true;
    return Object.values(value).some(mergesNames);
  }
  return false;
}

describe("stringifyJson", () => {
  it("writes lone surrogates as U+FFFD and leaves escaped backslashes and pairs alone", () => {
    expect(stringifyJson({ k: "a\ud800b" })).toBe('{"k":"a\uFFFDb"}');
    expect(stringifyJson({ "\udc00k": 1 })).toBe('{"\uFFFDk":1}');
    expect(stringifyJson({ k: "\\ud800" })).toBe('{"k":"\\\\ud800"}');
    expect(stringifyJson({ k: "\\\ud800" })).toBe('{"k":"\\\\\uFFFD"}');
    expect(stringifyJson({ k: "😀" })).toBe('{"k":"😀"}');
  });

  it("gives the JSON of the value with every string made well-formed", () => {
    const clean = (value: unknown): unknown => {
      if (typeof value === "string") return wellFormedText(value);
      if (Array.isArray(value)) return value.map(clean);
      if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormedText(k), clean(v)]));
      }
      return value;
    };
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (value) => {
        // Two names that differ only in lone surrogates would become one name once cleaned.
        fc.pre(!mergesNames(value));
        const text = stringifyJson(value);
        expect(text).toBe(JSON.stringify(clean(value)));
      }),
      { numRuns: 500 },
    );
  });
});
