import { constants } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { parseSmtpUrl } from "../../delivery/email.js";
import { DEFAULT_RETRY } from "../../delivery/retry.js";
import { UserError } from "../../errors.js";
import { addDays, parseDate, todayIn } from "../../model/calendar.js";
import type { Lang } from "../../model/lang.js";
import type { Workspace } from "../../model/workspace.js";
import { gatherAudit } from "../../report/gather-audit.js";
import { gatherPeriodic, parseCohortBy } from "../../report/gather-periodic.js";
import { REPORT_PERIODS, type ReportPeriod } from "../../report/periods.js";
import { reportProviders } from "../../report/providers.js";
import { REPORT_FORMATS, type ReportFormat, renderReport } from "../../report/render.js";
import { type DeliveryEntry, deliveryHistory, toEntry } from "../../report/schedules/deliveries.js";
import { type ScheduleOverview, scheduleOverview } from "../../report/schedules/list-schedules.js";
import {
  findSchedule,
  type ReportMailDeps,
  sendScheduledReport,
} from "../../report/schedules/send-report.js";
import type { Store } from "../../store/store.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { io, print, withStore, workspaceFlag } from "../context.js";
import { toTable } from "../output.js";

interface CommonFlags {
  format?: string;
  lang?: string;
  out?: string;
  force?: boolean;
}

export function parseReportFormat(value: string | undefined): ReportFormat {
  if (value !== undefined && (REPORT_FORMATS as readonly string[]).includes(value))
    return value as ReportFormat;
  throw new UserError(
    value === undefined
      ? `--format is required: one of ${REPORT_FORMATS.join(", ")}.`
      : `--format "${value}" is not one of ${REPORT_FORMATS.join(", ")}.`,
    [{ field: "format", reason: value === undefined ? "required" : "unknown format" }],
  );
}

export function parseLang(value: string | undefined, fallback: Lang): Lang {
  if (value === undefined) return fallback;
  if (value === "en" || value === "fr") return value;
  throw new UserError(`--lang "${value}" is not en or fr.`, [{ field: "lang", reason: "unknown language" }]);
}

export function parsePeriod(value: string | undefined): ReportPeriod {
  if (value !== undefined && (REPORT_PERIODS as readonly string[]).includes(value))
    return value as ReportPeriod;
  throw new UserError(
    `--period must be one of ${REPORT_PERIODS.join(", ")}${value === undefined ? "" : `, not "${value}"`}.`,
    [{ field: "period", reason: value === undefined ? "required" : "unknown period" }],
  );
}

/**
 * Writes the file without ever leaving half a report: to a temporary file beside it, then renamed.
 * An existing file is kept unless --force (a typo must not overwrite last month's report).
 */
async function writeReport(out: string, body: Buffer, force: boolean): Promise<string> {
  const path = resolve(io().cwd ?? process.cwd(), out);
  const temporary = join(dirname(path), `.${Date.now()}-${process.pid}.sextant-report.tmp`);
  if (!force) {
    try {
      const handle = await open(path, constants.O_RDONLY);
      await handle.close();
      throw new UserError(`${out} already exists: choose another --out, or add --force to replace it.`, [
        { field: "out", reason: "exists" },
      ]);
    } catch (error) {
      if (error instanceof UserError) throw error;
    }
  }
  try {
    const handle = await open(temporary, "wx");
    await handle.writeFile(body);
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof UserError) throw error;
    throw new UserError(`Cannot write ${out}: ${(error as Error).message}.`, [
      { field: "out", reason: "not writable" },
    ]);
  }
  return path;
}

function requireOut(out: string | undefined): string {
  if (out === undefined || out.trim() === "") {
    throw new UserError("--out FILE is required: the file to write the report to.", [
      { field: "out", reason: "required" },
    ]);
  }
  return out;
}

/** What e-mailed reports need from the environment, read here at start-up and passed in. */
export function reportDepsFromEnv(env: NodeJS.ProcessEnv): ReportMailDeps {
  const smtpUrl = parseSmtpUrl(env.SEXTANT_SMTP_URL);
  return { retry: DEFAULT_RETRY, ...(smtpUrl ? { smtpUrl } : {}) };
}

