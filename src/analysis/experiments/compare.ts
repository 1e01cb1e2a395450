import { UserError } from "../../errors.js";
import type { Lang } from "../../model/lang.js";
import { chanceToBeat } from "./bayes.js";
import { holmAdjust } from "./holm.js";
import { relativeLift, twoProportionPValue, waldDifference, wilsonInterval } from "./proportions.js";
import { sampleSizeTwoProportions } from "./sample-size.js";
import { chiSquareGoodnessOfFit, SRM_THRESHOLD } from "./srm.js";

/** Visitors (first exposures) and converted visitors of one variation. */
export interface VariationCounts {
  readonly id: string;
  readonly visitors: number;
  readonly conversions: number;
}

/** One variation as docs/funnels-and-experiments.md#experiments shapes it; percentages in percent, comparison fields null for the control. */
export interface VariationResult {
  id: string;
  visitors: number;
  conversions: number;
  rate: number | null;
  rate_ci: [number, number] | null;
  lift_abs: number | null;
  lift_abs_ci: [number, number] | null;
  lift_rel: number | null;
  lift_rel_ci: [number, number] | null;
  p_value: number | null;
  p_value_holm?: number | null;
  chance_to_beat_control: number | null;
  /** One sentence on where this variation stands against the control. */
  verdict: string | null;
}

export interface ExperimentStats {
  control: string | null;
  variations: VariationResult[];
  srm: { p_value: number | null; flagged: boolean; planned: number[] };
  verdict: string;
}

/** The significance level verdicts use, and the power assumed for "N more visitors". */
const ALPHA = 0.05;
const POWER = 0.8;

/**
 * The control of docs/funnels-and-experiments.md#data: the one asked for, else `control`, else `0`, else the first id in
 * sorting order. Null when there is no variation.
 */
export function chooseControl(ids: readonly string[], asked?: string): string | null {
  if (asked !== undefined) {
    if (ids.includes(asked)) return asked;
    throw new UserError(
      `The control "${asked}" is not a variation of this experiment${ids.length ? `; its variations are ${[...ids].sort().join(", ")}` : ""}.`,
      [{ field: "control", reason: "unknown variation" }],
    );
  }
  if (ids.includes("control")) return "control";
  if (ids.includes("0")) return "0";
  return [...ids].sort(compareIds)[0] ?? null;
}

/** Sorting order of variation ids: by code units, as SQL's ORDER BY on text. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const pct = (x: number | null) => (x === null ? null : x * 100);
const pctPair = (pair: readonly [number, number] | null): [number, number] | null =>
  pair === null ? null : [pair[0] * 100, pair[1] * 100];

/** Every statistic of docs/funnels-and-experiments.md#methods from the counts of each variation. */
export function compareVariations(
  counts: readonly VariationCounts[],
  options: { control?: string; split?: readonly number[]; lang?: Lang } = {},
): ExperimentStats {
  const lang = options.lang ?? "en";
  const control = chooseControl(
    counts.map((c) => c.id),
    options.control,
  );
  const ordered = [
    ...counts.filter((c) => c.id === control),
    ...counts.filter((c) => c.id !== control).sort((a, b) => compareIds(a.id, b.id)),
  ];
  const planned = options.split ? [...options.split] : ordered.map(() => 1);
  if (options.split && options.split.length !== ordered.length) {
    throw new UserError(
      `--split gives ${options.split.length} shares but the experiment has ${ordered.length} variations (${ordered.map((v) => v.id).join(", ")}); give one share per variation, the control first.`,
      [{ field: "split", reason: "one share per variation" }],
    );
  }
  const c = ordered[0];
  const variations: VariationResult[] = ordered.map((v, i) => {
    const rate = v.visitors > 0 ? v.conversions / v.visitors : null;
    const base = {
      id: v.id,
      visitors: v.visitors,
      conversions: v.conversions,
      rate: pct(rate),
      rate_ci: pctPair(wilsonInterval(v.conversions, v.visitors)),
    };
    if (i === 0 || c === undefined) {
      return {
        ...base,
        lift_abs: null,
        lift_abs_ci: null,
        lift_rel: null,
        lift_rel_ci: null,
        p_value: null,
        chance_to_beat_control: null,
        verdict: null,
      };
    }
    const rel = relativeLift(v.conversions, v.visitors, c.conversions, c.visitors);
    const pValue = twoProportionPValue(v.conversions, v.visitors, c.conversions, c.visitors);
    const liftAbs = rate !== null && c.visitors > 0 ? rate - c.conversions / c.visitors : null;
    return {
      ...base,
      lift_abs: pct(liftAbs),
      lift_abs_ci: pctPair(waldDifference(v.conversions, v.visitors, c.conversions, c.visitors)),
      lift_rel: pct(rel.lift),
      lift_rel_ci: pctPair(rel.interval),
      p_value: pValue,
      chance_to_beat_control: chanceToBeat(v.conversions, v.visitors, c.conversions, c.visitors),
      verdict: null,
    };
  });
  if (variations.length >= 3) {
    const adjusted = holmAdjust(variations.slice(1).map((v) => v.p_value));
    variations.forEach((v, i) => {
      v.p_value_holm = i === 0 ? null : (adjusted[i - 1] ?? null);
    });
  }
  for (const v of variations.slice(1)) {
    if (c) v.verdict = verdictOf(v, c, lang);
  }
  const srm = chiSquareGoodnessOfFit(
    ordered.map((v) => v.visitors),
    planned,
  );
  return {
    control,
    variations,
    srm: { p_value: srm?.pValue ?? null, flagged: srm !== null && srm.pValue < SRM_THRESHOLD, planned },
    verdict: overallVerdict(variations, srm !== null && srm.pValue < SRM_THRESHOLD, lang),
  };
}

