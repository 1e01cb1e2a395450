import type { KpiRequest, KpiResult } from "../kpi/run-query.js";
import type { Lang } from "../model/lang.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";

/** docs/goals.md#goals-and-their-figures: one goal's figures as `sextant goals --format json` gives them. */
export interface GoalFigures {
  readonly id: string;
  readonly objective: string;
  readonly kpi: string;
  readonly kind: "cumulative" | "level";
  readonly direction: "up" | "down";
  readonly target: number;
  readonly start: string;
  readonly deadline: string;
  readonly current: number | null;
  readonly baseline: number | null;
  readonly expected: number | null;
  readonly progress: number | null;
  readonly forecast: number | null;
  readonly required_per_day: number | null;
  readonly status: "not_started" | "achieved" | "on_track" | "at_risk" | "off_track" | "missed";
  /** Not in docs/goals.md#goals-and-their-figures's list, but a goal may carry its filters; the audit matches goals by campaign. */
  readonly where?: Readonly<Record<string, string>>;
}

export interface GoalsReport {
  readonly as_of: string;
  readonly goals: readonly GoalFigures[];
}

/** docs/alerts.md#history: one entry of the alert history. */
export interface AlertFiring {
  readonly rule: string;
  readonly fired_at: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly value: number | string | null;
  readonly threshold: number | string | null;
  readonly deliveries: readonly {
    readonly channel: string;
    readonly status: "delivered" | "failed" | "suppressed";
    readonly attempts: number;
    readonly error: string | null;
  }[];
}

/** docs/funnels-and-experiments.md#funnels: a funnel's result. */
export interface FunnelResult {
  readonly funnel: string;
  readonly window: string;
  readonly steps: readonly {
    readonly step: number;
    readonly name: string;
    readonly visitors: number;
    readonly conversion_from_start: number | null;
    readonly conversion_from_previous: number | null;
    readonly drop_off: number;
    readonly median_seconds_from_previous: number | null;
  }[];
}

/** docs/budget.md#budget-advice: budget advice. */
export interface BudgetAdvice {
  readonly from: string;
  readonly to: string;
  readonly total: number;
  readonly campaigns: readonly {
    readonly campaign: string;
    readonly spend: number;
    readonly roi: number | null;
    readonly cpa: number | null;
    readonly proposed: number;
    readonly change: number;
    readonly reason: string;
  }[];
}

/**
 * What other rooms compute for some sections (goals, alerts, funnels, budget). Each is optional:
 * a missing one gives a section that says plainly it is not available. Wired in providers.ts.
 */
export interface ReportProviders {
  readonly goals?: (asOf: string) => Promise<GoalsReport>;
  readonly alerts?: () => Promise<readonly AlertFiring[]>;
  /** Runs the saved funnel `id` over a range for the visitors who entered it from one campaign. */
  readonly funnel?: (request: {
    readonly id: string;
    readonly from: string;
    readonly to: string;
    readonly campaign: string;
  }) => Promise<FunnelResult>;
  readonly budget?: (request: {
    readonly from: string;
    readonly to: string;
    readonly lang: Lang;
  }) => Promise<BudgetAdvice>;
}

/** The KPI API a report reads through: runKpiQuery, or a recorder of it (the benchmark). */
export type KpiQuery = (store: Store, workspace: Workspace, request: KpiRequest) => Promise<KpiResult>;
