import { resolve } from "node:path";

/** Where the store lives, read once at start-up from flags and then the environment. */
export interface StoreConfig {
  readonly kind: "duckdb" | "clickhouse";
  readonly location: string;
  readonly cluster?: string;
}

export const DEFAULT_DB = "./sextant-data/sextant.duckdb";

export interface GlobalFlags {
  readonly db?: string;
  readonly clickhouse?: string;
  readonly clickhouseCluster?: string;
  readonly workspace?: string;
}

/** Resolves the store from flags, then SEXTANT_* variables, then the default file. */
export function storeConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv): StoreConfig {
  const clickhouse = flags.clickhouse ?? (flags.db ? undefined : env.SEXTANT_CLICKHOUSE_URL);
  const cluster = flags.clickhouseCluster ?? env.SEXTANT_CLICKHOUSE_CLUSTER;
  if (clickhouse) return { kind: "clickhouse", location: clickhouse, ...(cluster ? { cluster } : {}) };
  return { kind: "duckdb", location: duckdbFile(flags, env) };
}

/** The embedded store's file from --db, then SEXTANT_DB, then the default (also `migrate`'s source). */
export function duckdbFile(flags: GlobalFlags, env: NodeJS.ProcessEnv): string {
  return resolve(flags.db ?? env.SEXTANT_DB ?? DEFAULT_DB);
}
