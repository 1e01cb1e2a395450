import { UserError } from "../errors.js";
import { parseOrThrow } from "../validation.js";
import { settingsSchema, type WorkspaceSettings } from "./workspace.js";

const LIST_SETTINGS = new Set(["conversion_events", "lead_events", "domains"]);
const NUMBER_SETTINGS = new Set([
  "session_timeout_minutes",
  "gross_margin",
  "clv_max_lifetime_periods",
  "attribution_window_days",
  "retention_days",
]);
/** Settings that may be unset, with `KEY=none` (or an empty value). */
const NULLABLE_SETTINGS = new Set(["retention_days"]);

/** Applies `KEY=VALUE` assignments (as typed on the command line) to settings, validating the result. */
export function applySettingAssignments(
  current: WorkspaceSettings,
  assignments: readonly string[],
): WorkspaceSettings {
  const next: Record<string, unknown> = { ...current };
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) {
      throw new UserError(`"${assignment}" is not KEY=VALUE, for example timezone=Europe/Paris.`);
    }
    const key = assignment.slice(0, eq).trim();
    const value = assignment.slice(eq + 1).trim();
    if (!(key in settingsSchema.shape)) {
      throw new UserError(
        `Unknown setting "${key}". Settings are: ${Object.keys(settingsSchema.shape).join(", ")}.`,
        [{ field: key, reason: "unknown setting" }],
      );
    }
    next[key] = parseValue(key, value);
  }
  return validateSettings(next);
}

function parseValue(key: string, value: string): unknown {
  if (NULLABLE_SETTINGS.has(key) && (value === "" || value.toLowerCase() === "none")) return null;
  if (LIST_SETTINGS.has(key)) {
    return value === ""
      ? []
      : value
          .split(",")
          .map((v) => v.trim())
          .filter((v) => v !== "");
  }
  if (NUMBER_SETTINGS.has(key)) return value === "" ? Number.NaN : Number(value);
  return value;
}

/** Validates a settings object, in one sentence per wrong setting. */
export function validateSettings(input: unknown): WorkspaceSettings {
  return parseOrThrow(settingsSchema, input, "", (first) => `Setting ${first.field ?? "?"} ${first.reason}.`);
}
