import { UserError } from "../../errors.js";
import { parseDate } from "../../model/calendar.js";
import type { Workspace } from "../../model/workspace.js";
import type { CohortBy, Store } from "../../store/store.js";
import { COHORT_BYS, COHORT_KPIS, type CohortKpi, cohortTriangle, type Triangle } from "./triangle.js";

export interface CohortRequest {
  readonly by: string;
  readonly kpi: string;
  readonly from?: string;
  readonly to?: string;
}

/**
 * `sextant cohorts` and `GET /api/v1/cohorts`: the options checked, the store's cohort × period
 * activity, the triangle. The dates default to the workspace's data span.
 */
export async function runCohorts(
  store: Store,
  workspace: Workspace,
  request: CohortRequest,
): Promise<Triangle> {
  if (!(COHORT_BYS as readonly string[]).includes(request.by)) {
    throw new UserError(`--by "${request.by}" is not one of ${COHORT_BYS.join(", ")}.`, [
      { field: "by", reason: "unknown cohort" },
    ]);
  }
  if (!(COHORT_KPIS as readonly string[]).includes(request.kpi)) {
    throw new UserError(`--kpi "${request.kpi}" is not one of ${COHORT_KPIS.join(", ")}.`, [
      { field: "kpi", reason: "unknown cohort KPI" },
    ]);
  }
  const by = request.by as CohortBy;
  const kpi = request.kpi as CohortKpi;
  const span = request.from && request.to ? null : await store.dataSpan(workspace);
  const from = request.from ? parseDate(request.from, "--from") : span?.from;
  const to = request.to ? parseDate(request.to, "--to") : span?.to;
  if (!from || !to) return cohortTriangle([], { by, kpi, from: from ?? "", to: to ?? "" });
  if (from > to) {
    throw new UserError(`The dates start (${from}) after they end (${to}).`, [
      { field: "from", reason: "after to" },
    ]);
  }
  // Orders from events are read from the derived session events (store/sql/measure-sql.ts).
  await store.refreshDerived(workspace);
  const rows = await store.queryCohorts({ workspace, by, from, to });
  return cohortTriangle(rows, { by, kpi, from, to });
}
