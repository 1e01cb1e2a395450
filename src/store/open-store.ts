import type { StoreConfig } from "../config.js";
import type { DuckdbOptions } from "./duckdb/connection.js";
import type { Store } from "./store.js";

/**
 * Opens the store a configuration names; the one place that picks an implementation. Each store
 * is loaded when it is opened, so a command pays for one database client, not both.
 */
export async function openStore(config: StoreConfig, options: DuckdbOptions = {}): Promise<Store> {
  switch (config.kind) {
    case "duckdb":
      return (await import("./duckdb/duckdb-store.js")).DuckdbStore.open(config.location, options);
    case "clickhouse":
      return (await import("./clickhouse/clickhouse-store.js")).ClickhouseStore.open(
        config.location,
        config.cluster ?? null,
      );
    default: {
      const unknown: never = config.kind;
      throw new Error(`unknown store ${String(unknown)}`);
    }
  }
}
