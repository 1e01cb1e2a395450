import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { Store } from "../../src/store/store.js";
import { type ClickhouseFixture, findClickhouseServer, startSingle } from "../clickhouse/servers.js";

/**
 * Documents (definitions, history, share links…) behave the same on every store: the newest
 * version of each id, deletes that stick, workspaces and kinds kept apart, and a write of several
 * documents that is applied whole.
 */
const binary = findClickhouseServer();

const stores: { name: string; open: () => Promise<{ store: Store; close: () => Promise<void> }> }[] = [
  {
    name: "DuckDB",
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), "sextant-docs-"));
      const store = await DuckdbStore.open(join(dir, "s.duckdb"));
      return {
        store,
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
if (binary) {
  let server: ClickhouseFixture | undefined;
  stores.push({
    name: "ClickHouse",
    open: async () => {
      server = await startSingle();
      const store = await ClickhouseStore.open(`${server.url}/docs`);
      return {
        store,
        close: async () => {
          await store.close();
          await server?.stop();
        },
      };
    },
  });
}

describe.each(stores)("documents on $name", ({ open }) => {
  let store: Store;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
  });
  afterAll(async () => close?.());

  it("keeps the newest body of each id, by workspace and kind", async () => {
    await store.writeDocuments("shop", [
      { kind: "goal", id: "b", body: { target: 1 } },
      { kind: "goal", id: "a", body: { target: 2, title: 'L\'été "chaud" <b>' } },
      { kind: "funnel", id: "a", body: { steps: ["x"] } },
    ]);
    await store.writeDocuments("other", [{ kind: "goal", id: "a", body: { target: 9 } }]);
    await store.writeDocuments("shop", [{ kind: "goal", id: "b", body: { target: 3 } }]);
    const goals = await store.listDocuments("shop", "goal");
    expect(goals.map((g) => [g.id, g.body])).toEqual([
      ["a", { target: 2, title: 'L\'été "chaud" <b>' }],
      ["b", { target: 3 }],
    ]);
    expect(goals[0]?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await store.listDocuments("shop", "funnel")).map((f) => f.id)).toEqual(["a"]);
    expect((await store.listDocuments("other", "goal")).map((g) => g.body)).toEqual([{ target: 9 }]);
  });

  it("deletes with a null body, and a later write brings the id back", async () => {
    await store.writeDocuments("del", [
      { kind: "rule", id: "x", body: { on: true } },
      { kind: "rule", id: "y", body: { on: true } },
    ]);
    await store.writeDocuments("del", [{ kind: "rule", id: "x", body: null }]);
    expect((await store.listDocuments("del", "rule")).map((r) => r.id)).toEqual(["y"]);
    await store.writeDocuments("del", [{ kind: "rule", id: "x", body: { on: false } }]);
    expect((await store.listDocuments("del", "rule")).map((r) => r.body)).toEqual([
      { on: false },
      { on: true },
    ]);
  });

  it("applies the last change of an id written twice in one call", async () => {
    await store.writeDocuments("twice", [
      { kind: "k", id: "same", body: 1 },
      { kind: "k", id: "same", body: 2 },
    ]);
    expect((await store.listDocuments("twice", "k")).map((r) => r.body)).toEqual([2]);
  });
});
