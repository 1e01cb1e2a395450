import type { Workspace } from "../model/workspace.js";
import { type JobSpec, type SchedulerLog, startRefreshingScheduler } from "../scheduler/scheduler.js";
import type { ErasureRecord, Store } from "../store/store.js";

const DAY_MS = 86_400_000;
/** Daily, at a quiet hour of the workspace's time zone. */
export const RETENTION_CRON = "17 3 * * *";

/** The time before which a workspace's events and orders go, or null when it keeps everything. */
export function retentionCutoff(workspace: Workspace, now: Date): Date | null {
  const days = workspace.settings.retention_days;
  return days === null ? null : new Date(now.getTime() - days * DAY_MS);
}

/**
 * Removes the workspace's events and orders older than its `retention_days` (derived rows kept
 * consistent by the store); null when the setting is unset. Ad costs, e-mail and social rows are
 * aggregates without personal data: they stay (docs/kpis.md, "Old ranges after retention").
 */
export async function applyRetention(
  store: Store,
  workspace: Workspace,
  now: Date,
): Promise<ErasureRecord | null> {
  const before = retentionCutoff(workspace, now);
  return before === null ? null : store.removeBefore(workspace, before);
}

/** One daily job per workspace with a retention, in its time zone. */
export async function retentionJobs(store: Store, log: SchedulerLog): Promise<JobSpec[]> {
  return (await store.listWorkspaces())
    .filter((w) => w.settings.retention_days !== null)
    .map((workspace) => ({
      key: `retention/${workspace.name}`,
      cron: RETENTION_CRON,
      timeZone: workspace.settings.timezone,
      run: async () => {
        // Read again: the setting may have changed since the job started.
        const current = (await store.listWorkspaces()).find((w) => w.name === workspace.name);
        if (!current) return;
        const record = await applyRetention(store, current, new Date());
        if (record)
          log.info(
            `Retention of ${current.name}: removed ${JSON.stringify(record.rows)} before ${record.before}`,
          );
      },
    }));
}

/** Runs retention daily inside `sextant serve`, the setting read again every `refreshMs`. */
export function startRetentionScheduler(
  store: Store,
  log: SchedulerLog,
  refreshMs = 60_000,
): { stop(): Promise<void>; ready: Promise<void> } {
  return startRefreshingScheduler("retention settings", () => retentionJobs(store, log), log, refreshMs);
}
