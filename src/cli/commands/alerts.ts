import type { Command } from "commander";
import { storedGoals } from "../../alerts/goal-source.js";
import { runTimeAsOf } from "../../alerts/periods.js";
import { type AlertDeps, alertHistory, type HistoryEntry, runAlerts } from "../../alerts/run-alerts.js";
import { allowPrivateWebhooks, type GlobalFlags } from "../../config.js";
import { parseSmtpUrl } from "../../delivery/email.js";
import { DEFAULT_RETRY } from "../../delivery/retry.js";
import { UserError } from "../../errors.js";
import { parseDate } from "../../model/calendar.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { io, print, withStore, workspaceFlag } from "../context.js";
import { toTable } from "../output.js";

function parseAlertFormat(value: string): "table" | "json" {
  if (value === "table" || value === "json") return value;
  throw new UserError(`--format "${value}" is not one of table, json.`, [
    { field: "format", reason: "unknown format" },
  ]);
}

/** What alert runs need from the environment, read here at start-up and passed in. */
export function alertDepsFromEnv(env: NodeJS.ProcessEnv): AlertDeps {
  const smtpUrl = parseSmtpUrl(env.SEXTANT_SMTP_URL);
  return {
    goals: storedGoals,
    delivery: {
      retry: DEFAULT_RETRY,
      allowPrivateTargets: allowPrivateWebhooks(env),
      ...(smtpUrl ? { smtpUrl } : {}),
    },
  };
}

function historyTable(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return "No alert has fired.";
  return toTable(
    ["fired at", "rule", "period", "value", "threshold", "deliveries"],
    entries.map((e) => [
      e.fired_at,
      e.rule,
      e.period.from === e.period.to ? e.period.from : `${e.period.from} – ${e.period.to}`,
      e.value === null ? "—" : String(e.value),
      e.threshold === null ? "—" : String(e.threshold),
      e.deliveries
        .map((d) => `${d.channel}: ${d.status}${d.status === "failed" ? ` (${d.error})` : ""}`)
        .join("; "),
    ]),
  );
}

export function registerAlerts(program: Command): void {
  const alerts = program.command("alerts").description("run alert rules and read the alert history");

  alerts
    .command("run")
    .description("evaluate the alert rules now, or as if run at the start of the day after --as-of")
    .option("--as-of <date>", "replay a day, YYYY-MM-DD: the last complete day is this one")
    .option("--format <format>", "output: table, json", "table")
    .action(async (flags: { asOf?: string; format: string }, command: Command) => {
      const format = parseAlertFormat(flags.format);
      const asOf = flags.asOf === undefined ? undefined : parseDate(flags.asOf, "as-of");
      const deps = alertDepsFromEnv(process.env);
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const runTime = asOf === undefined ? new Date() : runTimeAsOf(asOf, workspace.settings.timezone);
        const report = await runAlerts(store, workspace, { runTime }, deps);
        if (format === "json") print(JSON.stringify(report, null, 2));
        else {
          print(
            `${workspace.name}: ${report.rules} rule${report.rules === 1 ? "" : "s"} run as of ${report.as_of}, ${report.firings.length} fired.`,
          );
          if (report.firings.length > 0) print(historyTable(report.firings));
          if (report.retried.length > 0) {
            print("Deliveries tried again:");
            print(historyTable(report.retried));
          }
        }
        const failed = [...report.firings, ...report.retried].flatMap((f) =>
          f.deliveries
            .filter((d) => d.status === "failed")
            .map((d) => `${f.rule} → ${d.channel}: ${d.error}`),
        );
        if (failed.length > 0) {
          io().stderr(
            `sextant: ${failed.length} deliver${failed.length === 1 ? "y" : "ies"} failed and will be tried again at the next run:\n${failed.map((f) => `  ${f}`).join("\n")}\n`,
          );
        }
      });
    });

  alerts
    .command("history")
    .description("every firing and delivery, newest first")
    .option("--format <format>", "output: table, json", "table")
    .action(async (flags: { format: string }, command: Command) => {
      const format = parseAlertFormat(flags.format);
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const history = await alertHistory(store, workspace.name);
        print(format === "json" ? JSON.stringify(history, null, 2) : historyTable(history));
      });
    });
}
