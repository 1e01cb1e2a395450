import type { Command } from "commander";
import { runSegments, type SegmentsResult } from "../../analysis/segments/run-segments.js";
import type { GlobalFlags } from "../../config.js";
import { KPI_BY_ID } from "../../kpi/catalog.js";
import { formatValue } from "../../kpi/format.js";
import type { Workspace } from "../../model/workspace.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";
import { wholeNumber } from "../flags.js";
import { FORMATS, type Format, parseFormat, toCsv, toTable } from "../output.js";

const COLUMNS = ["value", "share", "diff_abs", "diff_rel", "p_value", "p_value_holm", "significant"] as const;

/** `sextant segments`: one KPI across the segments of a dimension. */
export function registerSegments(program: Command): void {
  program
    .command("segments")
    .description(
      "compare a KPI across the segments of a dimension: value, share, difference from the whole, and a significance test for rates",
    )
    .requiredOption("--kpi <id>", "the KPI to compare (see `sextant kpi list`)")
    .requiredOption(
      "--by <dimension>",
      "the dimension: campaign, channel, utm_source, landing_page, device, country, network, props.NAME, a cost breakdown…",
    )
    .option("--from <date>", "first day, YYYY-MM-DD (default: first day with data)")
    .option("--to <date>", "last day, YYYY-MM-DD (default: last day with data)")
    .option("--where <filter...>", "keep rows where dimension=value (repeatable)")
    .option("--limit <n>", "show the first N segments by value (p-values are still adjusted over all)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .addHelpText(
      "after",
      "\nExamples:\n  sextant segments --kpi conversion_rate --by device --from 2026-03-01 --to 2026-03-31" +
        "\n  sextant segments --kpi revenue --by campaign --where channel=paid --limit 10 --format json",
    )
    .action(
      async (
        flags: {
          kpi: string;
          by: string;
          from?: string;
          to?: string;
          where?: string[];
          limit?: string;
          format: string;
        },
        command: Command,
      ) => {
        const format = parseFormat(flags.format);
        const limit = flags.limit === undefined ? undefined : wholeNumber(flags.limit, "limit", 1, 1_000_000);
        const globals = command.optsWithGlobals<GlobalFlags>();
        await withStore(globals, async (store) => {
          const workspace = await resolveWorkspace(store, workspaceFlag(globals));
          const result = await runSegments(store, workspace, {
            kpi: flags.kpi,
            by: flags.by,
            ...(flags.from ? { from: flags.from } : {}),
            ...(flags.to ? { to: flags.to } : {}),
            where: flags.where ?? [],
            ...(limit === undefined ? {} : { limit }),
          });
          print(renderSegments(result, format, workspace));
        });
      },
    );
}

/** The segments in the format asked for: the JSON of docs/segments.md, CSV rows, or a table. */
export function renderSegments(result: SegmentsResult, format: Format, workspace: Workspace): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(result, null, 2)}\n`;
    case "csv":
      return toCsv([result.by, ...COLUMNS], result.segments);
    case "table":
      return segmentsTable(result, workspace);
    default: {
      const unknown: never = format;
      throw new Error(`unknown format ${String(unknown)}`);
    }
  }
}

function segmentsTable(result: SegmentsResult, workspace: Workspace): string {
  const { locale, currency } = workspace.settings;
  const def = KPI_BY_ID.get(result.kpi);
  const value = (x: unknown) => {
    const n = typeof x === "number" ? x : null;
    if (def) return formatValue(n, def.unit, locale, currency);
    return n === null ? "—" : String(Number(n.toPrecision(6)));
  };
  const percent = (x: unknown) => (typeof x === "number" ? formatValue(x, "percent", locale, currency) : "—");
  const p = (x: unknown) => (typeof x === "number" ? String(Number(x.toPrecision(4))) : "—");
  const title =
    `${result.workspace} · ${result.kpi} by ${result.by} · ${result.from} → ${result.to}` +
    ` · total ${value(result.total)}\n`;
  if (result.segments.length === 0) {
    return `${title}No segments: there is no data for ${result.kpi} by ${result.by} in this range.\n`;
  }
  const rows = result.segments.map((s) => [
    String(s[result.by] ?? ""),
    value(s.value),
    percent(s.share),
    value(s.diff_abs),
    percent(s.diff_rel),
    p(s.p_value),
    p(s.p_value_holm),
    s.significant === null ? "—" : s.significant ? "yes" : "no",
  ]);
  const notes = [
    result.share_of ? `share: percent of ${result.share_of}` : "share: none for a custom formula",
    result.test ? `test: ${result.test}, significant below 0.05` : "no significance test: not a proportion",
  ];
  return `${title}${toTable([result.by, ...COLUMNS], rows, 1)}\n${notes.join("; ")}.\n`;
}
