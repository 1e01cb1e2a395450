import { type JobSpec, Scheduler } from "../scheduler/scheduler.js";
import type { Store } from "../store/store.js";
import { DEFAULT_SCHEDULE, loadRules } from "./rules.js";
import { type AlertDeps, runAlerts } from "./run-alerts.js";

export interface AlertSchedulerLog {
  info(message: string): void;
  error(message: string): void;
}

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
  const scheduler = new Scheduler((key, error) =>
    log.error(`Scheduled job ${key} failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  let stopped = false;
  const refresh = async () => {
    try {
      const jobs = await alertJobs(store, deps, log);
      if (!stopped) scheduler.set(jobs);
    } catch (error) {
      log.error(`Could not read alert rules: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const ready = refresh();
  const timer = setInterval(() => void refresh(), refreshMs);
  timer.unref();
  return {
    ready,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ready;
      scheduler.stop();
    },
  };
}
