import { type GlobalFlags, storeConfig } from "../config.js";
import type { DuckdbOptions } from "../store/duckdb/connection.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";

/** Opens the store named by the flags (or environment), runs `work`, and always closes it. */
export async function withStore<T>(
  flags: GlobalFlags,
  work: (store: Store) => Promise<T>,
  options?: DuckdbOptions,
): Promise<T> {
  const store = await openStore(storeConfig(flags, process.env), options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The workspace flag, or SEXTANT_WORKSPACE. */
export function workspaceFlag(flags: GlobalFlags): string | undefined {
  return flags.workspace ?? process.env.SEXTANT_WORKSPACE;
}

export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}
