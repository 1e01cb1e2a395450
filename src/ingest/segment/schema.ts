import { z } from "zod";
import { isObject } from "../../model/text-record.js";

/** Segment's limits (docs/sending-events.md#segment): 32 KB per message, 500 KB per batch request. */
export const MESSAGE_LIMIT_BYTES = 32 * 1024;
export const BATCH_LIMIT_BYTES = 500 * 1024;

const id = z.union([z.string().trim().min(1).max(255), z.number().finite()]).transform(String);
/** ISO 8601 as clients send it: a date, optionally a time, optionally an offset. */
export const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$/;
const isoTime = z
  .string()
  .max(64)
  .refine((v) => ISO_8601.test(v) && !Number.isNaN(Date.parse(v)), "is not an ISO 8601 date and time");
/**
 * A JSON object, taken as it is: a JSON body's keys are strings already, and not copying it
 * spares ingestion a copy of every message, context and properties object.
 */
const object = z.custom<Record<string, unknown>>(isObject, "must be a JSON object");

const base = {
  messageId: z.string().trim().min(1).max(255).optional(),
  anonymousId: id.optional(),
  userId: id.optional(),
  timestamp: isoTime.optional(),
  originalTimestamp: isoTime.optional(),
  sentAt: isoTime.optional(),
  context: object.optional(),
  integrations: object.optional(),
  writeKey: z.string().optional(),
};

const needsIdentity = (m: { userId?: string | undefined; anonymousId?: string | undefined }) =>
  m.userId !== undefined || m.anonymousId !== undefined;
const identityIssue = { message: "needs a userId or an anonymousId", path: ["userId"] };

export const trackSchema = z
  .object({
    ...base,
    type: z.literal("track").optional(),
    event: z.string().trim().min(1).max(200),
    properties: object.optional(),
  })
  .refine(needsIdentity, identityIssue);
export const pageSchema = z
  .object({
    ...base,
    type: z.literal("page").optional(),
    name: z.string().max(200).optional(),
    category: z.string().max(200).optional(),
    properties: object.optional(),
  })
  .refine(needsIdentity, identityIssue);
export const screenSchema = z
  .object({
    ...base,
    type: z.literal("screen").optional(),
    name: z.string().max(200).optional(),
    properties: object.optional(),
  })
  .refine(needsIdentity, identityIssue);
export const identifySchema = z
  .object({ ...base, type: z.literal("identify").optional(), traits: object.optional() })
  .refine(needsIdentity, identityIssue);
export const groupSchema = z
  .object({ ...base, type: z.literal("group").optional(), groupId: id, traits: object.optional() })
  .refine(needsIdentity, identityIssue);
export const aliasSchema = z.object({
  ...base,
  type: z.literal("alias").optional(),
  previousId: id,
  userId: id,
});

export const MESSAGE_TYPES = ["track", "page", "screen", "identify", "group", "alias"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const MESSAGE_SCHEMAS = {
  track: trackSchema,
  page: pageSchema,
  screen: screenSchema,
  identify: identifySchema,
  group: groupSchema,
  alias: aliasSchema,
} as const;

/** A batch: messages each with their `type`, and context/integrations inherited by every message. */
export const batchSchema = z.object({
  batch: z.array(object).min(1, "must hold at least one message").max(5000),
  context: object.optional(),
  integrations: object.optional(),
  sentAt: isoTime.optional(),
  writeKey: z.string().optional(),
});
