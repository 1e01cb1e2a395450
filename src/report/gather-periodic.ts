import { runCohorts } from "../analysis/cohorts/run-cohorts.js";
import { COHORT_BYS } from "../analysis/cohorts/triangle.js";
import { UserError } from "../errors.js";
import { runKpiQuery } from "../kpi/run-query.js";
import { addDays, todayIn } from "../model/calendar.js";
import type { Lang } from "../model/lang.js";
import type { Workspace } from "../model/workspace.js";
import type { CohortBy, Store } from "../store/store.js";
import { formatChange, formatDate, percentChange } from "./format-number.js";
import { trendChart } from "./gather-audit.js";
import { strings } from "./i18n.js";
import { campaignBlockRows, campaignTable, kpiMeta, num } from "./kpi-meta.js";
import { type Block, fig, type ReportModel, type Section, text } from "./model.js";
import { periodRange, previousRange, type ReportPeriod, trendInterval, yearBeforeRange } from "./periods.js";
import { alertsBlock, budgetBlock, goalsBlock } from "./sections.js";
import type { KpiQuery, ReportProviders } from "./types.js";

export interface PeriodicRequest {
  readonly period: ReportPeriod;
  /** Default: yesterday in the workspace time zone. */
  readonly asOf?: string;
  readonly lang: Lang;
  /** Adds the retention triangle of the cohorts that started in the year up to the period's end. */
  readonly cohorts?: CohortBy;
}

/** A `--cohorts` value: who the report's cohort section follows. */
export function parseCohortBy(value: string): CohortBy {
  if ((COHORT_BYS as readonly string[]).includes(value)) return value as CohortBy;
  throw new UserError(`--cohorts "${value}" is not one of ${COHORT_BYS.join(", ")}.`, [
    { field: "cohorts", reason: "unknown cohort" },
  ]);
}

/** The KPIs of a periodic report (docs/reports.md#periodic-report asks at least spend, revenue, conversions, CPA and ROI). */
export const PERIODIC_KPIS = [
  "spend",
  "revenue",
  "conversions",
  "cpa",
  "roi",
  "roas",
  "visitors",
  "conversion_rate",
  "orders",
  "new_customers",
  "impressions",
  "clicks",
  "ctr",
] as const;

/** A move of 10 % or more against the previous period is a highlight (better) or a warning (worse). */
const NOTABLE_CHANGE = 10;
const MAX_MOVES = 3;

/**
 * Gathers a periodic report: the period containing `asOf`, up to it; its KPIs against the previous
 * period and a year before, trends, highlights and warnings, goals, budget advice, alerts, and the
 * table by campaign. Every figure comes from the KPI API.
 */
