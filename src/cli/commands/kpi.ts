import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { UserError } from "../../errors.js";
import { KPI_CATALOG } from "../../kpi/catalog.js";
import { kpiCatalogMarkdown } from "../../kpi/catalog-markdown.js";
import { parseCustomKpi } from "../../kpi/custom-kpis.js";
import { ATTRIBUTIONS, type Attribution, runKpiQuery } from "../../kpi/run-query.js";
import { INTERVALS, type Interval } from "../../model/calendar.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";
import { FORMATS, parseFormat, renderKpis, toCsv, toTable } from "../output.js";

interface KpiFlags {
  kpis?: string;
  from?: string;
  to?: string;
  interval?: string;
  groupBy?: string;
  where?: string[];
  format: string;
  attribution?: string;
}

/** Checks an --attribution value. */
export function parseAttribution(value: string | undefined): Attribution | undefined {
  if (value === undefined) return undefined;
  if ((ATTRIBUTIONS as readonly string[]).includes(value)) return value as Attribution;
  throw new UserError(`--attribution "${value}" is not one of ${ATTRIBUTIONS.join(", ")}.`, [
    { field: "attribution", reason: "unknown model" },
  ]);
}

const list = (value: string | undefined) =>
  value === undefined
    ? []
    : value
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");

function parseInterval(value: string | undefined): Interval | null {
  if (value === undefined) return null;
  if ((INTERVALS as readonly string[]).includes(value)) return value as Interval;
  throw new UserError(`--interval "${value}" is not one of ${INTERVALS.join(", ")}.`, [
    { field: "interval", reason: "unknown interval" },
  ]);
}

export function registerKpi(program: Command): void {
  const kpi = program
    .command("kpi")
    .description("compute KPIs for a range, by interval, grouped and filtered")
    .option("--kpis <ids>", "comma-separated KPI ids (default: all); see `sextant kpi list`")
    .option("--from <date>", "first day, YYYY-MM-DD (default: first day with data)")
    .option("--to <date>", "last day, YYYY-MM-DD (default: last day with data)")
    .option("--interval <interval>", `one row per ${INTERVALS.join(" | ")}`)
    .option(
      "--group-by <dims>",
      "comma-separated dimensions: campaign, channel, utm_source, network, device, props.NAME, a cost breakdown…; " +
        "page (a page view's path) for pageviews, visitors, time_on_page and scroll_depth",
    )
    .option("--where <filter...>", "keep rows where dimension=value (repeatable)")
    .option("--format <format>", `output: ${FORMATS.join(", ")} (kpi list also md)`, "table")
    .option(
      "--attribution <model>",
      `attribution model for this query: ${ATTRIBUTIONS.join(", ")} (default: the workspace's)`,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  sextant kpi --kpis visitors,conversion_rate,cpa --from 2026-01-01 --to 2026-03-31 --interval month --group-by campaign --where channel=paid" +
        "\n  sextant kpi --group-by page --from 2026-03-01 --to 2026-03-31   # top pages: pageviews, visitors, time_on_page, scroll_depth",
    )
    .action(async (flags: KpiFlags, command: Command) => {
      const format = parseFormat(flags.format);
      const attribution = parseAttribution(flags.attribution);
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const result = await runKpiQuery(store, workspace, {
          kpis: list(flags.kpis),
          ...(flags.from ? { from: flags.from } : {}),
          ...(flags.to ? { to: flags.to } : {}),
          interval: parseInterval(flags.interval),
          groupBy: list(flags.groupBy),
          where: flags.where ?? [],
          ...(attribution ? { attribution } : {}),
        });
        print(renderKpis(result, format, workspace));
      });
    });

  kpi
    .command("list")
    .description(
      "list the built-in and custom KPIs with their definitions (--format md: the built-in catalog as Markdown, docs/kpis.md)",
    )
    .action(async (_flags: unknown, command: Command) => {
      // --format is the `kpi` command's own, inherited (commander gives it to the parent).
      const globals = command.optsWithGlobals<GlobalFlags & { format: string }>();
      // The reference page: the catalog alone, with no store opened (custom KPIs are a workspace's).
      if (globals.format === "md") return print(kpiCatalogMarkdown());
      const format = parseFormat(globals.format);
      const custom = await withStore(globals, async (store) => {
        const all = await store.listWorkspaces();
        const name = workspaceFlag(globals);
        if (all.length === 0 && name === undefined) return [];
        return store.listCustomKpis((await resolveWorkspace(store, name)).name);
      }).catch((error: unknown) =>
        error instanceof UserError && error.details[0]?.reason === "ambiguous" ? [] : Promise.reject(error),
      );
      const rows = [
        ...KPI_CATALOG.map((k) => ({ id: k.id, unit: k.unit, better: k.better, definition: k.definition })),
        ...custom.map((c) => ({ id: c.id, unit: "custom", better: "higher", definition: c.formula })),
      ];
      if (format === "json") return print(JSON.stringify(rows, null, 2));
      if (format === "csv") return print(toCsv(["id", "unit", "better", "definition"], rows));
      print(
        toTable(
          ["id", "unit", "definition"],
          rows.map((r) => [r.id, r.unit, r.definition]),
        ),
      );
    });

  kpi
    .command("define")
    .description('save a custom KPI, e.g. sextant kpi define profit "revenue * 0.4 - spend"')
    .argument("<id>", "lower-case id")
    .argument("<formula>", "over KPI ids, numbers, + - * /, ( ), min, max, abs, if(cond, a, b)")
    .action(async (id: string, formula: string, _flags: unknown, command: Command) => {
      const parsed = parseCustomKpi(id, formula);
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        await store.saveCustomKpi(workspace.name, parsed.id, parsed.formula.source);
        print(`Saved KPI ${parsed.id} = ${parsed.formula.source} in ${workspace.name}.`);
      });
    });

  kpi
    .command("remove")
    .description("delete a custom KPI")
    .argument("<id>", "custom KPI id")
    .action(async (id: string, _flags: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        if (!(await store.deleteCustomKpi(workspace.name, id))) {
          throw new UserError(
            `There is no custom KPI "${id}" in ${workspace.name}.`,
            [{ field: "id", reason: "not found" }],
            404,
          );
        }
        print(`Removed KPI ${id} from ${workspace.name}.`);
      });
    });
}
