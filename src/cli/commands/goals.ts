import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { UserError } from "../../errors.js";
import { evaluateGoals } from "../../goals/evaluate.js";
import { num } from "../../goals/numbers.js";
import { reviewKpis } from "../../goals/review.js";
import { goalHistory, SNAPSHOT_INTERVALS, type SnapshotInterval } from "../../goals/snapshots.js";
import type { Lang } from "../../model/lang.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";
import { FORMATS, parseFormat, toCsv, toTable } from "../output.js";

function parseLang(value: string | undefined): Lang | undefined {
  if (value === undefined || value === "en" || value === "fr") return value;
  throw new UserError(`--lang "${value}" is not one of en, fr.`, [
    { field: "lang", reason: "unknown language" },
  ]);
}

interface GoalsFlags {
  asOf?: string;
  format: string;
  lang?: string;
}

const COLUMNS = [
  "id",
  "kpi",
  "kind",
  "target",
  "current",
  "expected",
  "progress",
  "forecast",
  "required_per_day",
  "status",
] as const;

export function registerGoals(program: Command): void {
  const goals = program
    .command("goals")
    .description(
      "every goal's current value, expected value, progress, forecast and status (docs/goals.md#goals-and-their-figures)",
    )
    .option("--as-of <date>", "replay any day, YYYY-MM-DD (default: today)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .option("--lang <lang>", "en or fr (default: the workspace locale)")
    .action(async (flags: GoalsFlags, command: Command) => {
      const format = parseFormat(flags.format);
      const lang = parseLang(flags.lang);
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const report = await evaluateGoals(store, workspace, {
          ...(flags.asOf ? { asOf: flags.asOf } : {}),
          ...(lang ? { lang } : {}),
        });
        if (format === "json") return print(JSON.stringify(report, null, 2));
        const rows = report.goals.map((g) => ({ ...g }));
        if (format === "csv") return print(toCsv([...COLUMNS], rows));
        const l = lang ?? workspace.settings.locale;
        const show = (v: unknown) =>
          typeof v === "number" || v === null ? num(v as number | null, l) : String(v);
        const flagged = report.goals.flatMap((g) =>
          Object.entries(g.smart)
            .filter(([, verdict]) => !verdict.ok)
            .map(([letter, verdict]) => `  ${g.id} ${letter}: ${verdict.message}`),
        );
        print(
          `${workspace.name} · goals as of ${report.as_of}\n${toTable(
            [...COLUMNS],
            report.goals.map((g) => COLUMNS.map((c) => show(g[c]))),
            3,
          )}${flagged.length ? `\nSMART warnings:\n${flagged.join("\n")}` : ""}\n`,
        );
      });
    });

  goals
    .command("history")
    .description("a goal's snapshots, one per complete week, month or quarter (kept in the store)")
    .argument("<id>", "goal id")
    .option("--interval <interval>", SNAPSHOT_INTERVALS.join(" | "), "week")
    .action(async (id: string, flags: { interval: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags & GoalsFlags>();
      const format = parseFormat(globals.format);
      if (!(SNAPSHOT_INTERVALS as readonly string[]).includes(flags.interval)) {
        throw new UserError(
          `--interval "${flags.interval}" is not one of ${SNAPSHOT_INTERVALS.join(", ")}.`,
          [{ field: "interval", reason: "unknown interval" }],
        );
      }
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const history = await goalHistory(
          store,
          workspace,
          id,
          flags.interval as SnapshotInterval,
          globals.asOf,
        );
        if (format === "json") return print(JSON.stringify(history, null, 2));
        const columns = ["period", "as_of", "current", "expected", "progress", "forecast", "status"];
        if (format === "csv") return print(toCsv(columns, history.snapshots));
        const l = workspace.settings.locale;
        print(
          toTable(
            columns,
            history.snapshots.map((s) =>
              columns.map((c) => {
                const v = s[c as keyof typeof s];
                return typeof v === "number" || v === null ? num(v, l) : String(v);
              }),
            ),
            2,
          ),
        );
      });
    });
}

export function registerReview(program: Command): void {
  program
    .command("review")
    .description("KPI review: goals past their deadline, objectives without goals, unwatched or silent KPIs")
    .option("--as-of <date>", "review as of this day, YYYY-MM-DD (default: today)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .option("--lang <lang>", "en or fr (default: the workspace locale)")
    .action(async (flags: GoalsFlags, command: Command) => {
      const format = parseFormat(flags.format);
      const lang = parseLang(flags.lang);
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const review = await reviewKpis(store, workspace, {
          ...(flags.asOf ? { asOf: flags.asOf } : {}),
          ...(lang ? { lang } : {}),
        });
        if (format === "json") return print(JSON.stringify(review, null, 2));
        if (format === "csv")
          return print(
            toCsv(
              ["kind", "subject", "message", "action"],
              review.items.map((i) => ({ ...i })),
            ),
          );
        print(
          review.items.length === 0
            ? `Nothing to review as of ${review.as_of}.`
            : review.items.map((i) => `• ${i.message}\n  → ${i.action}`).join("\n"),
        );
      });
    });
}
