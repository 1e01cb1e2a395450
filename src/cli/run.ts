import { CommanderError } from "commander";
import { type GlobalFlags, storeConfig } from "../config.js";
import { isUserError } from "../errors.js";
import { readServeLock } from "../server/serve-lock.js";
import { type CliIo, withIo } from "./context.js";
import { buildProgram } from "./program.js";

/**
 * Commands that need the file itself: `migrate` reads it whole, `serve` would hold it, `doctor`
 * inspects the file and its lock from outside (a server would only report on itself).
 */
const NOT_FORWARDED = new Set(["serve", "migrate", "doctor"]);

/** Runs the CLI with the given output; returns the exit code. */
export function runCli(argv: readonly string[], cliIo: CliIo): Promise<number> {
  return withIo(cliIo, async () => {
    const program = buildProgram(runCli);
    let invoked = "";
    program.hook("preAction", (_program, action) => {
      invoked = action.name();
    });
    try {
      await program.parseAsync([...argv]);
      return 0;
    } catch (error) {
      if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
      if (isUserError(error)) {
        if (error.details[0]?.reason === "file locked" && !cliIo.store && !NOT_FORWARDED.has(invoked)) {
          const forwarded = await forwardToServer(argv, program.opts<GlobalFlags>(), cliIo);
          if (forwarded !== null) return forwarded;
        }
        cliIo.stderr(`sextant: ${error.message}\n`);
        return error.exitCode;
      }
      cliIo.stderr(
        `sextant: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      return 1;
    }
  });
}

/**
 * DuckDB lets one process open a file. When `sextant serve` holds it, the command is sent to that
 * server (over loopback, with the token it left beside the store) and runs there on its store.
 */
async function forwardToServer(
  argv: readonly string[],
  flags: GlobalFlags,
  cliIo: CliIo,
): Promise<number | null> {
  const config = storeConfig(flags, process.env);
  if (config.kind !== "duckdb") return null;
  const lock = readServeLock(config.location);
  if (!lock) return null;
  const args = [...argv.slice(2)];
  const workspace = process.env.SEXTANT_WORKSPACE;
  if (workspace && !args.includes("--workspace")) args.push("--workspace", workspace);
  try {
    const response = await fetch(`http://127.0.0.1:${lock.port}/api/v1/admin/cli`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${lock.token}` },
      body: JSON.stringify({ args, cwd: process.cwd() }),
    });
    if (!response.ok) return null;
    const result = (await response.json()) as { stdout: string; stderr: string; exitCode: number };
    cliIo.stdout(result.stdout);
    cliIo.stderr(result.stderr);
    return result.exitCode;
  } catch {
    return null;
  }
}
