import type { Command } from "commander";
import { compareAttribution } from "../../analysis/attribution-comparison.js";
import { adviseBudget } from "../../analysis/budget/advise.js";
import { runExperiment } from "../../analysis/experiments/run-experiment.js";
import { type SizeRequest, sampleSize } from "../../analysis/experiments/size.js";
import { funnelDefinition, funnelRange } from "../../analysis/funnels/resolve.js";
import {
  FUNNEL_GROUP_DIMENSIONS,
  type FunnelStepResult,
  funnelGroupBy,
  runFunnel,
} from "../../analysis/funnels/run-funnel.js";
import type { GlobalFlags } from "../../config.js";
import { UserError } from "../../errors.js";
import type { Lang } from "../../model/lang.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";
import { FORMATS, parseFormat, toCsv, toTable } from "../output.js";

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new UserError(`--${name} "${value}" is not a number.`, [{ field: name, reason: "not a number" }]);
  }
  return n;
}

function langFlag(value: string | undefined): Lang | undefined {
  if (value === undefined) return undefined;
  if (value === "en" || value === "fr") return value;
  throw new UserError(`--lang "${value}" is not en or fr.`, [{ field: "lang", reason: "unknown language" }]);
}

/** `sextant funnel`, `sextant budget`, `sextant experiment`, `sextant attribution`. */
export function registerAnalysis(program: Command): void {
  program
    .command("funnel")
    .description("visitors through ordered steps within a window: a saved funnel by id, or --steps")
    .argument("[id]", "a saved funnel's id")
    .option("--steps <steps>", 'comma-separated steps: "pageview /pricing,Signed Up,Clicked[plan=pro]"')
    .option("--window <duration>", "time allowed from step 1, e.g. 30m, 12h, 7d (default 7d)")
    .option("--from <date>", "first day of entries, YYYY-MM-DD (default: first day with data)")
    .option("--to <date>", "last day of entries, YYYY-MM-DD (default: last day with data)")
    .option(
      "--group-by <dimension>",
      `break down by each entrant's value at step 1: ${FUNNEL_GROUP_DIMENSIONS.join(", ")}`,
    )
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(
      async (
        id: string | undefined,
        flags: {
          steps?: string;
          window?: string;
          from?: string;
          to?: string;
          groupBy?: string;
          format: string;
        },
        command: Command,
      ) => {
        const format = parseFormat(flags.format);
        const globals = command.optsWithGlobals<GlobalFlags>();
        await withStore(globals, async (store) => {
          const workspace = await resolveWorkspace(store, workspaceFlag(globals));
          const result = await runFunnel(
            store,
            workspace,
            await funnelDefinition(store, workspace.name, id, flags),
            await funnelRange(store, workspace, flags),
          );
          if (format === "json") return print(JSON.stringify(result, null, 2));
          const columns = [
            "step",
            "name",
            "visitors",
            "conversion_from_start",
            "conversion_from_previous",
            "drop_off",
            "median_seconds_from_previous",
          ];
          const dim = flags.groupBy === undefined ? undefined : funnelGroupBy(flags.groupBy).name;
          const sections = [
            { label: undefined, steps: result.steps },
            ...(result.groups ?? []).map((group) => ({
              label: String(dim === undefined ? "" : group[dim]),
              steps: group.steps as FunnelStepResult[],
            })),
          ];
          if (format === "csv") {
            // With a breakdown, a first column holds the group's value (empty on the overall rows).
            const withGroup = dim === undefined ? columns : [dim, ...columns];
            const rows = sections.flatMap(({ label, steps }) =>
              steps.map((s) => ({ ...s, ...(dim === undefined ? {} : { [dim]: label ?? "" }) })),
            );
            return print(toCsv(withGroup, rows));
          }
          const show = (x: unknown) =>
            typeof x === "number" ? String(Number(x.toFixed(2))) : x === null ? "—" : String(x);
          const table = (steps: FunnelStepResult[]) =>
            toTable(
              columns,
              steps.map((r) => columns.map((c) => show(r[c as keyof FunnelStepResult]))),
              2,
            );
          print(
            [
              `${result.funnel ?? "funnel"} · ${result.from} → ${result.to} · window ${result.window}\n${table(result.steps)}`,
              ...sections.slice(1).map(({ label, steps }) => `\n${dim} = ${label}\n${table(steps)}`),
              ...(dim !== undefined && sections.length === 1
                ? [`\nNo visitor entered, so no ${dim} to show.`]
                : []),
            ].join("\n"),
          );
        });
      },
    );

  program
    .command("attribution")
    .description("revenue, orders and CPA per campaign under each attribution model, side by side")
    .option("--from <date>", "first day, YYYY-MM-DD (default: first day with data)")
    .option("--to <date>", "last day, YYYY-MM-DD (default: last day with data)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(async (flags: { from?: string; to?: string; format: string }, command: Command) => {
      const format = parseFormat(flags.format);
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const result = await compareAttribution(store, workspace, {
          ...(flags.from ? { from: flags.from } : {}),
          ...(flags.to ? { to: flags.to } : {}),
        });
        if (format === "json") return print(JSON.stringify(result, null, 2));
        const columns = [
          "campaign",
          ...result.models.flatMap((m) => [`${m}.revenue`, `${m}.orders`, `${m}.cpa`]),
        ];
        const flat = result.campaigns.map((c) =>
          Object.fromEntries([
            ["campaign", c.campaign],
            ...result.models.flatMap((m) => [
              [`${m}.revenue`, c[m].revenue],
              [`${m}.orders`, c[m].orders],
              [`${m}.cpa`, c[m].cpa],
            ]),
          ]),
        );
        if (format === "csv") return print(toCsv(columns, flat));
        const show = (x: unknown) => (typeof x === "number" ? x.toFixed(2) : x === null ? "—" : String(x));
        print(
          toTable(
            columns,
            flat.map((row) => columns.map((c) => show(row[c]))),
            1,
          ),
        );
      });
    });

  program
    .command("budget")
    .description("propose next period's budget per campaign from ROI (or CPA) over a range")
    .option("--from <date>", "first day, YYYY-MM-DD (default: first day with data)")
    .option("--to <date>", "last day, YYYY-MM-DD (default: last day with data)")
    .option("--max-shift <percent>", "largest change of a campaign's budget, % of its spend", "20")
    .option("--floor <percent>", "least budget of a campaign, % of its spend", "10")
    .option("--lang <lang>", "en or fr (default: the workspace locale)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(
      async (
        flags: { from?: string; to?: string; maxShift: string; floor: string; lang?: string; format: string },
        command: Command,
      ) => {
        const format = parseFormat(flags.format);
        const globals = command.optsWithGlobals<GlobalFlags>();
        const maxShift = numberFlag("max-shift", flags.maxShift);
        const floor = numberFlag("floor", flags.floor);
        const lang = langFlag(flags.lang);
        await withStore(globals, async (store) => {
          const workspace = await resolveWorkspace(store, workspaceFlag(globals));
          const advice = await adviseBudget(store, workspace, {
            ...(flags.from ? { from: flags.from } : {}),
            ...(flags.to ? { to: flags.to } : {}),
            ...(maxShift === undefined ? {} : { maxShift }),
            ...(floor === undefined ? {} : { floor }),
            ...(lang ? { lang } : {}),
          });
          if (format === "json") return print(JSON.stringify(advice, null, 2));
          const columns = ["campaign", "spend", "roi", "cpa", "proposed", "change", "reason"];
          if (format === "csv")
            return print(
              toCsv(
                columns,
                advice.campaigns.map((c) => ({ ...c })),
              ),
            );
          const show = (x: number | null) => (x === null ? "—" : x.toFixed(2));
          print(
            `${workspace.name} · ${advice.from} → ${advice.to} · total ${advice.total.toFixed(2)}\n${toTable(
              columns,
              advice.campaigns.map((c) => [
                c.campaign,
                show(c.spend),
                show(c.roi),
                show(c.cpa),
                show(c.proposed),
                show(c.change),
                c.reason,
              ]),
              1,
            )}`,
          );
        });
      },
    );

  const experiment = program
    .command("experiment")
    .description("analyse an A/B test from its Experiment Viewed events, or size one (experiment size)")
    .argument(
      "[id]",
      "experiment id (properties.experiment_id of Experiment Viewed events, or a saved experiment)",
    )
    .option("--conversion <event>", "the event that counts as a conversion (default: the saved experiment's)")
    .option(
      "--metric <metric>",
      'a metric per exposed visitor, repeatable: revenue, orders, count:EVENT, sum:EVENT.PROPERTY, conversion:EVENT (e.g. --metric "sum:Order Completed.revenue")',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      "--cuped",
      "variance reduction (CUPED): the same metric before each visitor's first exposure as covariate",
    )
    .option("--lookback <days>", "CUPED's days before each visitor's first exposure", "14")
    .option(
      "--sequential",
      "always-valid intervals and p-values, safe to look at every day (gbstats' sequential test)",
    )
    .option(
      "--tuning <visitors>",
      "the sequential test's tuning parameter: total visitors where intervals are narrowest",
      "5000",
    )
    .option("--control <variation>", "the control variation (default: control, else 0, else the first id)")
    .option("--split <shares>", "planned shares, control first, e.g. 50,50 (default: equal)")
    .option("--from <date>", "first day of the experiment, YYYY-MM-DD")
    .option("--to <date>", "last day of the experiment, YYYY-MM-DD")
    .option("--lang <lang>", "en or fr (default: the workspace locale)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(
      async (
        id: string | undefined,
        flags: {
          conversion?: string;
          control?: string;
          split?: string;
          from?: string;
          to?: string;
          lang?: string;
          format: string;
          metric: string[];
          cuped?: boolean;
          lookback: string;
          sequential?: boolean;
          tuning: string;
        },
        command: Command,
      ) => {
        if (id === undefined) {
          throw new UserError(
            "Name the experiment: sextant experiment ID --conversion EVENT or --metric METRIC (or experiment size …).",
            [{ field: "id", reason: "required" }],
          );
        }
        const format = parseFormat(flags.format);
        const lang = langFlag(flags.lang);
        const split = flags.split?.split(",").map((share) => numberFlag("split", share.trim()) ?? Number.NaN);
        if (split?.some((share) => !(share > 0))) {
          throw new UserError(`--split "${flags.split}" must list positive shares, such as 50,50.`, [
            { field: "split", reason: "positive shares" },
          ]);
        }
        const globals = command.optsWithGlobals<GlobalFlags>();
        await withStore(globals, async (store) => {
          const workspace = await resolveWorkspace(store, workspaceFlag(globals));
          const result = await runExperiment(store, workspace, {
            id,
            ...(flags.conversion ? { conversion: flags.conversion } : {}),
            ...(flags.control ? { control: flags.control } : {}),
            ...(split ? { split } : {}),
            ...(flags.from ? { from: flags.from } : {}),
            ...(flags.to ? { to: flags.to } : {}),
            ...(lang ? { lang } : {}),
            ...(flags.metric.length ? { metrics: flags.metric } : {}),
            ...(flags.cuped
              ? { cuped: true, lookbackDays: numberFlag("lookback", flags.lookback) ?? 14 }
              : {}),
            ...(flags.sequential
              ? { sequential: true, tuning: numberFlag("tuning", flags.tuning) ?? 5000 }
              : {}),
          });
          if (format === "json") return print(JSON.stringify(result, null, 2));
          if (result.metrics) {
            const columns = [
              "metric",
              "id",
              "visitors",
              "mean",
              "diff",
              "lift",
              "p_value",
              "p_value_holm",
              "chance_to_beat_control",
              ...(flags.cuped ? ["variance_reduction"] : []),
            ];
            const rows = result.metrics.flatMap((m) => m.variations.map((v) => ({ metric: m.metric, ...v })));
            if (format === "csv") return print(toCsv(columns, rows));
            const show = (x: unknown) =>
              typeof x === "number"
                ? String(Number(x.toPrecision(4)))
                : x === null || x === undefined
                  ? "—"
                  : String(x);
            const how = [
              flags.cuped ? `CUPED ${flags.lookback} days` : "",
              flags.sequential ? `sequential, tuning ${flags.tuning}` : "",
            ]
              .filter(Boolean)
              .join(" · ");
            return print(
              `${result.experiment} · control ${result.control ?? "—"}${how ? ` · ${how}` : ""}\n${toTable(
                columns,
                rows.map((r) => columns.map((c) => show(r[c as keyof typeof r]))),
                2,
              )}\nSRM p = ${show(result.srm.p_value)}${result.srm.flagged ? " (flagged)" : ""}\n${result.verdict}`,
            );
          }
          const columns = [
            "id",
            "visitors",
            "conversions",
            "rate",
            "lift_abs",
            "lift_rel",
            "p_value",
            "chance_to_beat_control",
          ];
          const rows = result.variations.map((v) => ({ ...v }));
          if (format === "csv") return print(toCsv(columns, rows));
          const show = (x: unknown) =>
            typeof x === "number" ? String(Number(x.toPrecision(4))) : x === null ? "—" : String(x);
          print(
            `${result.experiment} · ${result.conversion} · control ${result.control ?? "—"}\n${toTable(
              columns,
              rows.map((r) => columns.map((c) => show(r[c as keyof typeof r]))),
              1,
            )}\nSRM p = ${show(result.srm.p_value)}${result.srm.flagged ? " (flagged)" : ""}\n${result.verdict}`,
          );
        });
      },
    );
  experiment
    .command("size")
    .description("visitors per variation to detect a change, as R's power.prop.test (two-sided)")
    .requiredOption("--baseline <rate>", "current conversion rate, a proportion such as 0.05")
    .requiredOption(
      "--mde <delta>",
      "smallest change worth detecting: absolute (0.01), or relative with --relative",
    )
    .option("--relative", "read --mde as a relative change (0.1 = +10 %)")
    .option("--alpha <alpha>", "significance level", "0.05")
    .option("--power <power>", "power", "0.8")
    .option("--format <format>", `output: ${FORMATS.join(", ")} (default table)`)
    .action(
      (
        flags: {
          baseline: string;
          mde: string;
          relative?: boolean;
          alpha: string;
          power: string;
          format?: string;
        },
        command: Command,
      ) => {
        // --format may be taken by the parent `experiment` command, which has one too.
        const parentFormat = command.parent?.opts<{ format?: string }>().format;
        const format = parseFormat(flags.format ?? parentFormat ?? "table");
        const request: SizeRequest = {
          baseline: numberFlag("baseline", flags.baseline) ?? Number.NaN,
          mde: numberFlag("mde", flags.mde) ?? Number.NaN,
          relative: flags.relative === true,
          alpha: numberFlag("alpha", flags.alpha) ?? 0.05,
          power: numberFlag("power", flags.power) ?? 0.8,
        };
        const result = sampleSize(request);
        if (format === "json") return print(JSON.stringify(result));
        if (format === "csv") return print(toCsv(["per_variation"], [result]));
        print(String(result.per_variation));
      },
    );
}
