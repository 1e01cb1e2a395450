import type { Command } from "commander";
import { duckdbFile, type GlobalFlags } from "../../config.js";
import { ClickhouseStore } from "../../store/clickhouse/clickhouse-store.js";
import { print } from "../context.js";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("copy the embedded store (--db) into ClickHouse: every workspace, key, KPI and row")
    .requiredOption("--to <url>", "ClickHouse URL to copy into, e.g. http://localhost:8123/sextant")
    .option("--to-cluster <name>", "ClickHouse cluster to create Distributed tables on")
    .addHelpText(
      "after",
      "\nStop `sextant serve` on the file first. The target database must not hold these workspaces yet.\n" +
        "Example:\n  sextant migrate --db ./sextant-data/sextant.duckdb --to http://localhost:8123/sextant",
    )
    .action(async (flags: { to: string; toCluster?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      const file = duckdbFile(globals, process.env);
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
