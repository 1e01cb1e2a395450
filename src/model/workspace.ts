import { z } from "zod";

/** IANA time zone names known to this Node.js (ICU) build. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const eventNames = z.array(z.string().trim().min(1).max(120)).max(50);

/** Workspace settings of docs/concepts.md#workspaces, with their defaults. */
export const settingsSchema = z.object({
  timezone: z.string().refine(isTimeZone, "is not an IANA time zone such as Europe/Paris").default("UTC"),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
    .default("EUR"),
  locale: z.enum(["en", "fr"]).default("en"),
  session_timeout_minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  conversion_events: eventNames.default(["Signed Up", "Order Completed"]),
  lead_events: eventNames.default(["Signed Up"]),
  gross_margin: z.number().min(0).max(1).default(1),
  clv_max_lifetime_periods: z.number().positive().max(1000).default(24),
  attribution: z.enum(["last_touch", "first_touch", "linear"]).default("last_touch"),
  attribution_window_days: z.number().int().min(1).max(365).default(30),
  domains: z.array(z.string().trim().toLowerCase().min(1)).default([]),
  /** Events and orders older than this many days are removed daily (docs/operations.md); null keeps all. */
  retention_days: z.number().int().min(1).max(36_500).nullable().default(null),
});

export type WorkspaceSettings = z.infer<typeof settingsSchema>;

export interface Workspace {
  readonly name: string;
  readonly settings: WorkspaceSettings;
}

export const workspaceNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "use letters, digits, '.', '_' or '-' (at most 63)");

/** Settings whose change invalidates the derived session tables. */
export const SESSION_SETTINGS: readonly (keyof WorkspaceSettings)[] = [
  "timezone",
  "session_timeout_minutes",
  "domains",
];
