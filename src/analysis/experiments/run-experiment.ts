import { experimentSchema } from "../../definitions/schemas.js";
import { UserError } from "../../errors.js";
import type { Lang } from "../../model/lang.js";
import type { Workspace } from "../../model/workspace.js";
import type { Store } from "../../store/store.js";
import { chooseControl, compareVariations, type ExperimentStats } from "./compare.js";
import { compareMetrics, type MetricResult } from "./compare-metrics.js";
import { metricName, parseMetric } from "./metric-spec.js";
import { metricsVerdict } from "./metric-verdict.js";
import { DEFAULT_TUNING } from "./sequential.js";
import { chiSquareGoodnessOfFit, SRM_THRESHOLD } from "./srm.js";

/** CUPED's default lookback: the 14 days before each visitor's first exposure. */
export const DEFAULT_LOOKBACK_DAYS = 14;
const ALPHA = 0.05;

export interface ExperimentRequest {
  readonly id: string;
  readonly conversion?: string;
  readonly control?: string;
  readonly split?: readonly number[];
  readonly from?: string;
  readonly to?: string;
  readonly lang?: Lang;
  /** Mean metrics per exposed visitor (`--metric`, metric-spec.ts). */
  readonly metrics?: readonly string[];
  /** CUPED with the same metric over `lookbackDays` (default 14) before each first exposure. */
  readonly cuped?: boolean;
  readonly lookbackDays?: number;
  /** Always-valid intervals and p-values, with the tuning parameter N* (default 5000). */
  readonly sequential?: boolean;
  readonly tuning?: number;
}

/** The JSON of docs/funnels-and-experiments.md#experiments (plus `conversion`, the dates and the plain-language verdict). */
export interface ExperimentResult extends Omit<ExperimentStats, "control"> {
  experiment: string;
  /** The conversion event of `variations`; null when only `metrics` were asked. */
  conversion: string | null;
  from: string | null;
  to: string | null;
  control: string | null;
  /**
   * With --metric, --cuped or --sequential: every metric (the conversion first) per variation, as
   * gbstats computes it (compare-metrics.ts).
   */
  metrics?: MetricResult[];
}

/**
 * Analyses an experiment: the saved definition (kind "experiment") gives defaults that flags
 * override; the store counts first exposures and conversions per variation; the statistics are
 * computed from those counts.
 */
export async function runExperiment(
  store: Store,
  workspace: Workspace,
  request: ExperimentRequest,
): Promise<ExperimentResult> {
  const saved = (await store.listDocuments(workspace.name, "experiment")).find(
    (doc) => doc.id === request.id,
  );
  const definition = saved ? experimentSchema.safeParse(saved.body) : null;
  const base = definition?.success ? definition.data : undefined;
  const conversion = request.conversion ?? base?.conversion;
  const asked = (request.metrics ?? []).map(parseMetric);
  const withMetrics = asked.length > 0 || request.cuped === true || request.sequential === true;
  if (!conversion && asked.length === 0) {
    throw new UserError(
      `Say which event counts as a conversion for experiment "${request.id}", for example --conversion "Signed Up", or a metric such as --metric revenue.`,
      [{ field: "conversion", reason: "required" }],
    );
  }
  const lookbackDays = request.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  const tuning = request.tuning ?? DEFAULT_TUNING;
  if (request.cuped && !(Number.isInteger(lookbackDays) && lookbackDays > 0)) {
    throw new UserError(`--lookback "${lookbackDays}" must be a whole number of days, such as 14.`, [
      { field: "lookback", reason: "positive whole number" },
    ]);
  }
  if (request.sequential && !(tuning > 0 && Number.isFinite(tuning))) {
    throw new UserError(`--tuning "${tuning}" must be a positive number of visitors, such as 5000.`, [
      { field: "tuning", reason: "positive number" },
    ]);
  }
  const from = request.from ?? base?.from;
  const to = request.to ?? base?.to;
  for (const [field, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      throw new UserError(`--${field} "${value}" is not a date YYYY-MM-DD.`, [
        { field, reason: "not a date" },
      ]);
    }
  }
  if (from && to && from > to) {
    throw new UserError(`The experiment's dates start (${from}) after they end (${to}).`, [
      { field: "from", reason: "after to" },
    ]);
  }
  const dates = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const control = request.control ?? base?.control;
  const split = request.split ?? base?.split;
  const lang = request.lang ?? workspace.settings.locale;

  const sources = [...(conversion ? [parseMetric(`conversion:${conversion}`)] : []), ...asked].filter(
    (m, i, all) => all.findIndex((x) => metricName(x) === metricName(m)) === i,
  );
  const [rows, sums] = await Promise.all([
    conversion ? store.queryExposures({ workspace, experiment: request.id, conversion, ...dates }) : [],
    withMetrics
      ? Promise.all(
          sources.map(async (source) => ({
            source,
            rows: await store.queryMetricSums({
              workspace,
              experiment: request.id,
              metric: source,
              ...dates,
              lookbackDays: request.cuped ? lookbackDays : null,
            }),
          })),
        )
      : [],
  ]);

  let stats: ExperimentStats;
  if (conversion) {
    stats = compareVariations(
      rows.map((r) => ({ id: r.variation, visitors: r.visitors, conversions: r.conversions })),
      {
        ...(control !== undefined && rows.length > 0 ? { control } : {}),
        ...(split !== undefined && rows.length > 1 ? { split } : {}),
        lang,
      },
    );
  } else {
    // Only mean metrics: the variations and the split come from the first metric's visitors.
    const first = sums[0]?.rows ?? [];
    const ids = first.map((r) => r.variation);
    const chosen = chooseControl(ids, ids.length > 0 ? control : undefined);
    const ordered = [
      ...first.filter((r) => r.variation === chosen),
      ...first.filter((r) => r.variation !== chosen),
    ];
    const planned = split !== undefined && ordered.length > 1 ? [...split] : ordered.map(() => 1);
    if (planned.length !== ordered.length) {
      throw new UserError(
        `--split gives ${planned.length} shares but the experiment has ${ordered.length} variations (${ordered.map((v) => v.variation).join(", ")}); give one share per variation, the control first.`,
        [{ field: "split", reason: "one share per variation" }],
      );
    }
    const srm = chiSquareGoodnessOfFit(
      ordered.map((r) => r.n),
      planned,
    );
    stats = {
      control: chosen,
      variations: [],
      srm: { p_value: srm?.pValue ?? null, flagged: srm !== null && srm.pValue < SRM_THRESHOLD, planned },
      verdict: "",
    };
  }

  let metrics: MetricResult[] | undefined;
  if (withMetrics) {
    const ids = [
      ...new Set([
        ...stats.variations.map((v) => v.id),
        ...sums.flatMap((m) => m.rows.map((r) => r.variation)),
      ]),
    ];
    const chosen = stats.control ?? chooseControl(ids, ids.length > 0 ? control : undefined);
    metrics = chosen
      ? compareMetrics(sums, ids, chosen, {
          lookbackDays: request.cuped ? lookbackDays : null,
          tuning: request.sequential ? tuning : null,
          alpha: ALPHA,
        })
      : [];
    stats = { ...stats, verdict: metricsVerdict(metrics, chosen, stats.srm.flagged, lang) };
  }
  return {
    experiment: request.id,
    conversion: conversion ?? null,
    from: from ?? null,
    to: to ?? null,
    ...stats,
    ...(metrics ? { metrics } : {}),
  };
}
