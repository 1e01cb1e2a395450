import type { KpiRequest } from "../src/kpi/run-query.js";
import { runKpiQuery } from "../src/kpi/run-query.js";
import { gatherPeriodic } from "../src/report/gather-periodic.js";
import { REPORT_FORMATS, renderReport } from "../src/report/render.js";
import type { KpiQuery } from "../src/report/types.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { RANGE } from "./generate.js";
import { SERVE_OPTIONS } from "./query-bench.js";
import { fmtMs, fmtRatio, log, median, timed } from "./util.js";

export interface ReportBenchResult {
  /** Gathering the monthly report and writing it in every format, median of the warm runs. */
  readonly reportMs: number;
  /** The KPI queries that report needs, run alone in the same way (concurrently), median. */
  readonly queriesMs: number;
  readonly ratio: number;
  readonly queries: number;
  readonly bytes: Record<string, number>;
}

/** Target: a report costs at most twice the KPI queries it needs. */
export const REPORT_TARGET_RATIO = 2;

/**
 * The monthly report of the data's last month (every format) against the KPI queries it asks for,
 * measured in the same run on the same store, alternating, so that the ratio is what the report
 * adds (model, HTML, Markdown, CSV, PDF with its embedded font) to the queries.
 */
export async function benchReport(
  dbPath: string,
  workspaceName: string,
  runs: number,
): Promise<ReportBenchResult> {
  const store = await DuckdbStore.open(dbPath, SERVE_OPTIONS);
  try {
    const workspace = (await store.listWorkspaces()).find((w) => w.name === workspaceName);
    if (!workspace) throw new Error(`no workspace ${workspaceName} in ${dbPath}`);
    const requests: KpiRequest[] = [];
    const recording: KpiQuery = (s, w, request) => {
      requests.push(request);
      return runKpiQuery(s, w, request);
    };
    const request = { period: "month" as const, asOf: RANGE.to, lang: workspace.settings.locale };
    const bytes: Record<string, number> = {};
    const report = async (query: KpiQuery) => {
      const model = await gatherPeriodic(store, workspace, request, {}, query);
      for (const format of REPORT_FORMATS) bytes[format] = (await renderReport(model, format)).body.length;
    };
    await report(recording); // cold, and records the queries
    const queries = [...requests];
    const reportRuns: number[] = [];
    const queryRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      reportRuns.push((await timed(() => report(runKpiQuery))).ms);
      queryRuns.push(
        (await timed(() => Promise.all(queries.map((q) => runKpiQuery(store, workspace, q))))).ms,
      );
    }
    const reportMs = median(reportRuns);
    const queriesMs = median(queryRuns);
    const ratio = reportMs / queriesMs;
    log(
      `    monthly report, every format: ${fmtMs(reportMs)}; its ${queries.length} KPI queries alone: ${fmtMs(queriesMs)}; ` +
        `ratio ${fmtRatio(ratio)} (target ≤ ${REPORT_TARGET_RATIO}×) ${ratio <= REPORT_TARGET_RATIO ? "met" : "NOT met"}`,
    );
    return { reportMs, queriesMs, ratio, queries: queries.length, bytes };
  } finally {
    await store.close();
  }
}
