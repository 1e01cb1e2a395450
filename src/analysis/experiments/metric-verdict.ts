import type { Lang } from "../../model/lang.js";
import type { MetricResult } from "./compare-metrics.js";

const ALPHA = 0.05;

/**
 * The plain-language verdict of metric results: for each metric and variation, whether its lift
 * against the control is significant (Holm-adjusted over all metrics and variations), and a
 * warning on a sample ratio mismatch.
 */
export function metricsVerdict(
  metrics: readonly MetricResult[],
  control: string | null,
  srmFlagged: boolean,
  lang: Lang,
): string {
  const fr = lang === "fr";
  const fmt = (x: number, digits: number) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(x);
  const parts: string[] = [];
  const seen = metrics[0]?.variations.filter((v) => v.visitors > 0) ?? [];
  if (seen.length === 0) {
    parts.push(
      fr
        ? "Aucune exposition : personne n'a encore vu cette expérience."
        : "No exposures: nobody has seen this experiment yet.",
    );
  } else if (seen.length === 1) {
    parts.push(
      fr
        ? `Une seule variante (${seen[0]?.id}) a été vue : rien à comparer.`
        : `Only one variation (${seen[0]?.id}) was seen: there is nothing to compare.`,
    );
  } else {
    for (const m of metrics) {
      for (const v of m.variations.slice(1)) {
        const p = v.p_value_holm ?? v.p_value;
        if (v.lift === null || p === null) {
          parts.push(
            fr
              ? `${v.id} : ${m.metric} ne peut pas encore être comparé avec ${control}.`
              : `${v.id}: ${m.metric} cannot be compared with ${control} yet.`,
          );
          continue;
        }
        const lift = `${v.lift >= 0 ? "+" : "−"}${fmt(Math.abs(v.lift) * 100, 2)} %`;
        if (p < ALPHA) {
          const better = v.lift > 0;
          parts.push(
            fr
              ? `${v.id} ${better ? "fait mieux" : "fait moins bien"} que ${control} sur ${m.metric} : ${lift} (p = ${fmt(p, 4)}), une différence significative.`
              : `${v.id} ${better ? "beats" : "does worse than"} ${control} on ${m.metric}: ${lift} (p = ${fmt(p, 4)}), a significant difference.`,
          );
        } else {
          parts.push(
            fr
              ? `${v.id} : pas de différence significative avec ${control} sur ${m.metric} pour l'instant (${lift}, p = ${fmt(p, 4)}).`
              : `${v.id}: no significant difference from ${control} on ${m.metric} yet (${lift}, p = ${fmt(p, 4)}).`,
          );
        }
      }
    }
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
