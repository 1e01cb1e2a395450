import { z } from "zod";

/**
 * The definitions of a workspace (docs/configuration.md#configuration-as-a-file) as data: one zod schema per kind, shared by the
 * configuration file, the HTTP API and the code that uses them (goals, alerts, funnels,
 * experiments, report schedules). Each is stored as a document of its kind, keyed by `id`
 * (see Store.listDocuments). Checks that need the workspace (does the KPI exist, is the funnel
 * step well formed, is the cron expression valid) are made where the definition is applied.
 */

const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, "must be letters, digits, '-', '_' or '.', at most 100");

/** A calendar date, YYYY-MM-DD (YAML's unquoted dates arrive as Date objects: taken as UTC days). */
export const dateSchema = z.preprocess(
  (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
    .refine(
      (s) =>
        !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
      {
        message: "is not a calendar date",
      },
    ),
);

/** A duration as `30m`, `12h`, `7d` or `2w`. */
export const durationSchema = z
  .string()
  .regex(/^[1-9]\d{0,5}[mhdw]$/, 'must be a duration such as "30m", "12h" or "7d"');

const DURATION_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds of a duration accepted by durationSchema. */
export function durationMs(duration: string): number {
  const unit = duration.slice(-1) as keyof typeof DURATION_MS;
  return Number(duration.slice(0, -1)) * DURATION_MS[unit];
}

/** Filters as `--where` takes them, written as a map: `{channel: paid, device: mobile}`. */
export const whereSchema = z.record(
  z.string().min(1).max(100),
  z.union([z.string(), z.number()]).transform(String),
);

export const OBJECTIVE_TYPES = ["awareness", "conversion", "loyalty"] as const;

export const objectiveSchema = z.strictObject({
  id,
  type: z.enum(OBJECTIVE_TYPES),
  title: z.string().min(1).max(200),
});

export const goalSchema = z.strictObject({
  id,
  /** The objective's id. */
  objective: id,
  kpi: z.string().min(1).max(100),
  target: z.number().finite(),
  start: dateSchema,
  deadline: dateSchema,
  where: whereSchema.optional(),
  kind: z.enum(["cumulative", "level"]).optional(),
  baseline: z.number().finite().optional(),
  window_days: z.number().int().min(1).max(366).optional(),
});

export const webhookChannelSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).optional(),
});

export const emailChannelSchema = z.strictObject({
  to: z.array(z.email()).min(1).max(50),
});

export const channelsSchema = z.strictObject({
  webhook: webhookChannelSchema.optional(),
  email: emailChannelSchema.optional(),
});

export const ALERT_KINDS = ["threshold", "goal_status", "anomaly", "no_data"] as const;
export const ALERT_CHANNELS = ["webhook", "email", "dashboard"] as const;

export const alertRuleSchema = z.strictObject({
  id,
  kind: z.enum(ALERT_KINDS),
  kpi: z.string().min(1).max(100).optional(),
  period: z.enum(["day", "week", "month"]).optional(),
  op: z.enum([">", ">=", "<", "<="]).optional(),
  value: z.number().finite().optional(),
  change: z.boolean().optional(),
  /** goal_status: the goal watched (every goal when absent). */
  goal: id.optional(),
  /** no_data: hours without any event before it fires. */
  hours: z
    .number()
    .positive()
    .max(24 * 366)
    .optional(),
  where: whereSchema.optional(),
  /** Cron syntax, in the workspace time zone. */
  schedule: z.string().min(1).max(100).optional(),
  cooldown: durationSchema.optional(),
  channels: z.array(z.enum(ALERT_CHANNELS)).min(1),
});

export const funnelSchema = z.strictObject({
  id,
  /** Steps in the syntax of docs/funnels-and-experiments.md#funnels: `Signed Up`, `pageview /pricing*`, `Clicked[plan=pro]`. */
  steps: z.array(z.string().min(1).max(300)).min(1).max(20),
  window: durationSchema.optional(),
});

export const experimentSchema = z.strictObject({
  id: z.string().min(1).max(200),
  conversion: z.string().min(1).max(200),
  control: z.string().min(1).max(200).optional(),
  split: z.array(z.number().positive()).min(2).optional(),
  from: dateSchema.optional(),
  to: dateSchema.optional(),
});

export const REPORT_FILE_FORMATS = ["html", "pdf", "md", "csv"] as const;

/**
 * A report e-mailed on a cron schedule (docs/reports.md#scheduled-reports-by-e-mail): the HTML report is the message's body, and the
 * report is attached in each of `formats` (default PDF). `format` (one attachment) is the older
 * spelling, still accepted.
 */
export const reportScheduleSchema = z.strictObject({
  id,
  kind: z.enum(["audit", "periodic"]),
  period: z.enum(["week", "month", "quarter"]).optional(),
  campaign: z.string().min(1).max(200).optional(),
  /** Cron syntax, in the workspace time zone; a run reports up to the day before it. */
  schedule: z.string().min(1).max(100),
  format: z.enum(REPORT_FILE_FORMATS).optional(),
  formats: z.array(z.enum(REPORT_FILE_FORMATS)).min(1).max(4).optional(),
  lang: z.enum(["en", "fr"]).optional(),
  to: z.array(z.email()).min(1).max(50),
});

export type Objective = z.infer<typeof objectiveSchema>;
export type Goal = z.infer<typeof goalSchema>;
export type Channels = z.infer<typeof channelsSchema>;
export type AlertRule = z.infer<typeof alertRuleSchema>;
export type Funnel = z.infer<typeof funnelSchema>;
export type Experiment = z.infer<typeof experimentSchema>;
export type ReportSchedule = z.infer<typeof reportScheduleSchema>;

/**
 * Document kinds (Store.listDocuments) of each definition. Channels are stored one document per
 * channel, id `webhook` or `email`, body the channel's settings.
 */
export const DEFINITION_KINDS = {
  objective: objectiveSchema,
  goal: goalSchema,
  channel: z.union([webhookChannelSchema, emailChannelSchema]),
  alert_rule: alertRuleSchema,
  funnel: funnelSchema,
  experiment: experimentSchema,
  report_schedule: reportScheduleSchema,
} as const;

export type DefinitionKind = keyof typeof DEFINITION_KINDS;
