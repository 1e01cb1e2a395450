import { UserError } from "../errors.js";
import { runKpiQuery } from "../kpi/run-query.js";
import { campaignKey } from "../model/dimensions.js";
import type { Lang } from "../model/lang.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";
import { formatDate } from "./format-number.js";
import { strings } from "./i18n.js";
import { campaignBlockRows, campaignTable, kpiMeta, num } from "./kpi-meta.js";
import { type Block, fig, type ReportModel, type Section, text } from "./model.js";
import { auditFindings } from "./recommendations.js";
import { funnelBlock, goalsBlock, goalWheres, savedFunnelId } from "./sections.js";
import { type PeerStats, peerStats } from "./stats.js";
import type { KpiQuery, ReportProviders } from "./types.js";

export interface AuditRequest {
  readonly campaign: string;
  readonly from?: string;
  readonly to?: string;
  readonly lang: Lang;
}

/** The headline figures of an audit (docs/reports.md#post-campaign-audit), in this order. */
export const AUDIT_KPIS = [
  "spend",
  "impressions",
  "clicks",
  "ctr",
  "cpc",
  "visitors",
  "conversions",
  "conversion_rate",
  "new_customers",
  "cpa",
  "orders",
  "revenue",
  "roi",
  "roas",
] as const;

/** KPIs whose non-zero value on a day means the campaign ran that day (its dates). */
const ACTIVITY_KPIS = ["spend", "impressions", "clicks", "visitors", "conversions", "orders", "revenue"];

const TREND_KPIS = ["spend", "revenue", "clicks", "conversions"] as const;

/**
 * Gathers a post-campaign audit: the campaign's figures over its dates (its first and last day with
 * data unless given), against its goals and the other campaigns over the same dates, its funnel,
 * daily trends, and the findings of the written rules. Every figure comes from the KPI API.
 */
