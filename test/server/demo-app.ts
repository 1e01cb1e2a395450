/**
 * The HTTP app over a fresh DuckDB store holding the demo workspace, with a read key for it: what
 * the API tests inject requests into. `close()` stops the app and removes the store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { loadDemo } from "../../src/demo/load-demo.js";
import { generateKey } from "../../src/model/keys.js";
import type { Workspace } from "../../src/model/workspace.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { Store } from "../../src/store/store.js";

export interface DemoApp {
  readonly store: Store;
  readonly app: FastifyInstance;
  /** The `demo` workspace. */
  readonly demo: Workspace;
  /** Headers carrying a read key of `demo`. */
  readonly auth: { authorization: string };
  close(): Promise<void>;
}

/** Demo data ending 2026-03-31 over `days` days, from `seed`; `prepare` runs before the app is built. */
export async function openDemoApp(
  options: { readonly days: number; readonly seed: number },
  prepare: (store: Store) => Promise<void> = async () => {},
): Promise<DemoApp> {
  const dir = mkdtempSync(join(tmpdir(), "sextant-api-"));
  const store = await DuckdbStore.open(join(dir, "s.duckdb"));
  const { workspace: demo } = await loadDemo(store, { name: "demo", ...options, endDate: "2026-03-31" });
  await prepare(store);
  const app = await buildApp({ store });
  const key = generateKey("read");
  await store.saveKey({ id: key.id, workspace: "demo", kind: "read", hash: key.hash });
  return {
    store,
    app,
    demo,
    auth: { authorization: `Bearer ${key.secret}` },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
