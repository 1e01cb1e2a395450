import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { fileFormat, parseColumnMap, parseImportKind } from "../../import/options.js";
import { describePresets } from "../../import/presets/index.js";
import { type ImportResult, importFile } from "../../import/run-import.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { io, isForwarded, print, withStore, workspaceFlag } from "../context.js";

interface ImportFlags {
  preset?: string;
  map?: string;
  dateFormat?: string;
  skipInvalid?: boolean;
  format: "table" | "json";
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "import a CSV or JSON Lines file of events, costs, email, social or orders, or an ad platform's or Mailchimp's own export",
    )
    .argument("<kind>", "events | costs | email | social | orders")
    .argument("<file>", "a .csv file with a header row, or a .jsonl file")
    .option("--preset <name>", `read a platform's own export: ${describePresets()}`)
    .option("--map <pairs>", "rename columns: target=source,... (e.g. spend=Spent,date=Day)")
    .option(
      "--date-format <format>",
      "read dates like 31-08-2023 with DD-MM-YYYY (tokens YYYY MM DD HH mm ss)",
    )
    .option("--skip-invalid", "store the good rows and list every bad one (default: all or nothing)")
    .option("--format <format>", "summary as table or json", "table")
    .addHelpText(
      "after",
      "\nExamples:\n  sextant import costs google-ads-campaigns.csv --preset google-ads\n" +
        "  sextant import email mailchimp-campaigns.csv              # a known export is recognised by its header\n" +
        "  sextant import costs facebook.csv --map date=Date,campaign=xyz_campaign_id,spend=Spent --date-format DD-MM-YYYY",
    )
    .action(async (rawKind: string, file: string, flags: ImportFlags, command: Command) => {
      const kind = parseImportKind(rawKind);
      file = resolve(io().cwd ?? process.cwd(), file);
      const map = parseColumnMap(kind, flags.map);
      const globals = command.optsWithGlobals<GlobalFlags>();
      const summary = await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const bar =
          process.stderr.isTTY && flags.format !== "json" && !isForwarded()
            ? new SingleBar({ format: `Importing ${kind} [{bar}] {percentage}%`, stream: process.stderr })
            : null;
        bar?.start(100, 0);
        let summary: ImportResult;
        try {
          summary = await importFile(store, {
            workspace,
            kind,
            file,
            format: fileFormat(file),
            preset: flags.preset ?? null,
            map,
            dateFormat: flags.dateFormat ?? null,
            skipInvalid: flags.skipInvalid ?? false,
            ...(bar ? { onProgress: (done: number) => bar.update(done) } : {}),
          });
        } finally {
          bar?.stop();
        }
        // Sessions are derived now, so that the first query (maybe in a server) does not pay for it.
        if (kind === "events" || kind === "orders") await store.refreshDerived(workspace);
        return summary;
      });
      print(flags.format === "json" ? JSON.stringify(summary, null, 2) : describeSummary(summary, file));
    });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function describeSummary(s: ImportResult, file: string): string {
  const preset = s.preset === null ? "" : ` (preset ${s.preset})`;
  const lines = [
    `Imported ${s.kind} from ${file}${preset}: ${plural(s.rowsRead, "row")} read, ${s.rowsStored} stored` +
      (s.rowsReplaced ? `, ${s.rowsReplaced} earlier rows replaced` : "") +
      (s.rowsDuplicate ? `, ${s.rowsDuplicate} already stored (skipped)` : "") +
      `, ${s.rejected.length} rejected` +
      (s.totalRowsSkipped ? `, ${plural(s.totalRowsSkipped, "total row")} left out` : "") +
      ".",
  ];
  for (const r of s.rejected) lines.push(`  line ${r.line}: ${r.reason}`);
  return lines.join("\n");
}
