import { z } from "zod";
import { settingsSchema } from "../model/workspace.js";
import {
  alertRuleSchema,
  channelsSchema,
  experimentSchema,
  funnelSchema,
  goalSchema,
  objectiveSchema,
  reportScheduleSchema,
} from "./schemas.js";

/** A section left empty in YAML (`alerts:` with nothing under it) reads as null: the same as absent. */
const section = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

/** A goal as written inside its objective: the objective is the one it is nested in. */
export const nestedGoalSchema = goalSchema.omit({ objective: true });

export const objectiveEntrySchema = objectiveSchema.extend({
  goals: section(z.array(nestedGoalSchema)),
});

/** The configuration file of docs/configuration.md#configuration-as-a-file (plus `reports:`, the report schedules). */
export const configFileSchema = z.strictObject({
  workspace: z.string().min(1).max(63).optional(),
  /** The workspace setting (docs/configuration.md); absent leaves it as it is, null keeps everything. */
  retention_days: settingsSchema.shape.retention_days.unwrap().optional(),
  kpis: section(z.record(z.string(), z.string().min(1).max(2000))),
  objectives: section(z.array(objectiveEntrySchema)),
  channels: section(channelsSchema),
  alerts: section(z.array(alertRuleSchema)),
  funnels: section(z.array(funnelSchema)),
  experiments: section(z.array(experimentSchema)),
  reports: section(z.array(reportScheduleSchema)),
});

export type ConfigFile = z.infer<typeof configFileSchema>;

/** The keys of the file, in the order export writes them. */
export const CONFIG_KEYS = [
  "workspace",
  "retention_days",
  "kpis",
  "objectives",
  "channels",
  "alerts",
  "funnels",
  "experiments",
  "reports",
] as const;
