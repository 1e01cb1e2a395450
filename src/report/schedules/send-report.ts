import { type ReportSchedule, reportScheduleSchema } from "../../definitions/schemas.js";
import { type EmailAttachment, type EmailMessage, sendEmail } from "../../delivery/email.js";
import { DeliveryError, describeFailure, type RetryPolicy, withRetries } from "../../delivery/retry.js";
import { UserError } from "../../errors.js";
import { addDays, todayIn } from "../../model/calendar.js";
import type { Workspace } from "../../model/workspace.js";
import type { Store } from "../../store/store.js";
import { gatherAudit } from "../gather-audit.js";
import { gatherPeriodic } from "../gather-periodic.js";
import type { ReportModel } from "../model.js";
import { periodRange } from "../periods.js";
import { reportProviders } from "../providers.js";
import { type ReportFormat, renderReport, reportFileName } from "../render.js";
import { renderMarkdown } from "../render-markdown.js";
import {
  claimDelivery,
  claimToken,
  listDeliveries,
  type ReportDelivery,
  STALE_CLAIM_MS,
  saveDelivery,
} from "./deliveries.js";

export const SCHEDULE_KIND = "report_schedule";

/** What sending scheduled reports needs, read at start-up (SEXTANT_SMTP_URL) and passed in. */
export interface ReportMailDeps {
  readonly smtpUrl?: string;
  /** Immediate retries of one round (src/delivery/retry.ts). */
  readonly retry: RetryPolicy;
  /** Pause after writing a claim before reading it back (see claimDelivery). */
  readonly claimSettleMs?: number;
  /** A failed round is followed by another after retryDelayMs · 2^(round − 1)… */
  readonly retryDelayMs?: number;
  /** …up to this many rounds; then the send is `failed` for good. */
  readonly maxRounds?: number;
  readonly now?: () => Date;
}

export const DEFAULT_CLAIM_SETTLE_MS = 2_000;
export const DEFAULT_RETRY_DELAY_MS = 60_000;
export const DEFAULT_MAX_ROUNDS = 5;

/** The workspace's report schedules, each checked against its schema (a bad one is named). */
export async function loadSchedules(store: Store, workspace: string): Promise<ReportSchedule[]> {
  return (await store.listDocuments(workspace, SCHEDULE_KIND)).map((doc) => {
    const parsed = reportScheduleSchema.safeParse(doc.body);
    if (!parsed.success) {
      throw new UserError(
        `The stored report schedule "${doc.id}" is not valid (${parsed.error.issues[0]?.message ?? "invalid"}); apply the configuration again.`,
        [{ field: `reports.${doc.id}`, reason: "invalid" }],
      );
    }
    return parsed.data;
  });
}

export async function findSchedule(store: Store, workspace: string, id: string): Promise<ReportSchedule> {
  const schedule = (await loadSchedules(store, workspace)).find((s) => s.id === id);
  if (!schedule) {
    throw new UserError(
      `There is no report schedule "${id}" in ${workspace}; see sextant report schedules.`,
      [{ field: "schedule", reason: "unknown schedule" }],
      404,
    );
  }
  return schedule;
}

/**
 * The attachments of a schedule: its `formats`; else the PDF, plus the older single `format` when
 * it is Markdown or CSV (the HTML is the body already).
 */
export function attachmentFormats(schedule: ReportSchedule): ReportFormat[] {
  if (schedule.formats) return [...new Set(schedule.formats)];
  const extra = schedule.format === "md" || schedule.format === "csv" ? [schedule.format] : [];
  return ["pdf", ...extra];
}

/** The day a run at `at` reports up to: the last complete day in the workspace time zone. */
export function scheduledAsOf(workspace: Workspace, at: Date): string {
  return addDays(todayIn(workspace.settings.timezone, at), -1);
}

/** The send's id, which is also its claim: one send per schedule and period covered. */
export function deliveryId(schedule: ReportSchedule, asOf: string): string {
  if (schedule.kind === "periodic" && schedule.period) {
    const range = periodRange(schedule.period, asOf);
    return `${schedule.id}/${range.from}..${range.to}`;
  }
  return `${schedule.id}/as-of-${asOf}`;
}

async function gather(store: Store, workspace: Workspace, schedule: ReportSchedule, asOf: string) {
  const lang = schedule.lang ?? workspace.settings.locale;
  const providers = reportProviders(store, workspace);
  if (schedule.kind === "audit") {
    return gatherAudit(store, workspace, { campaign: schedule.campaign ?? "", lang }, providers);
  }
  return gatherPeriodic(store, workspace, { period: schedule.period ?? "month", asOf, lang }, providers);
}

/** The e-mail of a report: the HTML report as body, the Markdown as plain text, files attached. */
export async function reportEmail(model: ReportModel, schedule: ReportSchedule): Promise<EmailMessage> {
  const html = (await renderReport(model, "html")).body.toString("utf8");
  const attachments: EmailAttachment[] = [];
  for (const format of attachmentFormats(schedule)) {
    const rendered = await renderReport(model, format);
    attachments.push({
      filename: reportFileName(model, rendered.extension, schedule.campaign),
      content: rendered.body,
      contentType: rendered.contentType,
    });
  }
  return {
    to: schedule.to,
    subject: `${model.title} (${model.from} – ${model.to})`,
    text: renderMarkdown(model),
    html,
    attachments,
  };
}

export interface SendRequest {
  readonly asOf: string;
  readonly trigger: "schedule" | "manual";
}

/**
 * Sends one report of a schedule and records it in the history. A scheduled send first claims its
 * period (one send per schedule and period across every process); a manual one always sends. A
 * failed round of immediate retries leaves the send `retrying` (tried again by retryDueDeliveries
 * after a growing pause) until its rounds are spent, then `failed`; either stays in the history.
 * Returns the delivery as recorded, or null when another run holds (or has made) this send.
 */
