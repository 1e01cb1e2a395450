import type { StoreConfig } from "../config.js";
import { UserError } from "../errors.js";
import type { DuckdbOptions } from "./duckdb/connection.js";
import { DuckdbStore } from "./duckdb/duckdb-store.js";
import type { Store } from "./store.js";

/** Opens the store a configuration names; the one place that picks an implementation. */
export async function openStore(config: StoreConfig, options: DuckdbOptions = {}): Promise<Store> {
  switch (config.kind) {
    case "duckdb":
      return DuckdbStore.open(config.location, options);
    case "clickhouse":
      throw new UserError(
        "This build of Sextant has no ClickHouse store yet; use the embedded store (--db FILE, the default).",
        [{ field: "clickhouse", reason: "not available" }],
        501,
      );
    default: {
      const unknown: never = config.kind;
      throw new Error(`unknown store ${String(unknown)}`);
    }
  }
}
