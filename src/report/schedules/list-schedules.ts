import { Cron } from "croner";
import type { ReportSchedule } from "../../definitions/schemas.js";
import type { Workspace } from "../../model/workspace.js";
import type { Store } from "../../store/store.js";
import { type DeliveryEntry, deliveryHistory } from "./deliveries.js";
import { loadSchedules } from "./send-report.js";

/** A schedule as `sextant report schedules` and `GET /api/v1/reports/schedules` show it. */
export interface ScheduleOverview extends ReportSchedule {
  readonly time_zone: string;
  /** The next tick of its cron after `now` (ISO 8601, UTC), or null if it never fires again. */
  readonly next_run: string | null;
  readonly last_delivery: Pick<DeliveryEntry, "id" | "status" | "period" | "updated_at" | "error"> | null;
}

/** The workspace's report schedules with their next run and their last send. */
export async function scheduleOverview(
  store: Store,
  workspace: Workspace,
  now: Date = new Date(),
): Promise<ScheduleOverview[]> {
  const schedules = await loadSchedules(store, workspace.name);
  const history = await deliveryHistory(store, workspace.name);
  return schedules.map((schedule) => {
    const cron = new Cron(schedule.schedule, { paused: true, timezone: workspace.settings.timezone });
    const next = cron.nextRun(now);
    cron.stop();
    const last = history.find((h) => h.schedule === schedule.id);
    return {
      ...schedule,
      time_zone: workspace.settings.timezone,
      next_run: next ? next.toISOString() : null,
      last_delivery: last
        ? {
            id: last.id,
            status: last.status,
            period: last.period,
            updated_at: last.updated_at,
            error: last.error,
          }
        : null,
    };
  });
}
