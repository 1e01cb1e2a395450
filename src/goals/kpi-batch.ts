import { type KpiRow, runKpiQuery } from "../kpi/run-query.js";
import type { Interval } from "../model/calendar.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";

/** One KPI over a range (and optional interval), for a goal's segment. */
export interface KpiAsk {
  readonly kpi: string;
  readonly from: string;
  readonly to: string;
  readonly interval?: Interval;
  readonly where: readonly string[];
}

/** The answer to an ask: the total over the range, and the rows by period when an interval was asked. */
export interface KpiAnswer {
  readonly total: number | null;
  readonly periods: readonly { readonly period: string; readonly value: number | null }[];
}

/**
 * Many goals ask for one KPI over the same range and segment: asks that share (range, interval,
 * segment) become one query for all their KPIs, so 20 goals over one quarter cost a few queries.
 */
export async function answerAll(
  store: Store,
  workspace: Workspace,
  asks: readonly KpiAsk[],
): Promise<KpiAnswer[]> {
  const groups = new Map<string, { ask: KpiAsk; kpis: Set<string> }>();
  const keyOf = (a: KpiAsk) => JSON.stringify([a.from, a.to, a.interval ?? null, [...a.where].sort()]);
  for (const ask of asks) {
    const key = keyOf(ask);
    const group = groups.get(key) ?? { ask, kpis: new Set<string>() };
    group.kpis.add(ask.kpi);
    groups.set(key, group);
  }
  const results = new Map<string, { rows: KpiRow[]; totals: Record<string, number | null> }>();
  for (const [key, { ask, kpis }] of groups) {
    const result = await runKpiQuery(store, workspace, {
      kpis: [...kpis],
      from: ask.from,
      to: ask.to,
      interval: ask.interval ?? null,
      where: ask.where,
    });
    results.set(key, { rows: result.rows, totals: result.totals });
  }
  return asks.map((ask) => {
    const result = results.get(keyOf(ask));
    const value = (v: unknown) => (typeof v === "number" ? v : null);
    return {
      total: value(result?.totals[ask.kpi]),
      periods: ask.interval
        ? (result?.rows ?? []).map((row) => ({ period: String(row.period), value: value(row[ask.kpi]) }))
        : [],
    };
  });
}

/** A goal's segment (`where: {channel: paid}`) as the `--where` filters of a KPI query. */
export function whereList(where: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(where ?? {}).map(([dimension, value]) => `${dimension}=${value}`);
}