function parseListFormat(value: string): "table" | "json" {
  if (value === "table" || value === "json") return value;
  throw new UserError(`--format "${value}" is not one of table, json.`, [
    { field: "format", reason: "unknown format" },
  ]);
}

const periodText = (p: { from: string; to: string } | null) => (p ? `${p.from} – ${p.to}` : "—");

function schedulesTable(schedules: readonly ScheduleOverview[]): string {
  if (schedules.length === 0)
    return "No report is scheduled: add one under reports: in the configuration file (sextant config apply).";
  return toTable(
    ["id", "report", "schedule", "next run", "to", "last delivery"],
    schedules.map((s) => [
      s.id,
      s.kind === "periodic" ? `periodic ${s.period ?? ""}` : `audit ${s.campaign ?? ""}`,
      `${s.schedule} (${s.time_zone})`,
      s.next_run ?? "never",
      s.to.join(", "),
      s.last_delivery
        ? `${s.last_delivery.status} ${s.last_delivery.updated_at} (${periodText(s.last_delivery.period)})`
        : "none yet",
    ]),
  );
}

function historyTable(entries: readonly DeliveryEntry[]): string {
  if (entries.length === 0) return "No scheduled report has been sent.";
  return toTable(
    ["created at", "schedule", "period", "to", "status", "attempts", "error"],
    entries.map((e) => [
      e.created_at,
      `${e.schedule}${e.trigger === "manual" ? " (send)" : ""}`,
      periodText(e.period),
      e.recipients.join(", "),
      e.status === "retrying" ? `retrying at ${e.next_attempt_at}` : e.status,
      String(e.attempts),
      e.error ?? "",
    ]),
  );
}

