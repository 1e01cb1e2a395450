import type { JobSpec, SchedulerLog } from "../../scheduler/scheduler.js";
import { startRefreshingScheduler } from "../../scheduler/scheduler.js";
import type { Store } from "../../store/store.js";
import {
  loadSchedules,
  type ReportMailDeps,
  retryDueDeliveries,
  scheduledAsOf,
  sendScheduledReport,
} from "./send-report.js";

function failed(log: SchedulerLog, what: string, delivery: { status: string; error: string | null }): void {
  if (delivery.status === "retrying") log.error(`${what}: not sent, will retry: ${delivery.error}`);
  else if (delivery.status === "failed") log.error(`${what}: not sent, given up: ${delivery.error}`);
}

/** One job per report schedule of every workspace, on its cron in the workspace time zone. */
export async function reportJobs(store: Store, deps: ReportMailDeps, log: SchedulerLog): Promise<JobSpec[]> {
  const jobs: JobSpec[] = [];
  for (const workspace of await store.listWorkspaces()) {
    let schedules: Awaited<ReturnType<typeof loadSchedules>>;
    try {
      schedules = await loadSchedules(store, workspace.name);
    } catch (error) {
      log.error(
        `Reports of ${workspace.name} are not scheduled: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    for (const schedule of schedules) {
      jobs.push({
        key: `report/${workspace.name}/${schedule.id}`,
        cron: schedule.schedule,
        timeZone: workspace.settings.timezone,
        run: async () => {
          // Read again at the tick: the workspace or the schedule may have changed since.
          const current = (await store.listWorkspaces()).find((w) => w.name === workspace.name);
          const now = (await loadSchedules(store, workspace.name)).find((s) => s.id === schedule.id);
          if (!current || !now) return;
          const asOf = scheduledAsOf(current, deps.now?.() ?? new Date());
          const sent = await sendScheduledReport(store, current, now, { asOf, trigger: "schedule" }, deps);
          if (sent === null)
            log.info(`Report ${schedule.id} (${current.name}) as of ${asOf}: sent by another run.`);
          else if (sent.delivery.status === "sent")
            log.info(`Report ${schedule.id} (${current.name}) as of ${asOf} sent to ${now.to.join(", ")}.`);
          else failed(log, `Report ${schedule.id} (${current.name}) as of ${asOf}`, sent.delivery);
        },
      });
    }
  }
  return jobs;
}

/** Sends that are due again, in every workspace (run at each refresh of the scheduler). */
async function retryAll(store: Store, deps: ReportMailDeps, log: SchedulerLog): Promise<void> {
  for (const workspace of await store.listWorkspaces()) {
    for (const { id, delivery } of await retryDueDeliveries(store, workspace, deps)) {
      if (delivery.status === "sent") log.info(`Report ${id} (${workspace.name}) sent on retry.`);
      else failed(log, `Report ${id} (${workspace.name})`, delivery);
    }
  }
}

/**
 * E-mails scheduled reports inside `sextant serve`: the schedules are read again every `refreshMs`
 * (changes by `config apply` or the API need no restart), and sends that failed are tried again
 * at the refresh after their pause.
 */
export function startReportScheduler(
  store: Store,
  deps: ReportMailDeps,
  log: SchedulerLog,
  refreshMs = 30_000,
): { stop(): Promise<void>; ready: Promise<void> } {
  return startRefreshingScheduler(
    "report schedules",
    () => reportJobs(store, deps, log),
    log,
    refreshMs,
    () => retryAll(store, deps, log),
  );
}