export async function gatherPeriodic(
  store: Store,
  workspace: Workspace,
  request: PeriodicRequest,
  providers: ReportProviders,
  query: KpiQuery = runKpiQuery,
): Promise<ReportModel> {
  const { lang, period } = request;
  const s = strings(lang);
  const asOf = request.asOf ?? addDays(todayIn(workspace.settings.timezone), -1);
  const current = periodRange(period, asOf);
  const previous = previousRange(period, current);
  const yearBefore = yearBeforeRange(period, current);
  const kpis = [...PERIODIC_KPIS];
  const [now, before, lastYear, trend, grouped] = await Promise.all([
    query(store, workspace, { kpis, ...current }),
    query(store, workspace, { kpis, ...previous }),
    query(store, workspace, { kpis, ...yearBefore }),
    query(store, workspace, {
      kpis: ["spend", "revenue", "conversions", "visitors"],
      ...current,
      interval: trendInterval(period),
    }),
    query(store, workspace, { kpis, ...current, groupBy: ["campaign"] }),
  ]);
  const metas = kpis.map((id) => kpiMeta(id, lang));
  const [goals, budget, alerts, cohorts] = await Promise.all([
    providers.goals?.(asOf),
    providers.budget?.({ ...current, lang }),
    providers.alerts?.(),
    request.cohorts
      ? runCohorts(store, workspace, {
          by: request.cohorts,
          kpi: "retention",
          from: yearBefore.from,
          to: current.to,
        })
      : undefined,
  ]);

  // Highlights and warnings: the biggest moves against the previous period, each way.
  const moves = metas
    .map((m) => ({ m, change: percentChange(now.totals[m.id] ?? null, before.totals[m.id] ?? null) }))
    .filter(
      (x): x is { m: (typeof metas)[number]; change: number } =>
        x.change !== null && Math.abs(x.change) >= NOTABLE_CHANGE,
    )
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
  const good = (x: { m: { better: string }; change: number }) =>
    x.m.better === "higher" ? x.change > 0 : x.change < 0;
  const highlights = moves
    .filter(good)
    .slice(0, MAX_MOVES)
    .map((x) => s.moved(x.m.label, formatChange(x.change, lang)));
  const warnings = moves
    .filter((x) => !good(x))
    .slice(0, MAX_MOVES)
    .map((x) => s.moved(x.m.label, formatChange(x.change, lang)));
  for (const g of goals?.goals ?? []) {
    if (g.status === "at_risk" || g.status === "off_track" || g.status === "missed") {
      warnings.push(s.goalOff(g.id, s.statuses[g.status] ?? g.status));
    }
  }
  for (const row of grouped.rows) {
    const roi = num(row.roi);
    if (row.campaign !== "(none)" && roi !== null && roi < 0)
      warnings.push(s.campaignLoses(String(row.campaign)));
  }

  const range = (r: { from: string; to: string }) =>
    s.range(formatDate(r.from, lang), formatDate(r.to, lang));
  const inPeriod = (alerts ?? []).filter((a) => {
    const day = a.fired_at.slice(0, 10);
    return day >= current.from && day <= addDays(current.to, 1);
  });
  const campaigns = campaignTable(grouped.rows, lang);
  const goalBlocks: Block[] = goals
    ? goalsBlock(goals.goals, lang, s.noGoalsAtAll)
    : [{ type: "note", text: s.unavailable(s.goals) }];
  const sections: Section[] = [
    { id: "goals", title: s.goals, blocks: goalBlocks },
    {
      id: "kpis",
      title: s.kpisVs,
      blocks: [
        { type: "paragraph", text: s.comparedRanges(range(previous), range(yearBefore)) },
        {
          type: "table",
          columns: [s.kpi, s.value, s.previous, s.change, s.yearBefore, s.change],
          numeric: [false, true, true, true, true, true],
          rows: metas.map((m) => {
            const v = now.totals[m.id] ?? null;
            const p = before.totals[m.id] ?? null;
            const y = lastYear.totals[m.id] ?? null;
            return [
              text(m.label),
              fig(v, m.unit, m.id),
              fig(p, m.unit),
              text(formatChange(percentChange(v, p), lang)),
              fig(y, m.unit),
              text(formatChange(percentChange(v, y), lang)),
            ];
          }),
        },
      ],
    },
    {
      id: "trends",
      title: s.trendsPeriodic,
      blocks: [
        trendChart(trend.rows, ["spend", "revenue"], lang),
        trendChart(trend.rows, ["visitors", "conversions"], lang),
      ],
    },
    {
      id: "highlights",
      title: s.highlights,
      blocks: [{ type: "bullets", items: highlights.length ? highlights : [s.noHighlights] }],
    },
    {
      id: "warnings",
      title: s.warnings,
      blocks: [{ type: "bullets", items: warnings.length ? warnings : [s.noWarnings] }],
    },
    {
      id: "budget",
      title: s.budget,
      blocks: budget ? budgetBlock(budget, lang) : [{ type: "note", text: s.unavailable(s.budget) }],
    },
    {
      id: "alerts",
      title: s.alerts,
      blocks: alerts ? alertsBlock(inPeriod, lang) : [{ type: "note", text: s.unavailable(s.alerts) }],
    },
    ...(cohorts
      ? [
          {
            id: "cohorts",
            title: s.cohorts,
            blocks: [
              {
                type: "table" as const,
                columns: [
                  s.cohort,
                  s.cohortSize,
                  ...Array.from(
                    { length: cohorts.periods },
                    (_, k) => `${cohorts.period === "month" ? "M" : "W"}${k}`,
                  ),
                ],
                numeric: [false, true, ...Array.from({ length: cohorts.periods }, () => true)],
                rows: cohorts.cohorts.map((c) => [
                  text(c.cohort),
                  fig(c.size, "count"),
                  ...Array.from({ length: cohorts.periods }, (_, k) =>
                    k < c.values.length ? fig(c.values[k] ?? null, "percent") : text(""),
                  ),
                ]),
              },
            ],
          },
        ]
      : []),
    {
      id: "campaigns",
      title: s.byCampaign,
      blocks: [
        {
          type: "table",
          columns: [s.campaign, ...campaigns.kpis.map((k) => k.label)],
          numeric: [false, ...campaigns.kpis.map(() => true)],
          rows: campaignBlockRows(campaigns),
        },
      ],
    },
  ];
  const periodName = lang === "en" ? s.period[period] : s.period[period];
  return {
    kind: "periodic",
    lang,
    currency: workspace.settings.currency,
    workspace: workspace.name,
    title: s.periodicTitle(periodName),
    subtitle: range(current),
    from: current.from,
    to: current.to,
    sections,
    campaigns,
    headline: {
      kpis: metas.map(({ id, label, unit }) => ({ id, label, unit })),
      values: Object.fromEntries(metas.map((m) => [m.id, now.totals[m.id] ?? null])),
    },
  };
}