export async function sendScheduledReport(
  store: Store,
  workspace: Workspace,
  schedule: ReportSchedule,
  request: SendRequest,
  deps: ReportMailDeps,
): Promise<{ id: string; delivery: ReportDelivery } | null> {
  const now = deps.now ?? (() => new Date());
  const at = now().toISOString();
  const base = deliveryId(schedule, request.asOf);
  const id = request.trigger === "manual" ? `${base}/manual-${at}` : base;
  const claim: ReportDelivery = {
    schedule: schedule.id,
    kind: schedule.kind,
    trigger: request.trigger,
    as_of: request.asOf,
    period: null,
    recipients: schedule.to,
    status: "sending",
    attempts: 0,
    rounds: 0,
    error: null,
    log: [],
    claimed_by: claimToken(),
    created_at: at,
    updated_at: at,
    sent_at: null,
    next_attempt_at: null,
  };
  const settle = request.trigger === "manual" ? 0 : (deps.claimSettleMs ?? DEFAULT_CLAIM_SETTLE_MS);
  if (!(await claimDelivery(store, workspace.name, id, claim, (current) => current === undefined, settle)))
    return null;
  return { id, delivery: await attemptSend(store, workspace, schedule, id, claim, deps) };
}

/**
 * Tries again the sends that are `retrying` and due, and takes over those a dead process left
 * `sending`: each is claimed again (so that one process retries it), re-gathered and sent.
 */
export async function retryDueDeliveries(
  store: Store,
  workspace: Workspace,
  deps: ReportMailDeps,
): Promise<{ id: string; delivery: ReportDelivery }[]> {
  const now = deps.now ?? (() => new Date());
  const due = (d: ReportDelivery | undefined, at: Date) =>
    d !== undefined &&
    ((d.status === "retrying" &&
      d.next_attempt_at !== null &&
      Date.parse(d.next_attempt_at) <= at.getTime()) ||
      (d.status === "sending" && at.getTime() - Date.parse(d.updated_at) >= STALE_CLAIM_MS));
  const results: { id: string; delivery: ReportDelivery }[] = [];
  for (const { id, delivery } of await listDeliveries(store, workspace.name)) {
    if (!due(delivery, now())) continue;
    const schedule = (await loadSchedules(store, workspace.name)).find((s) => s.id === delivery.schedule);
    const at = now().toISOString();
    if (!schedule) {
      const gone: ReportDelivery = {
        ...delivery,
        status: "failed",
        error: `The schedule ${delivery.schedule} was removed before the report could be sent.`,
        updated_at: at,
        next_attempt_at: null,
      };
      await saveDelivery(store, workspace.name, id, gone);
      results.push({ id, delivery: gone });
      continue;
    }
    const claim: ReportDelivery = {
      ...delivery,
      status: "sending",
      claimed_by: claimToken(),
      updated_at: at,
    };
    const taken = await claimDelivery(
      store,
      workspace.name,
      id,
      claim,
      (current) => due(current, now()),
      deps.claimSettleMs ?? DEFAULT_CLAIM_SETTLE_MS,
    );
    if (taken) results.push({ id, delivery: await attemptSend(store, workspace, schedule, id, claim, deps) });
  }
  return results;
}

/** One round: gather, render, send with immediate retries, record the outcome. */
async function attemptSend(
  store: Store,
  workspace: Workspace,
  schedule: ReportSchedule,
  id: string,
  claim: ReportDelivery,
  deps: ReportMailDeps,
): Promise<ReportDelivery> {
  const now = deps.now ?? (() => new Date());
  const rounds = claim.rounds + 1;
  let period = claim.period;
  let retryable = true;
  let outcome: { delivered: boolean; log: ReportDelivery["log"] };
  try {
    const model = await gather(store, workspace, schedule, claim.as_of);
    period = { from: model.from, to: model.to };
    const message = { ...(await reportEmail(model, schedule)), to: claim.recipients };
    const smtpUrl = deps.smtpUrl;
    const result = await withRetries(
      async () => {
        if (smtpUrl === undefined)
          throw new DeliveryError("SEXTANT_SMTP_URL is not set: the server cannot send e-mail.", false);
        try {
          await sendEmail(smtpUrl, message);
        } catch (error) {
          retryable = !(error instanceof DeliveryError) || error.retryable;
          throw error;
        }
      },
      deps.retry,
      now,
    );
    if (smtpUrl === undefined) retryable = false;
    outcome = { delivered: result.delivered, log: result.attempts };
  } catch (error) {
    // The report itself could not be made (a campaign with no data, a store error): recorded, and
    // tried again at the next round, since data may arrive.
    outcome = { delivered: false, log: [{ at: now().toISOString(), error: describeFailure(error) }] };
  }
  const log = [...claim.log, ...outcome.log];
  const at = now().toISOString();
  const again = !outcome.delivered && retryable && rounds < (deps.maxRounds ?? DEFAULT_MAX_ROUNDS);
  const delay = (deps.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS) * 2 ** (rounds - 1);
  const recorded: ReportDelivery = {
    ...claim,
    period,
    status: outcome.delivered ? "sent" : again ? "retrying" : "failed",
    attempts: log.length,
    rounds,
    error: outcome.delivered ? null : (log[log.length - 1]?.error ?? "not sent"),
    log,
    updated_at: at,
    sent_at: outcome.delivered ? at : null,
    next_attempt_at: again ? new Date(now().getTime() + delay).toISOString() : null,
  };
  await saveDelivery(store, workspace.name, id, recorded);
  return recorded;
}
