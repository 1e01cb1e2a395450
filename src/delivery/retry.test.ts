import { describe, expect, it } from "vitest";
import { DeliveryError, withRetries } from "./retry.js";

describe("immediate retries with exponential back-off", () => {
  const run = async (failures: (Error | null)[], attempts = 3) => {
    const waits: number[] = [];
    let call = 0;
    const outcome = await withRetries(
      async () => {
        const failure = failures[call++];
        if (failure) throw failure;
      },
      { attempts, backoffMs: 100, sleep: async (ms) => void waits.push(ms) },
      () => new Date("2026-03-01T00:00:00Z"),
    );
    return { outcome, waits, calls: call };
  };

  it.each([
    ["succeeds at once", [null], true, 1, []],
    ["succeeds at the second try", [new Error("boom"), null], true, 2, [100]],
    ["succeeds at the third try", [new Error("a"), new Error("b"), null], true, 3, [100, 200]],
    ["fails three times", [new Error("a"), new Error("b"), new Error("c")], false, 3, [100, 200]],
    ["stops at a failure retrying cannot help", [new DeliveryError("not configured", false)], false, 1, []],
  ] as const)("%s", async (_name, failures, delivered, calls, waits) => {
    const result = await run([...failures]);
    expect(result.outcome.delivered).toBe(delivered);
    expect(result.calls).toBe(calls);
    expect(result.outcome.attempts).toHaveLength(calls);
    expect(result.waits).toEqual(waits);
  });

  it("keeps every attempt's error, the last one null when it succeeded", async () => {
    const { outcome } = await run([new DeliveryError("The webhook at h answered 500."), null]);
    expect(outcome.attempts).toEqual([
      { at: "2026-03-01T00:00:00.000Z", error: "The webhook at h answered 500." },
      { at: "2026-03-01T00:00:00.000Z", error: null },
    ]);
  });
});
