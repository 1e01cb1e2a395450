import { randomBytes } from "node:crypto";
import type { ALERT_CHANNELS, AlertRule } from "../definitions/schemas.js";
import type { Attempt } from "../delivery/retry.js";
import { addDays, todayIn } from "../model/calendar.js";
import type { Workspace } from "../model/workspace.js";
import type { DocumentChange, Store } from "../store/store.js";
import {
  type EvaluationContext,
  evaluateRule,
  type Finding,
  type GoalStatusSource,
} from "./evaluate-rule.js";
import { type DeliveryConfig, deliver, htmlEscape, type Notice } from "./notify.js";
import type { DateRange } from "./periods.js";
import { cooldownMs, loadRules } from "./rules.js";

export type AlertChannel = (typeof ALERT_CHANNELS)[number];
export type DeliveryStatus = "delivered" | "failed" | "suppressed";

/** A delivery of a firing to one channel, with every attempt made (immediate retries and later runs). */
export interface StoredDelivery {
  readonly channel: AlertChannel;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly error: string | null;
  readonly log: readonly Attempt[];
}

/** A firing as kept in the store (document kind `alert_firing`). */
export interface StoredFiring {
  readonly rule: string;
  readonly kind: AlertRule["kind"];
  readonly fired_at: string;
  /** Wall-clock time it was recorded: orders firings of the same run time (repeated runs). */
  readonly recorded_at: string;
  readonly period: DateRange;
  readonly value: number | string | null;
  readonly threshold: number | string | null;
  readonly goal?: string;
  readonly notice: Notice;
  readonly deliveries: readonly StoredDelivery[];
}

/** One entry of the alert history (docs/alerts.md#history). */
export interface HistoryEntry {
  readonly rule: string;
  readonly fired_at: string;
  readonly period: DateRange;
  readonly value: number | string | null;
  readonly threshold: number | string | null;
  readonly deliveries: {
    channel: AlertChannel;
    status: DeliveryStatus;
    attempts: number;
    error: string | null;
  }[];
}

/** Per rule: when each cooldown key last notified, and (goal_status) the goals' last statuses. */
interface RuleState {
  readonly notified: Record<string, string>;
  readonly goal_statuses?: Record<string, string>;
}

export const FIRING_KIND = "alert_firing";
const STATE_KIND = "alert_state";
const PENDING_KIND = "alert_pending";

export interface AlertRunOptions {
  /** The time of the run: now for the scheduler, the start of D + 1 for `--as-of D`. */
  readonly runTime: Date;
  /** Only these rules (a scheduled job runs its own); all by default. */
  readonly ruleIds?: readonly string[];
}

export interface AlertDeps {
  readonly goals: GoalStatusSource;
  readonly delivery: DeliveryConfig;
  /** Wall clock for `recorded_at` and attempt times. */
  readonly now?: () => Date;
}

export interface AlertRunReport {
  /** The last complete day of the run. */
  readonly as_of: string;
  readonly run_at: string;
  readonly rules: number;
  readonly firings: HistoryEntry[];
  /** Earlier firings whose failed deliveries were tried again at this run. */
  readonly retried: HistoryEntry[];
}

export function toHistoryEntry(firing: StoredFiring): HistoryEntry {
  return {
    rule: firing.rule,
    fired_at: firing.fired_at,
    period: { from: firing.period.from, to: firing.period.to },
    value: firing.value,
    threshold: firing.threshold,
    deliveries: firing.deliveries.map((d) => ({
      channel: d.channel,
      status: d.status,
      attempts: d.attempts,
      error: d.error,
    })),
  };
}

function noticeFor(workspace: Workspace, rule: AlertRule, finding: Finding, firedAt: string): Notice {
  const title = `Sextant alert "${rule.id}" in ${workspace.name}`;
  const text = `${title}: ${finding.summary}`;
  return {
    subject: title,
    text,
    html: `<p><strong>${htmlEscape(title)}</strong></p><p>${htmlEscape(finding.summary)}</p><p>Period ${htmlEscape(finding.period.from)} – ${htmlEscape(finding.period.to)}; fired at ${htmlEscape(firedAt)}.</p>`,
    fields: {
      workspace: workspace.name,
      rule: rule.id,
      kind: rule.kind,
      ...(rule.kpi === undefined ? {} : { kpi: rule.kpi }),
      ...(finding.goal === undefined ? {} : { goal: finding.goal }),
      fired_at: firedAt,
      period: finding.period,
      value: finding.value,
      threshold: finding.threshold,
    },
  };
}

