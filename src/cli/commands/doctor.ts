import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { doctorExitCode, renderChecks } from "../../doctor/checks.js";
import { UserError } from "../../errors.js";
import { print } from "../context.js";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "check Node.js, the store and its lock, a running server, disk space, the memory limit and ClickHouse; exit code 1 when something needs doing",
    )
    .addHelpText(
      "after",
      "\nOne line per check: OK with what was found, or FIX with what to do. Changes nothing.\nExit codes: 0 every check is OK, 1 something needs doing.",
    )
    .action(async (_flags: unknown, command: Command) => {
      // The probes load both database clients; only `doctor` needs them.
      const { runChecks } = await import("../../doctor/probe.js");
      const checks = await runChecks(command.optsWithGlobals<GlobalFlags>(), process.env);
      print(renderChecks(checks));
      const code = doctorExitCode(checks);
      if (code !== 0) {
        const failed = checks.filter((c) => !c.ok).length;
        // The CLI's errors end a command with their exit code: this one is doctor's documented 1.
        throw new UserError(
          `${failed} of ${checks.length} checks need doing: see the FIX line${failed === 1 ? "" : "s"} above.`,
          [{ field: "doctor", reason: "checks failed" }],
          500,
          code,
        );
      }
    });
}