export function registerReport(program: Command): void {
  const report = program
    .command("report")
    .description(
      "write a post-campaign audit or a periodic report (HTML, PDF, Markdown, CSV); e-mail scheduled ones and read their history",
    );
  const common = (command: Command) =>
    command
      .option("--format <format>", `${REPORT_FORMATS.join(" | ")} (required)`)
      .option("--lang <lang>", "en | fr (default: the workspace locale)")
      .option("--out <file>", "the file to write (required; an existing file is kept unless --force)")
      .option("--force", "replace --out if it exists");

  common(
    report
      .command("audit")
      .description(
        "a campaign over its dates: figures, goals, other campaigns, funnel, trends, findings, recommendations",
      )
      .option("--campaign <name>", "the campaign (required)")
      .option("--from <date>", "first day, YYYY-MM-DD (default: the campaign's first day with data)")
      .option("--to <date>", "last day, YYYY-MM-DD (default: the campaign's last day with data)"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  sextant report audit --campaign spring_sale --format pdf --lang fr --out spring.pdf",
    )
    .action(
      async (flags: CommonFlags & { campaign?: string; from?: string; to?: string }, command: Command) => {
        const format = parseReportFormat(flags.format);
        const out = requireOut(flags.out);
        if (flags.campaign === undefined) {
          throw new UserError("--campaign is required: the campaign to audit.", [
            { field: "campaign", reason: "required" },
          ]);
        }
        const campaign = flags.campaign;
        const globals = command.optsWithGlobals<GlobalFlags>();
        await withStore(globals, async (store) => {
          const workspace = await resolveWorkspace(store, workspaceFlag(globals));
          const model = await gatherAudit(
            store,
            workspace,
            {
              campaign,
              lang: parseLang(flags.lang, workspace.settings.locale),
              ...(flags.from ? { from: parseDate(flags.from, "from") } : {}),
              ...(flags.to ? { to: parseDate(flags.to, "to") } : {}),
            },
            reportProviders(store, workspace),
          );
          const rendered = await renderReport(model, format);
          await writeReport(out, rendered.body, flags.force === true);
          print(
            `Wrote the audit of ${model.title.split(": ").slice(1).join(": ") || campaign} (${model.from} to ${model.to}) to ${out}.`,
          );
        });
      },
    );

  common(
    report
      .command("periodic")
      .description(
        "a week, month or quarter: goals, KPIs against the previous period and a year before, trends, highlights",
      )
      .option("--period <period>", `${REPORT_PERIODS.join(" | ")} (required)`)
      .option("--as-of <date>", "a day of the period, reported up to it (default: yesterday)")
      .option(
        "--cohorts <by>",
        "add the retention triangle of the year's cohorts: first_order_month or first_visit_week (docs/cohorts.md)",
      ),
  )
    .addHelpText(
      "after",
      "\nExample:\n  sextant report periodic --period month --as-of 2026-04-30 --format html --out april.html",
    )
    .action(
      async (flags: CommonFlags & { period?: string; asOf?: string; cohorts?: string }, command: Command) => {
        const format = parseReportFormat(flags.format);
        const period = parsePeriod(flags.period);
        const out = requireOut(flags.out);
        const globals = command.optsWithGlobals<GlobalFlags>();
        await withStore(globals, async (store) => {
          const workspace = await resolveWorkspace(store, workspaceFlag(globals));
          const model = await gatherPeriodic(
            store,
            workspace,
            {
              period,
              lang: parseLang(flags.lang, workspace.settings.locale),
              ...(flags.asOf ? { asOf: parseDate(flags.asOf, "as-of") } : {}),
              ...(flags.cohorts ? { cohorts: parseCohortBy(flags.cohorts) } : {}),
            },
            reportProviders(store, workspace),
          );
          const rendered = await renderReport(model, format);
          await writeReport(out, rendered.body, flags.force === true);
          print(`Wrote the ${period} report (${model.from} to ${model.to}) to ${out}.`);
        });
      },
    );

  const listing = <T>(
    name: string,
    description: string,
    load: (store: Store, workspace: Workspace) => Promise<T[]>,
    table: (rows: readonly T[]) => string,
  ) =>
    report
      .command(name)
      .description(description)
      .option("--format <format>", "output: table, json", "table")
      .action(async (flags: { format: string }, command: Command) => {
        const format = parseListFormat(flags.format);
        const globals = command.optsWithGlobals<GlobalFlags>();
        await withStore(globals, async (store) => {
          const rows = await load(store, await resolveWorkspace(store, workspaceFlag(globals)));
          print(format === "json" ? JSON.stringify(rows, null, 2) : table(rows));
        });
      });
  listing(
    "schedules",
    "the scheduled e-mailed reports, with their next run and last delivery",
    (store, workspace) => scheduleOverview(store, workspace),
    schedulesTable,
  );
  listing(
    "history",
    "every scheduled report sent or tried, newest first",
    (store, workspace) => deliveryHistory(store, workspace.name),
    historyTable,
  );

  report
    .command("send")
    .description("e-mail a scheduled report now (through SEXTANT_SMTP_URL) and record it in the history")
    .argument("<schedule>", "the schedule's id (see sextant report schedules)")
    .option("--as-of <date>", "the day the report runs up to, YYYY-MM-DD (default: yesterday)")
    .option("--format <format>", "output: table, json", "table")
    .addHelpText(
      "after",
      "\nExample:\n  SEXTANT_SMTP_URL=smtp://user:pass@mail.example.com:587 sextant report send monthly --as-of 2026-04-30",
    )
    .action(async (id: string, flags: { asOf?: string; format: string }, command: Command) => {
      const format = parseListFormat(flags.format);
      const asOf = flags.asOf === undefined ? undefined : parseDate(flags.asOf, "as-of");
      const deps = reportDepsFromEnv(process.env);
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const schedule = await findSchedule(store, workspace.name, id);
        const day = asOf ?? addDays(todayIn(workspace.settings.timezone), -1);
        const sent = await sendScheduledReport(
          store,
          workspace,
          schedule,
          { asOf: day, trigger: "manual" },
          deps,
        );
        if (sent === null) throw new Error("a manual send was not claimed");
        const entry = toEntry(sent.id, sent.delivery);
        if (format === "json") print(JSON.stringify(entry, null, 2));
        else if (entry.status === "sent")
          print(
            `Sent the report ${schedule.id} (${periodText(entry.period)}) to ${entry.recipients.join(", ")}.`,
          );
        if (entry.status !== "sent") {
          throw new UserError(
            `The report ${schedule.id} was not sent: ${entry.error}${entry.status === "retrying" ? " (sextant serve tries it again)" : ""}.`,
            [{ field: "smtp", reason: entry.status }],
            502,
            1,
          );
        }
      });
    });
}
