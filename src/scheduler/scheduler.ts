import { Cron } from "croner";
import { UserError } from "../errors.js";

/** A job to run on a cron schedule in a time zone (alert rules now, scheduled reports later). */
export interface JobSpec {
  /** Unique per job; a job whose key, cron and time zone are unchanged keeps running as it is. */
  readonly key: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly run: () => Promise<void>;
}

/** Checks a cron expression (5 fields, or 6 with seconds first) and says what is wrong with it. */
export function checkCron(expression: string, field = "schedule"): void {
  try {
    new Cron(expression, { paused: true }).stop();
  } catch (error) {
    throw new UserError(
      `${field} "${expression}" is not a cron expression (${error instanceof Error ? error.message : String(error)}); write it like "0 8 * * 1" (minute hour day month weekday).`,
      [{ field, reason: "invalid cron" }],
    );
  }
}

/**
 * Runs jobs on their cron schedules inside `sextant serve`. `set` replaces the whole list: jobs
 * that are gone stop, new ones start, unchanged ones keep their timers. A job never overlaps
 * itself (a tick that comes while the previous run works is skipped), and a failing run is
 * reported to `onError` and does not stop the job.
 */
export class Scheduler {
  private readonly jobs = new Map<string, { signature: string; cron: Cron }>();

  constructor(private readonly onError: (key: string, error: unknown) => void) {}

  set(specs: readonly JobSpec[]): void {
    const wanted = new Map(specs.map((s) => [s.key, s]));
    for (const [key, job] of this.jobs) {
      const spec = wanted.get(key);
      if (!spec || signature(spec) !== job.signature) {
        job.cron.stop();
        this.jobs.delete(key);
      }
    }
    for (const spec of specs) {
      if (this.jobs.has(spec.key)) continue;
      const cron = new Cron(spec.cron, { timezone: spec.timeZone, protect: true }, async () => {
        try {
          await spec.run();
        } catch (error) {
          this.onError(spec.key, error);
        }
      });
      this.jobs.set(spec.key, { signature: signature(spec), cron });
    }
  }

  /** Keys of the jobs running. */
  keys(): string[] {
    return [...this.jobs.keys()];
  }

  stop(): void {
    for (const job of this.jobs.values()) job.cron.stop();
    this.jobs.clear();
  }
}

function signature(spec: JobSpec): string {
  return JSON.stringify([spec.cron, spec.timeZone]);
}

export interface SchedulerLog {
  info(message: string): void;
  error(message: string): void;
}

/**
 * A Scheduler whose jobs are read again every `refreshMs` (so that `sextant config apply` and the
 * API take effect without a restart); `onRefresh` runs at each refresh too (retries that are due).
 */
export function startRefreshingScheduler(
  name: string,
  loadJobs: () => Promise<JobSpec[]>,
  log: SchedulerLog,
  refreshMs: number,
  onRefresh?: () => Promise<void>,
): { stop(): Promise<void>; ready: Promise<void> } {
  const scheduler = new Scheduler((key, error) =>
    log.error(`Scheduled job ${key} failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  let stopped = false;
  let refreshing: Promise<void> = Promise.resolve();
  const refresh = async () => {
    try {
      const jobs = await loadJobs();
      if (!stopped) scheduler.set(jobs);
      if (!stopped && onRefresh) await onRefresh();
    } catch (error) {
      log.error(`Could not read ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const ready = refresh();
  refreshing = ready;
  const timer = setInterval(() => {
    // A refresh still running (a slow retry) is not started again.
    refreshing = refreshing.then(() => (stopped ? undefined : refresh()));
  }, refreshMs);
  timer.unref();
  return {
    ready,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await refreshing;
      scheduler.stop();
    },
  };
}
