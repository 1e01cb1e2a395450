import { AsyncLocalStorage } from "node:async_hooks";
import { CLI_MEMORY_LIMIT, duckdbOptions, type GlobalFlags, storeConfig } from "../config.js";
import type { DuckdbOptions } from "../store/duckdb/connection.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";

/** Where a command writes, and the store it must use when it runs inside `sextant serve`. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Set when the command was forwarded to a running server, which lends its open store. */
  readonly store?: Store;
  /** The caller's working directory, for relative file names. */
  readonly cwd?: string;
}

export const PROCESS_IO: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const current = new AsyncLocalStorage<CliIo>();

/** Runs a command with its own output (and, in a server, the server's store). */
export function withIo<T>(io: CliIo, work: () => Promise<T>): Promise<T> {
  return current.run(io, work);
}

export function io(): CliIo {
  return current.getStore() ?? PROCESS_IO;
}

/** True when the command runs inside a server on behalf of another process. */
export function isForwarded(): boolean {
  return io().store !== undefined;
}

/**
 * Opens the store named by the flags (or environment), with the memory limit they set (or the
 * CLI's default), runs `work`, and always closes it.
 */
export async function withStore<T>(
  flags: GlobalFlags,
  work: (store: Store) => Promise<T>,
  options: DuckdbOptions = {},
): Promise<T> {
  const lent = io().store;
  if (lent) return work(lent);
  const store = await openStore(storeConfig(flags, process.env), {
    ...duckdbOptions(flags, process.env, CLI_MEMORY_LIMIT),
    ...options,
  });
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
  io().stdout(text.endsWith("\n") ? text : `${text}\n`);
}
