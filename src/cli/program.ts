import { Command } from "commander";
import type { CliRunner } from "../server/routes/admin.js";
import { registerAlerts } from "./commands/alerts.js";
import { registerAnalysis } from "./commands/analysis.js";
import { registerCohorts } from "./commands/cohorts.js";
import { registerConfig } from "./commands/config.js";
import { registerDemo } from "./commands/demo.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerGoals, registerReview } from "./commands/goals.js";
import { registerImport } from "./commands/import.js";
import { registerKeys } from "./commands/keys.js";
import { registerKpi } from "./commands/kpi.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerPeople } from "./commands/people.js";
import { registerReport } from "./commands/report.js";
import { registerSegments } from "./commands/segments.js";
import { registerServe } from "./commands/serve.js";
import { registerShare } from "./commands/share.js";
import { registerUsers } from "./commands/users.js";
import { registerWorkspace } from "./commands/workspace.js";
import { io } from "./context.js";
import { VERSION } from "./version.js";

/**
 * The `sextant` program: a thin layer that parses flags, calls the core and prints. `runCli` is
 * what `serve` runs for commands forwarded from this machine (run.ts passes itself).
 */
export function buildProgram(runCli: CliRunner): Command {
  const program = new Command("sextant")
    .description("Sextant: marketing KPIs from your web events, ad costs, e-mail, social metrics and orders")
    .version(VERSION)
    .option("--db <file>", "DuckDB store file (default ./sextant-data/sextant.duckdb, or SEXTANT_DB)")
    .option("--clickhouse <url>", "ClickHouse store URL (or SEXTANT_CLICKHOUSE_URL)")
    .option(
      "--clickhouse-cluster <name>",
      "ClickHouse cluster for Distributed tables (or SEXTANT_CLICKHOUSE_CLUSTER)",
    )
    .option("--workspace <name>", "workspace to use (or SEXTANT_WORKSPACE; default: the only one)")
    .option(
      "--memory-limit <size>",
      "memory the process may use with the DuckDB store, e.g. 4GB (or SEXTANT_MEMORY_LIMIT; default a quarter of RAM, serve 512MB)",
    )
    .configureOutput({ writeOut: (text) => io().stdout(text), writeErr: (text) => io().stderr(text) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride();
  registerServe(program, runCli);
  registerWorkspace(program);
  registerDemo(program);
  registerImport(program);
  registerKpi(program);
  registerKeys(program);
  registerMigrate(program);
  registerDoctor(program);
  registerConfig(program);
  registerGoals(program);
  registerReview(program);
  registerAlerts(program);
  registerShare(program);
  registerUsers(program);
  registerReport(program);
  registerAnalysis(program);
  registerCohorts(program);
  registerSegments(program);
  registerPeople(program);
  return program;
}
