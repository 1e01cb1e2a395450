import { UserError } from "../../errors.js";
import type { ImportKind } from "../../model/import-kinds.js";
import { googleAds } from "./google-ads.js";
import { linkedinAds } from "./linkedin-ads.js";
import { mailchimp } from "./mailchimp.js";
import { metaAds } from "./meta-ads.js";
import { microsoftAds } from "./microsoft-ads.js";
import { PRESET_NAMES, type Preset, type PresetName } from "./preset.js";

export type { Preset, PresetName } from "./preset.js";
export { PRESET_NAMES } from "./preset.js";

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  "google-ads": googleAds,
  "meta-ads": metaAds,
  "linkedin-ads": linkedinAds,
  "microsoft-ads": microsoftAds,
  mailchimp,
};

/** The presets that read files of a kind, by name. */
export function presetsFor(kind: ImportKind): Preset[] {
  return PRESET_NAMES.map((n) => PRESETS[n]).filter((p) => p.kind === kind);
}

/** Checks `--preset NAME` against the kind being imported. */
export function parsePreset(kind: ImportKind, raw: string): Preset {
  const preset = (PRESET_NAMES as readonly string[]).includes(raw) ? PRESETS[raw as PresetName] : undefined;
  if (!preset) {
    throw new UserError(`"${raw}" is not a preset. Presets are: ${describePresets()}.`, [
      { field: "preset", reason: "unknown preset" },
    ]);
  }
  if (preset.kind !== kind) {
    throw new UserError(
      `The ${preset.name} preset reads ${preset.kind}, not ${kind}: use sextant import ${preset.kind} FILE --preset ${preset.name}.`,
      [{ field: "preset", reason: `reads ${preset.kind}` }],
    );
  }
  return preset;
}

/** "google-ads, meta-ads, linkedin-ads, microsoft-ads (costs); mailchimp (email)". */
export function describePresets(kind?: ImportKind): string {
  const list = kind ? presetsFor(kind) : PRESET_NAMES.map((n) => PRESETS[n]);
  const costs = list.filter((p) => p.kind === "costs").map((p) => p.name);
  const email = list.filter((p) => p.kind === "email").map((p) => p.name);
  return [
    costs.length ? `${costs.join(", ")} (costs)` : "",
    email.length ? `${email.join(", ")} (email)` : "",
  ]
    .filter(Boolean)
    .join("; ");
}
