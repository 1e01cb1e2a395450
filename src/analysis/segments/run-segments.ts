import { UserError } from "../../errors.js";
import { runKpiQuery } from "../../kpi/run-query.js";
import type { Workspace } from "../../model/workspace.js";
import type { Store } from "../../store/store.js";
import { compareSegments, type SegmentComparison } from "./compare.js";
import { type SegmentShape, shapeMeasures, shapeOf } from "./shapes.js";

/** `sextant segments` and `/api/v1/segments`: one KPI across the segments of one dimension. */
export interface SegmentsRequest {
  readonly kpi: string;
  readonly by: string;
  readonly from?: string;
  readonly to?: string;
  readonly where?: readonly string[];
  /** Keep the first N segments (by value); the Holm adjustment still counts every segment. */
  readonly limit?: number;
}

/** The JSON of docs/segments.md: each segment keyed by the dimension's name, as `sextant kpi` rows are. */
export interface SegmentsResult {
  readonly workspace: string;
  readonly kpi: string;
  readonly by: string;
  readonly from: string;
  readonly to: string;
  readonly total: number | null;
  /** What `share` is a percent of: the KPI itself (additive), its denominator measure, or null. */
  readonly share_of: string | null;
  /** The test behind p_value, or null when the KPI is not a proportion. */
  readonly test: string | null;
  readonly segments: Record<string, string | number | boolean | null>[];
}

export const SEGMENT_TEST =
  "two-proportion z-test (pooled, two-sided), segment against the rest, Holm-adjusted";

/** Reads the KPI and the counts behind it by segment through the KPI query, then compares them. */
export async function runSegments(
  store: Store,
  workspace: Workspace,
  request: SegmentsRequest,
): Promise<SegmentsResult> {
  const kpi = single(request.kpi, "kpi", "KPI", "conversion_rate");
  const by = single(request.by, "by", "dimension", "device");
  if (request.limit !== undefined && !(Number.isInteger(request.limit) && request.limit >= 1)) {
    throw new UserError(`--limit ${request.limit} must be a whole number of at least 1.`, [
      { field: "limit", reason: "not a positive whole number" },
    ]);
  }
  const shape = shapeOf(kpi);
  const measures = shapeMeasures(shape);
  const result = await runKpiQuery(store, workspace, {
    kpis: [kpi],
    ...(request.from === undefined ? {} : { from: request.from }),
    ...(request.to === undefined ? {} : { to: request.to }),
    groupBy: [by],
    where: request.where ?? [],
    measures,
  });
  const [numerator, denominator] = countsOf(shape);
  const figures = (row: Record<string, string | number | null>) => ({
    value: num(row[kpi]),
    numerator: numerator === null ? null : num(row[numerator]),
    denominator: denominator === null ? null : num(row[denominator]),
  });
  const name = result.groupBy[0] ?? by;
  const compared = compareSegments(
    shape,
    figures(result.totals),
    result.rows.map((row) => ({ segment: String(row[name]), ...figures(row) })),
  );
  const kept = request.limit === undefined ? compared : compared.slice(0, request.limit);
  return {
    workspace: result.workspace,
    kpi,
    by: name,
    from: result.from,
    to: result.to,
    total: num(result.totals[kpi]),
    share_of: shape.kind === "additive" ? kpi : denominator,
    test: shape.kind === "proportion" ? SEGMENT_TEST : null,
    segments: kept.map((row) => keyed(name, row)),
  };
}

/** The numerator and denominator measures of a shape (null where it has none). */
function countsOf(shape: SegmentShape): [string | null, string | null] {
  const [first, second] = shapeMeasures(shape);
  if (shape.kind === "proportion") return [first ?? null, second ?? null];
  return [null, first ?? null];
}

/** One id, not a list: segments compare a single KPI by a single dimension. */
function single(raw: string, field: string, what: string, example: string): string {
  const value = raw.trim();
  if (value === "") {
    throw new UserError(`Name a ${what} with --${field}, for example --${field} ${example}.`, [
      { field, reason: "required" },
    ]);
  }
  if (value.includes(",")) {
    throw new UserError(`--${field} takes one ${what}, not a list ("${value}").`, [
      { field, reason: "one value" },
    ]);
  }
  return value;
}

function num(value: string | number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function keyed(name: string, row: SegmentComparison): Record<string, string | number | boolean | null> {
  const { segment, ...rest } = row;
  return { [name]: segment, ...rest };
}
