import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { loadDemo } from "../../demo/load-demo.js";
import { UserError } from "../../errors.js";
import { print, withStore } from "../context.js";

function positiveInteger(name: string, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new UserError(`--${name} must be a whole number from 1 to ${max}.`, [
        { field: name, reason: "out of range" },
      ]);
    }
    return n;
  };
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("load a realistic demo workspace: traffic, ads, newsletter, social, orders")
    .option("--days <n>", "days of data, ending today", positiveInteger("days", 3660), 90)
    .option(
      "--seed <n>",
      "random seed (the same seed gives the same data)",
      positiveInteger("seed", 2 ** 31),
      1,
    )
    .option("--end <date>", "last day of data (YYYY-MM-DD), today by default")
    .action(async (flags: { days: number; seed: number; end?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      const name = globals.workspace ?? "demo";
      const { summaries } = await withStore(globals, (store) =>
        loadDemo(store, {
          name,
          days: flags.days,
          seed: flags.seed,
          ...(flags.end ? { endDate: flags.end } : {}),
        }),
      );
      const counts = summaries.map((s) => `${s.rowsStored} ${s.kind}`).join(", ");
      print(`Loaded the demo workspace "${name}" (${flags.days} days, seed ${flags.seed}): ${counts}.`);
      print(
        `Try: sextant kpi --workspace ${name} --interval week --kpis visitors,conversion_rate,revenue,roas`,
      );
    });
}
