import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { loadDemo } from "../../demo/load-demo.js";
import { print, withStore } from "../context.js";
import { wholeNumber } from "../flags.js";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("load a realistic demo workspace: traffic, ads, newsletter, social, orders")
    .option(
      "--days <n>",
      "days of data, ending today",
      (value: string) => wholeNumber(value, "days", 1, 3660),
      90,
    )
    .option(
      "--seed <n>",
      "random seed (the same seed gives the same data)",
      (value: string) => wholeNumber(value, "seed", 1, 2 ** 31),
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
