#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { isUserError } from "../errors.js";
import { registerDemo } from "./commands/demo.js";
import { registerImport } from "./commands/import.js";
import { registerKeys } from "./commands/keys.js";
import { registerKpi } from "./commands/kpi.js";
import { registerServe } from "./commands/serve.js";
import { registerWorkspace } from "./commands/workspace.js";

/** The `sextant` program: a thin layer that parses flags, calls the core and prints. */
export function buildProgram(): Command {
  const program = new Command("sextant")
    .description("Sextant: marketing KPIs from your web events, ad costs, e-mail, social metrics and orders")
    .version("0.1.0")
    .option("--db <file>", "DuckDB store file (default ./sextant-data/sextant.duckdb, or SEXTANT_DB)")
    .option("--clickhouse <url>", "ClickHouse store URL (or SEXTANT_CLICKHOUSE_URL)")
    .option(
      "--clickhouse-cluster <name>",
      "ClickHouse cluster for Distributed tables (or SEXTANT_CLICKHOUSE_CLUSTER)",
    )
    .option("--workspace <name>", "workspace to use (or SEXTANT_WORKSPACE; default: the only one)")
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerWorkspace(program);
  registerDemo(program);
  registerImport(program);
  registerKpi(program);
  registerKeys(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isUserError(error)) {
      process.stderr.write(`sextant: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `sextant: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

const code = await main(process.argv);
// `serve` keeps running; every other command ends here.
if (code !== 0 || !process.argv.includes("serve")) process.exitCode = code;
