import { type JobSpec, type SchedulerLog, startRefreshingScheduler } from "../scheduler/scheduler.js";
import type { Store } from "../store/store.js";
import { DEFAULT_SCHEDULE, loadRules } from "./rules.js";
import { type AlertDeps, runAlerts } from "./run-alerts.js";

export type AlertSchedulerLog = SchedulerLog;

/** One job per alert rule of every workspace, on the rule's cron (default daily 08:00) in its time zone. */
export async function alertJobs(store: Store, deps: AlertDeps, log: AlertSchedulerLog): Promise<JobSpec[]> {
  const jobs: JobSpec[] = [];
  for (const workspace of await store.listWorkspaces()) {
    let rules: Awaited<ReturnType<typeof loadRules>>;
    try {
      rules = await loadRules(store, workspace.name);
    } catch (error) {
      log.error(
        `Alerts of ${workspace.name} are not scheduled: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    for (const rule of rules) {
      jobs.push({
        key: `alert/${workspace.name}/${rule.id}`,
        cron: rule.schedule ?? DEFAULT_SCHEDULE,
        timeZone: workspace.settings.timezone,
        run: async () => {
          // The workspace is read again: its time zone may have changed since the job started.
          const current = (await store.listWorkspaces()).find((w) => w.name === workspace.name);
          if (!current) return;
          const report = await runAlerts(store, current, { runTime: new Date(), ruleIds: [rule.id] }, deps);
          for (const firing of [...report.firings, ...report.retried]) {
            const failed = firing.deliveries.filter((d) => d.status === "failed");
            if (failed.length > 0) {
              log.error(
                `Alert ${rule.id} (${current.name}): delivery failed, will retry: ${failed.map((d) => `${d.channel}: ${d.error}`).join("; ")}`,
              );
            }
          }
        },
      });
    }
  }
  return jobs;
}

/**
 * Runs alert rules on their schedules inside `sextant serve`, reading the rules again every
 * `refreshMs` so that `sextant config apply` takes effect without a restart.
 */
export function startAlertScheduler(
  store: Store,
  deps: AlertDeps,
  log: AlertSchedulerLog,
  refreshMs = 30_000,
): { stop(): Promise<void>; ready: Promise<void> } {
  return startRefreshingScheduler("alert rules", () => alertJobs(store, deps, log), log, refreshMs);
}