function outcomeToDelivery(
  channel: AlertChannel,
  log: readonly Attempt[],
  delivered: boolean,
): StoredDelivery {
  const last = log[log.length - 1];
  return {
    channel,
    status: delivered ? "delivered" : "failed",
    attempts: log.length,
    error: delivered ? null : (last?.error ?? "not delivered"),
    log,
  };
}

/**
 * Runs a workspace's alert rules once (docs/alerts.md#runs-and-scheduling): first tries again every delivery that failed
 * before, then evaluates each rule at `runTime`, records a firing for every finding and notifies
 * its channels unless the rule (or goal) notified less than a cooldown ago in run time. Every
 * rule is checked and evaluated before anything is sent or written: a bad rule changes nothing.
 * The firings, delivery attempts and cooldown state are written in one all-or-nothing write.
 */
export function runAlerts(
  store: Store,
  workspace: Workspace,
  options: AlertRunOptions,
  deps: AlertDeps,
): Promise<AlertRunReport> {
  return oneAtATime(store, workspace.name, () => runAlertsNow(store, workspace, options, deps));
}

/**
 * Runs of one workspace's alerts in this process, one after the other: two rules on the same cron
 * (or a forwarded `sextant alerts run` during a scheduled one) would otherwise both retry the same
 * failed delivery and send it twice.
 */
const running = new WeakMap<Store, Map<string, Promise<unknown>>>();

function oneAtATime<T>(store: Store, workspace: string, work: () => Promise<T>): Promise<T> {
  let queues = running.get(store);
  if (!queues) {
    queues = new Map();
    running.set(store, queues);
  }
  const previous = queues.get(workspace) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  queues.set(workspace, settled);
  void settled.then(() => {
    if (queues?.get(workspace) === settled) queues.delete(workspace);
  });
  return next;
}

async function runAlertsNow(
  store: Store,
  workspace: Workspace,
  options: AlertRunOptions,
  deps: AlertDeps,
): Promise<AlertRunReport> {
  const now = deps.now ?? (() => new Date());
  const all = await loadRules(store, workspace.name);
  const rules = options.ruleIds ? all.filter((r) => options.ruleIds?.includes(r.id)) : all;
  const states = new Map(
    (await store.listDocuments(workspace.name, STATE_KIND)).map((d) => [d.id, d.body as RuleState]),
  );
  const firedAt = options.runTime.toISOString();

  // Evaluate every rule before sending anything: an error (a goal_status rule without goals,
  // an unknown dimension) stops the run with nothing sent or written.
  const evaluated = [];
  for (const rule of rules) {
    const ctx: EvaluationContext = {
      store,
      workspace,
      runTime: options.runTime,
      goals: deps.goals,
      previousGoalStatuses: states.get(rule.id)?.goal_statuses ?? {},
    };
    evaluated.push({ rule, evaluation: await evaluateRule(rule, ctx) });
  }

  const channelDocs = await store.listDocuments(workspace.name, "channel");
  const changes: DocumentChange[] = [];
  const retried = await retryPending(store, workspace, channelDocs, deps, changes);

  const firings: StoredFiring[] = [];
  for (const { rule, evaluation } of evaluated) {
    const state = states.get(rule.id) ?? { notified: {} };
    const notified = { ...state.notified };
    for (const finding of evaluation.findings) {
      const suppressed = withinCooldown(notified[finding.key], options.runTime, cooldownMs(rule));
      const notice = noticeFor(workspace, rule, finding, firedAt);
      const deliveries: StoredDelivery[] = [];
      for (const channel of rule.channels) {
        if (suppressed) {
          deliveries.push({ channel, status: "suppressed", attempts: 0, error: null, log: [] });
        } else if (channel === "dashboard") {
          // The history is the dashboard's list of alerts: recording the firing delivers it.
          deliveries.push({
            channel,
            status: "delivered",
            attempts: 1,
            error: null,
            log: [{ at: now().toISOString(), error: null }],
          });
        } else {
          const outcome = await deliver(channel, notice, channelDocs, deps.delivery);
          deliveries.push(outcomeToDelivery(channel, outcome.attempts, outcome.delivered));
        }
      }
      if (!suppressed) notified[finding.key] = firedAt;
      const firing: StoredFiring = {
        rule: rule.id,
        kind: rule.kind,
        fired_at: firedAt,
        recorded_at: now().toISOString(),
        period: finding.period,
        value: finding.value,
        threshold: finding.threshold,
        ...(finding.goal === undefined ? {} : { goal: finding.goal }),
        notice,
        deliveries,
      };
      const id = firingId(firing);
      firings.push(firing);
      changes.push({ kind: FIRING_KIND, id, body: firing });
      if (deliveries.some((d) => d.status === "failed"))
        changes.push({ kind: PENDING_KIND, id, body: { firing: id } });
    }
    const next: RuleState = {
      notified,
      ...(evaluation.goalStatuses
        ? { goal_statuses: { ...state.goal_statuses, ...evaluation.goalStatuses } }
        : {}),
    };
    if (JSON.stringify(next) !== JSON.stringify(states.get(rule.id) ?? null)) {
      changes.push({ kind: STATE_KIND, id: rule.id, body: next });
    }
  }
  if (changes.length > 0) await store.writeDocuments(workspace.name, changes);
  return {
    as_of: addDays(todayIn(workspace.settings.timezone, options.runTime), -1),
    run_at: firedAt,
    rules: rules.length,
    firings: firings.map(toHistoryEntry),
    retried: retried.map(toHistoryEntry),
  };
}

