import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { segmentBatch } from "../../../test/support/payloads.js";
import { compiledBatch, compiledMessage } from "./compiled-schema.js";
import { batchSchema, MESSAGE_SCHEMAS, MESSAGE_TYPES, type MessageType } from "./schema.js";

/** Values around each rule's edges: blank and padded text, lengths at the limits, odd types, odd times. */
const value = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u00a0x\u2028",
    " id-1 ",
    "x".repeat(200),
    ` ${"x".repeat(200)}`,
    "x".repeat(201),
    "y".repeat(255),
    ` ${"y".repeat(255)} `,
    "\ud83d\ude00".repeat(128),
    "2026-12-05T10:00:00.000Z",
    "2026-12-05",
    "2026-02-30T10:00:00Z",
    "2026-12-05T10:00:00+0100",
    "1999-13-01T00:00:00Z",
    0,
    -1.5,
    1e21,
    Number.POSITIVE_INFINITY,
    true,
    null,
    [],
    ["a"],
    {},
    { a: 1 },
    "track",
    "page",
    "alias",
  ),
  fc.string({ maxLength: 8 }),
  fc.integer(),
);

const KEYS = [
  "type",
  "messageId",
  "anonymousId",
  "userId",
  "timestamp",
  "originalTimestamp",
  "sentAt",
  "context",
  "integrations",
  "writeKey",
  "event",
  "properties",
  "name",
  "category",
  "traits",
  "groupId",
  "previousId",
  "receivedAt",
];

const message = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 10 });

const base = {
  userId: " u1 ",
  messageId: "m-1",
  timestamp: "2026-12-05T10:00:00Z",
  context: { ip: "1.2.3.4" },
};
const usual: Record<MessageType, Record<string, unknown>> = {
  track: { ...base, type: "track", event: "Order Completed", properties: { revenue: 10 } },
  page: { ...base, type: "page", name: "Home", properties: { url: "https://a.example/" } },
  screen: { ...base, type: "screen", name: "Home" },
  identify: { ...base, anonymousId: 42, type: "identify", traits: { plan: "pro" } },
  group: { ...base, type: "group", groupId: 7, traits: {} },
  alias: { ...base, type: "alias", previousId: "anon-1" },
};

/** A usual message of a type with a few fields changed, added or removed. */
const changed = fc
  .tuple(
    fc.constantFrom(...MESSAGE_TYPES),
    fc.dictionary(fc.constantFrom(...KEYS), fc.option(value, { nil: undefined }), { maxKeys: 3 }),
  )
  .map(([type, changes]) => {
    const m: Record<string, unknown> = { ...usual[type] };
    for (const [key, v] of Object.entries(changes)) {
      if (v === undefined) delete m[key];
      else m[key] = v;
    }
    return [type, m] as const;
  });

describe("compiled Segment schemas", () => {
  it("accept only what zod accepts, and return what zod returns", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(fc.tuple(fc.constantFrom(...MESSAGE_TYPES), message), changed), ([type, m]) => {
        const fast = compiledMessage(type, m);
        if (fast === undefined) return;
        accepted++;
        const slow = MESSAGE_SCHEMAS[type].safeParse(m);
        expect(slow.success).toBe(true);
        expect(fast).toStrictEqual(slow.data);
      }),
      { numRuns: 20_000 },
    );
    // The comparison means something only if many messages take the compiled path.
    expect(accepted).toBeGreaterThan(2_000);
  });

  it("accept the usual messages of every type", () => {
    for (const type of MESSAGE_TYPES) {
      const fast = compiledMessage(type, usual[type]);
      expect(fast, type).toStrictEqual(MESSAGE_SCHEMAS[type].parse(usual[type]));
    }
  });

  it("leave a message to zod when it breaks a rule", () => {
    expect(compiledMessage("track", { userId: "u", event: "   " })).toBeUndefined();
    expect(compiledMessage("track", { event: "E" })).toBeUndefined();
    expect(compiledMessage("track", { userId: "u", event: "E", timestamp: "yesterday" })).toBeUndefined();
    expect(compiledMessage("alias", { previousId: "a", anonymousId: "b" })).toBeUndefined();
    expect(compiledMessage("group", { userId: Number.NaN, groupId: 1 })).toBeUndefined();
  });

  it("accept batch bodies that zod accepts", () => {
    const body = JSON.parse(segmentBatch("b", 3).body) as Record<string, unknown>;
    expect(compiledBatch(body)).toBeDefined();
    expect(batchSchema.safeParse(body).success).toBe(true);
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.oneof(fc.array(fc.oneof(fc.constant({}), value), { maxLength: 3 }), value),
          context: value,
          sentAt: value,
          writeKey: value,
        }),
        (b) => {
          if (compiledBatch(b) !== undefined) expect(batchSchema.safeParse(b).success).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
