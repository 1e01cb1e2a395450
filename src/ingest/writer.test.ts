import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppendResult, IncomingEvent, Store } from "../store/store.js";
import { GroupCommitWriter } from "./writer.js";

/** A store that records its calls; only what the writer uses. */
function fakeStore(commitIntervalMs = 0) {
  const calls: string[] = [];
  const store = {
    commitIntervalMs,
    appendEvents: async (events: readonly IncomingEvent[]): Promise<AppendResult> => {
      calls.push(`append ${events.length}`);
      return { stored: events.length, duplicates: 0 };
    },
    tidy: async () => {
      calls.push("tidy");
    },
  } as unknown as Store;
  return { store, calls };
}

const event = (n: number): IncomingEvent => ({ workspace: "w", record: { event: `e${n}` } });

afterEach(() => {
  vi.useRealTimers();
});

describe("the group-commit writer", () => {
  it("groups the writes that wait behind a commit into the next one", async () => {
    const { store, calls } = fakeStore();
    const writer = new GroupCommitWriter(store);
    await Promise.all([
      writer.write([event(1)]),
      writer.write([event(2), event(3)]),
      writer.write([event(4)]),
    ]);
    expect(calls).toEqual(["append 1", "append 3"]);
    await writer.close();
  });

  it("tidies the store once after a quiet spell, and not while idle with nothing written", async () => {
    vi.useFakeTimers();
    const { store, calls } = fakeStore();
    const writer = new GroupCommitWriter(store, 20_000, undefined, 1_000);
    await writer.write([event(1)]);
    await vi.advanceTimersByTimeAsync(500);
    await writer.write([event(2)]);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toEqual(["append 1", "append 1"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(["append 1", "append 1", "tidy"]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.filter((c) => c === "tidy")).toHaveLength(1);
    await writer.close();
  });

  it("leaves commitIntervalMs between commits when the store asks for it, grouping what arrives", async () => {
    vi.useFakeTimers();
    const { store, calls } = fakeStore(1_000);
    const writer = new GroupCommitWriter(store);
    await writer.write([event(1)]);
    expect(calls).toEqual(["append 1"]);
    const second = writer.write([event(2)]);
    await vi.advanceTimersByTimeAsync(400);
    const third = writer.write([event(3), event(4)]);
    await vi.advanceTimersByTimeAsync(590);
    expect(calls).toEqual(["append 1"]);
    await vi.advanceTimersByTimeAsync(20);
    await Promise.all([second, third]);
    expect(calls).toEqual(["append 1", "append 3"]);
    await writer.close();
  });
});