/** The plain-language sentence for one variation against the control. */
function verdictOf(v: VariationResult, c: VariationCounts, lang: Lang): string {
  const fr = lang === "fr";
  const p = v.p_value_holm ?? v.p_value;
  if (v.visitors === 0 || c.visitors === 0) {
    return fr
      ? `${v.id} : pas encore de visiteurs à comparer avec ${c.id}.`
      : `${v.id}: no visitors yet to compare with ${c.id}.`;
  }
  const fmt = (x: number, digits: number) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(x);
  if (p !== null && p < ALPHA && v.lift_abs !== null) {
    const better = v.lift_abs > 0;
    const points = fmt(Math.abs(v.lift_abs), 2);
    if (fr) {
      return `${v.id} ${better ? "fait mieux" : "fait moins bien"} que ${c.id} : ${better ? "+" : "−"}${points} point(s) de taux de conversion (p = ${fmt(p, 4)}), une différence significative.`;
    }
    return `${v.id} ${better ? "beats" : "does worse than"} ${c.id}: ${better ? "+" : "−"}${points} point(s) of conversion rate (p = ${fmt(p, 4)}), a significant difference.`;
  }
  const pc = c.conversions / c.visitors;
  const pv = v.conversions / v.visitors;
  const needed = sampleSizeTwoProportions(pc, pv, ALPHA, POWER);
  if (needed === null) {
    return fr
      ? `${v.id} : aucune différence avec ${c.id} pour l'instant (même taux de conversion).`
      : `${v.id}: no difference from ${c.id} so far (the same conversion rate).`;
  }
  const more = Math.max(0, Math.ceil(needed) - Math.min(v.visitors, c.visitors));
  const n = fmt(more, 0);
  return fr
    ? `${v.id} : pas encore significatif : encore environ ${n} visiteurs par variante aux taux actuels.`
    : `${v.id}: not significant yet: about ${n} more visitors per variation at the current rates.`;
}

function overallVerdict(variations: readonly VariationResult[], srmFlagged: boolean, lang: Lang): string {
  const fr = lang === "fr";
  const parts: string[] = [];
  if (variations.length === 0) {
    parts.push(
      fr
        ? "Aucune exposition : personne n'a encore vu cette expérience."
        : "No exposures: nobody has seen this experiment yet.",
    );
  } else if (variations.length === 1) {
    parts.push(
      fr
        ? `Une seule variante (${variations[0]?.id}) a été vue : rien à comparer.`
        : `Only one variation (${variations[0]?.id}) was seen: there is nothing to compare.`,
    );
  } else {
    for (const v of variations) if (v.verdict) parts.push(v.verdict);
  }
  if (srmFlagged) {
    parts.push(
      fr
        ? "Attention : la répartition des visiteurs s'écarte de celle prévue (SRM, p < 0,001) ; vérifiez l'affectation avant de conclure."
        : "Warning: visitors are not split as planned (sample ratio mismatch, p < 0.001); check the assignment before trusting the results.",
    );
  }
  return parts.join(" ");
}
