import type { Command } from "commander";
import { duckdbFile, type GlobalFlags } from "../../config.js";
import { UserError } from "../../errors.js";
import { print } from "../context.js";

interface MigrateFlags {
  to?: string;
  toCluster?: string;
  engagement?: boolean;
}

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description(
      "copy the embedded store (--db) into ClickHouse (--to), or convert its data in place (--engagement)",
    )
    .option("--to <url>", "ClickHouse URL to copy into, e.g. http://localhost:8123/sextant")
    .option("--to-cluster <name>", "ClickHouse cluster to create Distributed tables on")
    .option(
      "--engagement",
      "convert Plausible engagement events stored as custom events (name engagement) into engagement, in place",
    )
    .addHelpText(
      "after",
      "\nStop `sextant serve` on the file first. The target database must not hold these workspaces yet.\n" +
        "--engagement fixes a store filled before Sextant knew Plausible's engagement event: those events stop\n" +
        "counting as custom events and un-bouncing sessions (their figures were not kept, so they add nothing\n" +
        "to time_on_page or scroll_depth). Running it again changes nothing.\n" +
        "Examples:\n  sextant migrate --db ./sextant-data/sextant.duckdb --to http://localhost:8123/sextant\n" +
        "  sextant migrate --db ./sextant-data/sextant.duckdb --engagement",
    )
    .action(async (flags: MigrateFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      if (flags.engagement) return convertEngagement(flags, globals);
      if (!flags.to) {
        throw new UserError("Say what to migrate: --to CLICKHOUSE_URL to copy the store, or --engagement.", [
          { field: "to", reason: "missing" },
        ]);
      }
      const file = duckdbFile(globals, process.env);
      const { ClickhouseStore } = await import("../../store/clickhouse/clickhouse-store.js");
      const target = await ClickhouseStore.open(flags.to, flags.toCluster ?? null);
      try {
        const copied = await target.migrateFrom(file);
        const total = copied.reduce((sum, c) => sum + c.rows, 0);
        print(`Copied ${total} rows from ${file} into ${target.description}:`);
        for (const { table, rows } of copied) print(`  ${table.padEnd(16)} ${rows}`);
        print(
          `Point Sextant at it with --clickhouse ${flags.to}${flags.toCluster ? ` --clickhouse-cluster ${flags.toCluster}` : ""} (or SEXTANT_CLICKHOUSE_URL).`,
        );
      } finally {
        await target.close();
      }
    });
}

async function convertEngagement(flags: MigrateFlags, globals: GlobalFlags): Promise<void> {
  if (flags.to || globals.clickhouse) {
    throw new UserError(
      "--engagement converts the embedded store (--db) in place; run it before copying the store to ClickHouse.",
      [{ field: "engagement", reason: "embedded store only" }],
    );
  }
  const file = duckdbFile(globals, process.env);
  const { DuckdbStore } = await import("../../store/duckdb/duckdb-store.js");
  const store = await DuckdbStore.open(file);
  try {
    const converted = await store.convertEngagementEvents();
    const total = converted.reduce((sum, c) => sum + c.events, 0);
    print(`Converted ${total} engagement events stored as custom events in ${file}${total ? ":" : "."}`);
    for (const { workspace, events } of converted) print(`  ${workspace.padEnd(16)} ${events}`);
  } finally {
    await store.close();
  }
}
