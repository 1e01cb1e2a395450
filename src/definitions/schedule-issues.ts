import { Cron } from "croner";
import type { ReportSchedule } from "./schemas.js";

/** A problem with a report schedule that its schema cannot see, and where (a key of the schedule). */
export interface ScheduleIssue {
  readonly key: string | null;
  readonly reason: string;
}

/**
 * What the zod schema cannot check in a report schedule: its cron syntax, the period of a periodic
 * report, the campaign of an audit, and `format` beside `formats`. Shared by `config apply` and
 * `POST /api/v1/reports/schedules`, so that both accept the same schedules.
 */
export function scheduleIssues(schedule: ReportSchedule): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  try {
    new Cron(schedule.schedule, { paused: true });
  } catch (error) {
    issues.push({
      key: "schedule",
      reason: `"${schedule.schedule}" is not a cron schedule: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  if (schedule.kind === "periodic" && schedule.period === undefined)
    issues.push({ key: null, reason: "a periodic report needs period (week, month or quarter)" });
  if (schedule.kind === "audit" && schedule.campaign === undefined)
    issues.push({ key: null, reason: "an audit report needs campaign" });
  if (schedule.format !== undefined && schedule.formats !== undefined)
    issues.push({ key: "format", reason: "give formats (the attachments) or format, not both" });
  return issues;
}
