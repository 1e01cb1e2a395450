import type { StoreConfig } from "../config.js";
import { ClickhouseStore } from "./clickhouse/clickhouse-store.js";
import type { DuckdbOptions } from "./duckdb/connection.js";
import { DuckdbStore } from "./duckdb/duckdb-store.js";
import type { Store } from "./store.js";

/** Opens the store a configuration names; the one place that picks an implementation. */
export async function openStore(config: StoreConfig, options: DuckdbOptions = {}): Promise<Store> {
  switch (config.kind) {
    case "duckdb":
      return DuckdbStore.open(config.location, options);
    case "clickhouse":
      return ClickhouseStore.open(config.location, config.cluster ?? null);
    default: {
      const unknown: never = config.kind;
      throw new Error(`unknown store ${String(unknown)}`);
    }
  }
}
