import type { Lang } from "../model/lang.js";
import type { Store } from "../store/store.js";
import { strings } from "./i18n.js";
import { kpiMeta } from "./kpi-meta.js";
import { type Block, fig, text } from "./model.js";
import type { AlertFiring, BudgetAdvice, FunnelResult, GoalFigures } from "./types.js";

/** Goal ids → their filters, from the saved goal definitions (docs/goals.md#goals-and-their-figures's JSON has no `where`). */
export async function goalWheres(
  store: Store,
  workspace: string,
): Promise<Map<string, Record<string, string>>> {
  const docs = await store.listDocuments(workspace, "goal");
  const out = new Map<string, Record<string, string>>();
  for (const doc of docs) {
    const body = doc.body as { where?: unknown } | null;
    if (body && typeof body.where === "object" && body.where !== null) {
      out.set(doc.id, Object.fromEntries(Object.entries(body.where).map(([k, v]) => [k, String(v)])));
    }
  }
  return out;
}

/** The first saved funnel (by id), or null. */
export async function savedFunnelId(store: Store, workspace: string): Promise<string | null> {
  const ids = (await store.listDocuments(workspace, "funnel")).map((d) => d.id).sort();
  return ids[0] ?? null;
}

const unitOf = (kpi: string, lang: Lang) => {
  try {
    return kpiMeta(kpi, lang).unit;
  } catch {
    return "ratio" as const; // a custom KPI
  }
};

/** Goals with status and pacing (docs/goals.md#goals-and-their-figures figures). */
export function goalsBlock(goals: readonly GoalFigures[], lang: Lang, empty: string): Block[] {
  const s = strings(lang);
  if (goals.length === 0) return [{ type: "note", text: empty }];
  return [
    {
      type: "table",
      columns: [
        s.objective,
        s.goal,
        s.kpi,
        s.target,
        s.current,
        s.expected,
        s.progress,
        s.forecast,
        s.status,
      ],
      numeric: [false, false, false, true, true, true, true, true, false],
      rows: goals.map((g) => {
        const unit = unitOf(g.kpi, lang);
        return [
          text(g.objective),
          text(g.id),
          text(g.kpi),
          fig(g.target, unit),
          fig(g.current, unit),
          fig(g.expected, unit),
          fig(g.progress, "percent"),
          fig(g.forecast, unit),
          text(s.statuses[g.status] ?? g.status),
        ];
      }),
    },
  ];
}

export function funnelBlock(result: FunnelResult, lang: Lang): Block[] {
  const s = strings(lang);
  return [
    { type: "paragraph", text: `${result.funnel} (${result.window})` },
    {
      type: "table",
      columns: [s.step, s.visitors, s.fromStart, s.fromPrevious, s.dropOff],
      numeric: [false, true, true, true, true],
      rows: result.steps.map((step) => [
        text(`${step.step}. ${step.name}`),
        fig(step.visitors, "count"),
        fig(step.conversion_from_start, "percent"),
        fig(step.conversion_from_previous, "percent"),
        fig(step.drop_off, "count"),
      ]),
    },
  ];
}

export function budgetBlock(advice: BudgetAdvice, lang: Lang): Block[] {
  const s = strings(lang);
  return [
    {
      type: "table",
      columns: [s.campaign, s.spend, "ROI", "CPA", s.proposed, s.change, s.reason],
      numeric: [false, true, true, true, true, true, false],
      rows: advice.campaigns.map((c) => [
        text(c.campaign),
        fig(c.spend, "money"),
        fig(c.roi, "percent"),
        fig(c.cpa, "money"),
        fig(c.proposed, "money"),
        fig(c.change, "money"),
        text(c.reason),
      ]),
    },
  ];
}

export function alertsBlock(firings: readonly AlertFiring[], lang: Lang): Block[] {
  const s = strings(lang);
  if (firings.length === 0) return [{ type: "note", text: s.noAlerts }];
  return [
    {
      type: "table",
      columns: [s.rule, s.firedAt, s.value, s.threshold],
      numeric: [false, false, true, true],
      rows: firings.map((f) => [
        text(f.rule),
        text(f.fired_at),
        // goal_status rules report statuses (docs/goals.md#goals-and-their-figures words), the others figures.
        typeof f.value === "string" ? text(f.value) : fig(f.value, "ratio"),
        typeof f.threshold === "string" ? text(f.threshold) : fig(f.threshold, "ratio"),
      ]),
    },
  ];
}
