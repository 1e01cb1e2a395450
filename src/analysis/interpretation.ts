/**
 * What a KPI's movement usually means and where to look, as data: one set of rules shared by the
 * dashboard's cards and the reports (docs/interpretation.md lists them). Pure: no I/O.
 */

import type { Lang } from "../model/lang.js";
export type Signal = "worse_than_target" | "rises_sharply" | "falls_sharply";

export interface InterpretationRule {
  readonly id: string;
  readonly kpi: string;
  readonly signal: Signal;
  readonly meaning: Readonly<Record<Lang, string>>;
  /** The dashboard page where to look next (its path, e.g. "/funnels"). */
  readonly page: string;
}

/** A change of at least this many percent against the comparison period is "sharp". */
export const SHARP_CHANGE_PERCENT = 20;

const rule = (
  id: string,
  kpi: string,
  signal: Signal,
  en: string,
  fr: string,
  page: string,
): InterpretationRule => ({ id, kpi, signal, meaning: { en, fr }, page });

export const INTERPRETATION_RULES: readonly InterpretationRule[] = [
  rule(
    "cpa-high",
    "cpa",
    "worse_than_target",
    "Acquiring a customer costs more than planned: usually the targeting (audiences, keywords) or the offer. Compare campaigns' CPA.",
    "Acquérir un client coûte plus que prévu : en général le ciblage (audiences, mots-clés) ou l’offre. Comparez le CPA des campagnes.",
    "/campaigns",
  ),
  rule(
    "cpa-rises",
    "cpa",
    "rises_sharply",
    "CPA jumped: a campaign may be spending on audiences that do not convert, or the offer lost its appeal. Look at campaigns.",
    "Le CPA a bondi : une campagne dépense peut-être sur des audiences qui ne convertissent pas, ou l’offre attire moins. Voyez les campagnes.",
    "/campaigns",
  ),
  rule(
    "conversion-rate-falls",
    "conversion_rate",
    "falls_sharply",
    "Fewer visitors convert: usually friction in the funnel (a slow or broken step, a form, the checkout). Look at the funnel.",
    "Moins de visiteurs convertissent : en général une friction dans le tunnel (une étape lente ou cassée, un formulaire, le paiement). Voyez le tunnel.",
    "/funnels",
  ),
  rule(
    "conversion-rate-low",
    "conversion_rate",
    "worse_than_target",
    "The conversion rate is below target: look for the step where visitors drop off in the funnel, and at traffic quality by source.",
    "Le taux de conversion est sous l’objectif : cherchez l’étape où les visiteurs abandonnent dans le tunnel, et la qualité du trafic par source.",
    "/funnels",
  ),
  rule(
    "bounce-rate-rises",
    "bounce_rate",
    "rises_sharply",
    "More visits leave after one page: a landing page may not match its ads or emails, or it loads slowly. Look at landing pages.",
    "Plus de visites repartent après une page : une page d’arrivée ne correspond peut-être pas aux annonces ou e-mails, ou elle est lente. Voyez les pages d’arrivée.",
    "/traffic",
  ),
  rule(
    "visitors-fall",
    "visitors",
    "falls_sharply",
    "Traffic fell: a campaign may have stopped, a source dried up, or tracking broke. Look at channels and sources.",
    "Le trafic a baissé : une campagne s’est peut-être arrêtée, une source s’est tarie, ou le suivi est cassé. Voyez les canaux et sources.",
    "/traffic",
  ),
  rule(
    "revenue-falls",
    "revenue",
    "falls_sharply",
    "Revenue fell: check whether orders or the average order value dropped, and which campaigns bring less.",
    "Le chiffre d’affaires a baissé : vérifiez si ce sont les commandes ou le panier moyen, et quelles campagnes rapportent moins.",
    "/campaigns",
  ),
  rule(
    "revenue-low",
    "revenue",
    "worse_than_target",
    "Revenue is behind target: see the goal's pacing and which campaigns under-deliver.",
    "Le chiffre d’affaires est en retard sur l’objectif : voyez le rythme de l’objectif et les campagnes en deçà.",
    "/goals",
  ),
  rule(
    "roas-falls",
    "roas",
    "falls_sharply",
    "Each unit spent brings back less: move budget from the weakest campaigns (see budget advice).",
    "Chaque euro dépensé rapporte moins : déplacez le budget des campagnes les plus faibles (voir le conseil budgétaire).",
    "/campaigns",
  ),
  rule(
    "ctr-falls",
    "ctr",
    "falls_sharply",
    "Ads are clicked less: creative fatigue or a changed audience. Refresh the ads of the campaigns concerned.",
    "Les annonces sont moins cliquées : lassitude des visuels ou audience modifiée. Renouvelez les annonces concernées.",
    "/campaigns",
  ),
  rule(
    "open-rate-falls",
    "open_rate",
    "falls_sharply",
    "Fewer e-mails are opened: subject lines, send time, or deliverability (spam folder). Look at e-mail campaigns.",
    "Moins d’e-mails sont ouverts : objets, heure d’envoi ou délivrabilité (spam). Voyez les campagnes e-mail.",
    "/email",
  ),
  rule(
    "unsubscribes-rise",
    "unsubscribes",
    "rises_sharply",
    "More people unsubscribe: sending too often, or content that does not match what they signed up for.",
    "Plus de désabonnements : envois trop fréquents, ou contenu éloigné de ce qui était promis.",
    "/email",
  ),
];

export interface KpiReading {
  readonly kpi: string;
  readonly value: number | null;
  /** The same KPI over the comparison period. */
  readonly previous: number | null;
  /** A goal's status for this KPI, when there is one (docs/goals.md#goals-and-their-figures). */
  readonly goalStatus?: string | null;
}

/** Percent change from previous to value; null when either is missing or previous is 0. */
export function percentChange(value: number | null, previous: number | null): number | null {
  if (value === null || previous === null || previous === 0) return null;
  return ((value - previous) / Math.abs(previous)) * 100;
}

/** The signals a reading gives: off target (a goal at risk, off track or missed) and sharp moves. */
export function signalsOf(reading: KpiReading): Signal[] {
  const signals: Signal[] = [];
  if (reading.goalStatus && ["at_risk", "off_track", "missed"].includes(reading.goalStatus))
    signals.push("worse_than_target");
  const change = percentChange(reading.value, reading.previous);
  if (change !== null && change >= SHARP_CHANGE_PERCENT) signals.push("rises_sharply");
  if (change !== null && change <= -SHARP_CHANGE_PERCENT) signals.push("falls_sharply");
  return signals;
}

/** The rules that apply to a reading, in the order of INTERPRETATION_RULES. */
export function interpret(reading: KpiReading): InterpretationRule[] {
  const signals = signalsOf(reading);
  return INTERPRETATION_RULES.filter((r) => r.kpi === reading.kpi && signals.includes(r.signal));
}