export async function gatherAudit(
  store: Store,
  workspace: Workspace,
  request: AuditRequest,
  providers: ReportProviders,
  query: KpiQuery = runKpiQuery,
): Promise<ReportModel> {
  const s = strings(request.lang);
  const key = campaignKey(request.campaign);
  if (key === "")
    throw new UserError("--campaign is empty: name the campaign to audit.", [
      { field: "campaign", reason: "empty" },
    ]);
  const where = [`campaign=${key}`];
  const { from, to } = await campaignDates(store, workspace, request, where, query);

  const [main, grouped, daily] = await Promise.all([
    query(store, workspace, { kpis: [...AUDIT_KPIS], from, to, where }),
    query(store, workspace, { kpis: [...AUDIT_KPIS], from, to, groupBy: ["campaign"] }),
    query(store, workspace, { kpis: [...TREND_KPIS], from, to, interval: "day", where }),
  ]);
  const lang = request.lang;
  const metas = AUDIT_KPIS.map((id) => kpiMeta(id, lang));
  const others = grouped.rows.filter((r) => r.campaign !== "(none)");
  const peers: Record<string, PeerStats> = {};
  for (const m of metas) {
    peers[m.id] = peerStats(
      main.totals[m.id] ?? null,
      others.map((r) => num(r[m.id])),
      m.better,
    );
  }

  const goals = providers.goals ? await providers.goals(to) : null;
  const wheres = await goalWheres(store, workspace.name);
  const goalsOf = goals?.goals.filter((g) => {
    const c = g.where?.campaign ?? wheres.get(g.id)?.campaign;
    return c !== undefined && campaignKey(c) === key;
  });
  const cpaGoal =
    goalsOf?.find((g) => g.kpi === "cpa") ??
    goals?.goals.find((g) => g.kpi === "cpa" && !(g.where ?? wheres.get(g.id)));
  const findings = auditFindings({ kpis: main.totals, peers, cpaTarget: cpaGoal?.target ?? null });

  const funnelId = await savedFunnelId(store, workspace.name);
  let funnelBlocks: Block[];
  if (!providers.funnel) funnelBlocks = [{ type: "note", text: s.unavailable(s.funnel) }];
  else if (funnelId === null) funnelBlocks = [{ type: "note", text: s.funnelNone }];
  else funnelBlocks = funnelBlock(await providers.funnel({ id: funnelId, from, to, campaign: key }), lang);

  const sections: Section[] = [
    {
      id: "results",
      title: s.results,
      blocks: [
        {
          type: "table",
          columns: [s.kpi, s.value],
          numeric: [false, true],
          rows: metas.map((m) => [text(m.label), fig(main.totals[m.id] ?? null, m.unit, m.id)]),
        },
      ],
    },
    {
      id: "peers",
      title: s.vsCampaigns,
      blocks: [
        { type: "paragraph", text: s.peerNote(others.length) },
        {
          type: "table",
          columns: [s.kpi, s.value, s.rank, s.q1, s.median, s.q3],
          numeric: [false, true, true, true, true, true],
          rows: metas.map((m) => {
            const p = peers[m.id] as PeerStats;
            return [
              text(m.label),
              fig(main.totals[m.id] ?? null, m.unit, m.id),
              text(p.rank === null ? "—" : `${p.rank} ${s.of(p.count)}`),
              fig(p.q1, m.unit),
              fig(p.median, m.unit),
              fig(p.q3, m.unit),
            ];
          }),
        },
      ],
    },
    {
      id: "goals",
      title: s.goals,
      blocks:
        goals === null
          ? [{ type: "note", text: s.unavailable(s.goals) }]
          : goalsBlock(goalsOf ?? [], lang, s.noGoals),
    },
    { id: "funnel", title: s.funnel, blocks: funnelBlocks },
    {
      id: "trends",
      title: s.trends,
      blocks: [
        trendChart(daily.rows, ["spend", "revenue"], lang),
        trendChart(daily.rows, ["clicks", "conversions"], lang),
      ],
    },
    {
      id: "worked",
      title: s.worked,
      blocks: [
        {
          type: "bullets",
          items: findings.worked.length ? findings.worked.map((f) => s.findings[f]) : [s.nothingWorked],
        },
      ],
    },
    {
      id: "did-not",
      title: s.didNot,
      blocks: [
        {
          type: "bullets",
          items: findings.didNot.length ? findings.didNot.map((f) => s.findings[f]) : [s.nothingFailed],
        },
      ],
    },
    {
      id: "recommendations",
      title: s.recommendations,
      blocks: [
        {
          type: "bullets",
          items: findings.advice.length ? findings.advice.map((a) => s.advice[a]) : [s.noAdvice],
        },
      ],
    },
  ];
  const campaigns = campaignTable(grouped.rows, lang);
  sections.push({
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
  });
  return {
    kind: "audit",
    lang,
    currency: workspace.settings.currency,
    workspace: workspace.name,
    title: s.auditTitle(key),
    subtitle: s.range(formatDate(from, lang), formatDate(to, lang)),
    from,
    to,
    sections,
    campaigns,
  };
}

/** The dates asked for, or the campaign's first and last day with any activity. */
async function campaignDates(
  store: Store,
  workspace: Workspace,
  request: AuditRequest,
  where: string[],
  query: KpiQuery,
): Promise<{ from: string; to: string }> {
  if (request.from !== undefined && request.to !== undefined) return { from: request.from, to: request.to };
  const days = await query(store, workspace, {
    kpis: ACTIVITY_KPIS,
    ...(request.from ? { from: request.from } : {}),
    ...(request.to ? { to: request.to } : {}),
    interval: "day",
    where,
  });
  const active = days.rows.filter((row) => ACTIVITY_KPIS.some((k) => (num(row[k]) ?? 0) !== 0));
  const first = active[0]?.period;
  const last = active[active.length - 1]?.period;
  if (typeof first !== "string" || typeof last !== "string") {
    throw new UserError(
      `Campaign "${campaignKey(request.campaign)}" has no data${request.from || request.to ? " in that range" : ""}: check its name with \`sextant kpi --group-by campaign\`.`,
      [{ field: "campaign", reason: "no data" }],
      404,
    );
  }
  return { from: request.from ?? first, to: request.to ?? last };
}

/** A line chart of one or two KPIs by period, from a KPI result with an interval. */
export function trendChart(
  rows: readonly Record<string, string | number | null>[],
  kpis: readonly string[],
  lang: Lang,
): Block {
  const metas = kpis.map((id) => kpiMeta(id, lang));
  return {
    type: "chart",
    chart: {
      title: metas.map((m) => m.label).join(" / "),
      periods: rows.map((r) => String(r.period)),
      series: metas.map((m) => ({ label: m.label, unit: m.unit, values: rows.map((r) => num(r[m.id])) })),
    },
  };
}
