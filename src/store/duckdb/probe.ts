import { DuckDBInstance } from "@duckdb/node-api";

export type OpenProbe =
  | { readonly ok: true }
  | { readonly ok: false; readonly locked: boolean; readonly pid: number | null; readonly message: string };

/**
 * Whether a DuckDB file opens, read-only so that nothing is created, replayed or changed, and with
 * a small memory limit: `sextant doctor` looks, it does not touch. A file another process holds
 * (DuckDB lets one process write a file) reports that process's pid when DuckDB names it.
 */
export async function probeDuckdbFile(path: string): Promise<OpenProbe> {
  try {
    const instance = await DuckDBInstance.create(path, {
      access_mode: "READ_ONLY",
      memory_limit: "256MB",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    instance.closeSync();
    return { ok: true };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    const pid = /PID (\d+)/.exec(message)?.[1];
    return { ok: false, locked: /lock/i.test(message), pid: pid ? Number(pid) : null, message };
  }
}
