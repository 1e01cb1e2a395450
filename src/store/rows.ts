import { validateSettings } from "../model/parse-setting.js";
import type { TextRecord } from "../model/text-record.js";
import type { Workspace } from "../model/workspace.js";
import type {
  CohortRow,
  FunnelCounts,
  IncomingEvent,
  MeasureRow,
  MetricSumsRow,
  StoredDocument,
} from "./store.js";

/** What every store's SQL rows become: shared so the stores answer in one shape. */

/** A workspaces row (`name`, `settings` as JSON text) as a Workspace, its settings validated. */
export function toWorkspace(row: Record<string, unknown>): Workspace {
  return { name: String(row.name), settings: validateSettings(JSON.parse(String(row.settings))) };
}

/** A documents row (`kind`, `id`, `body` as JSON text, `updated_at`) as a StoredDocument. */
export function toDocument(row: Record<string, unknown>): StoredDocument {
  return {
    kind: String(row.kind),
    id: String(row.id),
    body: JSON.parse(String(row.body)),
    updatedAt: String(row.updated_at),
  };
}

/**
 * A row of a measure statement: `period`, `d0`, `d1`… and base measures; `is_total` (TRUE, or 1
 * where SQL has no booleans) marks the totals over the selection, whose dimensions are not values.
 */
export function toMeasureRow(row: Record<string, unknown>, dims: number): MeasureRow {
  const { period, is_total, ...rest } = row;
  const total = is_total === true || is_total === 1 || is_total === "1";
  const dimValues: Record<string, string> = {};
  const values: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (/^d\d+$/.test(key)) {
      if (!total && Number(key.slice(1)) < dims) dimValues[key] = String(value);
    } else values[key] = value === null || value === undefined ? null : Number(value);
  }
  return {
    total,
    period: total || period === null || period === undefined ? null : String(period),
    dims: dimValues,
    values,
  };
}

/** Events grouped by workspace, in arrival order within each. */
export function recordsByWorkspace(events: readonly IncomingEvent[]): Map<string, TextRecord[]> {
  const byWorkspace = new Map<string, TextRecord[]>();
  for (const event of events) {
    const list = byWorkspace.get(event.workspace) ?? [];
    list.push(event.record);
    byWorkspace.set(event.workspace, list);
  }
  return byWorkspace;
}

/**
 * The rows of a funnel's SQL (both dialects: `r1..rk` visitors, `m2..mk` median microseconds, and
 * `g` per group) as FunnelCounts: `overall` has no `g`; `groups` are the rows of the grouped query.
 */
export function toFunnelCounts(
  steps: number,
  overall: Record<string, unknown> | undefined,
  groups?: readonly Record<string, unknown>[],
): FunnelCounts {
  const counts = (row: Record<string, unknown>) => {
    const value = (name: string) =>
      row[name] === null || row[name] === undefined ? null : Number(row[name]);
    return {
      reached: Array.from({ length: steps }, (_, i) => value(`r${i + 1}`) ?? 0),
      medianMicros: Array.from({ length: steps }, (_, i) => (i === 0 ? null : value(`m${i + 1}`))),
    };
  };
  return {
    ...counts(overall ?? {}),
    ...(groups
      ? {
          groups: groups.map((row) => ({
            value: row.g === null || row.g === undefined ? null : String(row.g),
            ...counts(row),
          })),
        }
      : {}),
  };
}

/** Rows of a metric sums statement (`variation`, `n`, `sum`, … as numbers, decimals or text). */
export function toMetricSumsRows(rows: readonly Record<string, unknown>[]): MetricSumsRow[] {
  return rows.map((row) => ({
    variation: String(row.variation),
    n: Number(row.n),
    sum: Number(row.sum),
    sumSquares: Number(row.sum_squares),
    preSum: Number(row.pre_sum),
    preSumSquares: Number(row.pre_sum_squares),
    sumProducts: Number(row.sum_products),
  }));
}

/** Rows of a cohorts statement (`cohort`, `period` as dates or text, counts and sums). */
export function toCohortRows(rows: readonly Record<string, unknown>[]): CohortRow[] {
  return rows.map((row) => ({
    cohort: String(row.cohort).slice(0, 10),
    period: String(row.period).slice(0, 10),
    active: Number(row.active),
    revenue: Number(row.revenue),
    orders: Number(row.orders),
  }));
}