/**
 * Whether a firing at `runTime` is within the cooldown of the last notification (run times, ISO):
 * less than `cooldown` after it, or before it (a replay of an earlier day after a later one).
 */
export function withinCooldown(lastNotified: string | undefined, runTime: Date, cooldown: number): boolean {
  if (lastNotified === undefined) return false;
  return runTime.getTime() - Date.parse(lastNotified) < cooldown;
}

/** Sortable and unique: run time, then wall-clock time, then the rule and a random suffix. */
function firingId(firing: StoredFiring): string {
  return `${firing.fired_at}_${firing.recorded_at}_${firing.rule}_${randomBytes(3).toString("hex")}`;
}

/** Tries again the failed deliveries of earlier firings; updates go into `changes`. */
async function retryPending(
  store: Store,
  workspace: Workspace,
  channelDocs: Awaited<ReturnType<Store["listDocuments"]>>,
  deps: AlertDeps,
  changes: DocumentChange[],
): Promise<StoredFiring[]> {
  const pending = await store.listDocuments(workspace.name, PENDING_KIND);
  if (pending.length === 0) return [];
  const firings = new Map(
    (await store.listDocuments(workspace.name, FIRING_KIND)).map((d) => [d.id, d.body as StoredFiring]),
  );
  const updated: StoredFiring[] = [];
  for (const doc of pending) {
    const firing = firings.get(doc.id);
    if (!firing) {
      changes.push({ kind: PENDING_KIND, id: doc.id, body: null });
      continue;
    }
    const deliveries: StoredDelivery[] = [];
    for (const d of firing.deliveries) {
      if (d.status !== "failed" || d.channel === "dashboard") {
        deliveries.push(d);
        continue;
      }
      const outcome = await deliver(d.channel, firing.notice, channelDocs, deps.delivery);
      deliveries.push(outcomeToDelivery(d.channel, [...d.log, ...outcome.attempts], outcome.delivered));
    }
    const next = { ...firing, deliveries };
    updated.push(next);
    changes.push({ kind: FIRING_KIND, id: doc.id, body: next });
    if (!deliveries.some((d) => d.status === "failed"))
      changes.push({ kind: PENDING_KIND, id: doc.id, body: null });
  }
  return updated;
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** The alert history, newest first (docs/alerts.md#history). */
export async function alertHistory(store: Store, workspace: string): Promise<HistoryEntry[]> {
  const docs = await store.listDocuments(workspace, FIRING_KIND);
  // Ids start with the run time and the time of recording: newest first is descending id order.
  const firings = docs
    .map((d) => ({ id: d.id, firing: d.body as StoredFiring }))
    .sort(
      (a, b) =>
        compareDesc(a.firing.fired_at, b.firing.fired_at) ||
        compareDesc(a.firing.recorded_at, b.firing.recorded_at) ||
        compareDesc(a.id, b.id),
    )
    .map((d) => d.firing);
  return firings.map(toHistoryEntry);
}
