import type { Command } from "commander";
import { runCohorts } from "../../analysis/cohorts/run-cohorts.js";
import { COHORT_BYS, COHORT_KPIS, type Triangle } from "../../analysis/cohorts/triangle.js";
import type { GlobalFlags } from "../../config.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";
import { FORMATS, parseFormat, toCsv, toTable } from "../output.js";

/** The triangle as rows: cohort, size, then one column per period since the start. */
export function triangleRows(t: Triangle): { columns: string[]; rows: Record<string, unknown>[] } {
  const columns = ["cohort", "size", ...Array.from({ length: t.periods }, (_, k) => `${t.period}_${k}`)];
  const rows = t.cohorts.map((c) => ({
    cohort: c.cohort,
    size: c.size,
    ...Object.fromEntries(c.values.map((v, k) => [`${t.period}_${k}`, v])),
  }));
  return { columns, rows };
}

/** `sextant cohorts --by first_order_month|first_visit_week --kpi retention|revenue|orders`. */
export function registerCohorts(program: Command): void {
  program
    .command("cohorts")
    .description(
      "cohort triangle: each cohort's retention, revenue or orders in each period since it started",
    )
    .requiredOption("--by <cohort>", `who a cohort is: ${COHORT_BYS.join(" or ")}`)
    .requiredOption(
      "--kpi <kpi>",
      `the figure in each period: ${COHORT_KPIS.join(", ")} (retention in percent)`,
    )
    .option("--from <date>", "first day a cohort may start, YYYY-MM-DD (default: the first day with data)")
    .option("--to <date>", "last day counted, YYYY-MM-DD (default: the last day with data)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(
      async (
        flags: { by: string; kpi: string; from?: string; to?: string; format: string },
        command: Command,
      ) => {
        const format = parseFormat(flags.format);
        const globals = command.optsWithGlobals<GlobalFlags>();
        await withStore(globals, async (store) => {
          const workspace = await resolveWorkspace(store, workspaceFlag(globals));
          const triangle = await runCohorts(store, workspace, {
            by: flags.by,
            kpi: flags.kpi,
            ...(flags.from ? { from: flags.from } : {}),
            ...(flags.to ? { to: flags.to } : {}),
          });
          if (format === "json") return print(JSON.stringify(triangle, null, 2));
          const { columns, rows } = triangleRows(triangle);
          if (format === "csv") return print(toCsv(columns, rows));
          const show = (x: unknown) =>
            typeof x === "number"
              ? String(Number(x.toFixed(2)))
              : x === null || x === undefined
                ? ""
                : String(x);
          print(
            `${workspace.name} · ${triangle.by} · ${triangle.kpi} · ${triangle.from} → ${triangle.to}\n${toTable(
              columns,
              rows.map((r) => columns.map((c) => show(r[c]))),
              1,
            )}`,
          );
        });
      },
    );
}
