import { Ajv, type ValidateFunction } from "ajv";
import { ISO_8601, type MessageType } from "./schema.js";

/**
 * The zod schemas of schema.ts, as JSON Schemas that ajv compiles once into plain functions: the
 * common case of a valid message is then checked at about a tenth of zod's cost per event. Each
 * compiled schema accepts a subset of what its zod schema accepts (strings are measured before
 * trimming, for instance); anything it refuses goes to zod, which words the 400 or accepts it.
 * `compiled-schema.test.ts` holds every accepted message's output to zod's.
 */
const ajv = new Ajv({ allErrors: false, unicodeRegExp: false });
// zod's isoTime: an ISO 8601 pattern, at most 64 characters, a date that Date.parse reads.
ajv.addFormat("iso-8601", {
  type: "string",
  validate: (value: string) => value.length <= 64 && ISO_8601.test(value) && !Number.isNaN(Date.parse(value)),
});

/** How a field's value becomes zod's output: as it is, trimmed, or an id (trimmed text, or a number as text). */
type Output = "keep" | "trim" | "id";

// Lengths in UTF-16 units as zod counts them (a pattern without the u flag), before trimming.
const trimmed = (max: number) => ({ type: "string", pattern: `^(?=[\\s\\S]*\\S)[\\s\\S]{1,${max}}$` });
const text = (max: number) => ({ type: "string", pattern: `^[\\s\\S]{0,${max}}$` });
const id = { anyOf: [trimmed(255), { type: "number" }] };
const isoTime = { type: "string", format: "iso-8601" };
const object = { type: "object" };

const BASE: Record<string, readonly [object, Output]> = {
  messageId: [trimmed(255), "trim"],
  anonymousId: [id, "id"],
  userId: [id, "id"],
  timestamp: [isoTime, "keep"],
  originalTimestamp: [isoTime, "keep"],
  sentAt: [isoTime, "keep"],
  context: [object, "keep"],
  integrations: [object, "keep"],
  writeKey: [{ type: "string" }, "keep"],
};

interface MessageShape {
  readonly fields: Record<string, readonly [object, Output]>;
  readonly required: readonly string[];
  /** The zod schema's `needsIdentity` refinement: a userId or an anonymousId. */
  readonly identity: boolean;
}

const SHAPES: Record<MessageType, MessageShape> = {
  track: {
    fields: {
      ...BASE,
      type: [{ const: "track" }, "keep"],
      event: [trimmed(200), "trim"],
      properties: [object, "keep"],
    },
    required: ["event"],
    identity: true,
  },
  page: {
    fields: {
      ...BASE,
      type: [{ const: "page" }, "keep"],
      name: [text(200), "keep"],
      category: [text(200), "keep"],
      properties: [object, "keep"],
    },
    required: [],
    identity: true,
  },
  screen: {
    fields: {
      ...BASE,
      type: [{ const: "screen" }, "keep"],
      name: [text(200), "keep"],
      properties: [object, "keep"],
    },
    required: [],
    identity: true,
  },
  identify: {
    fields: { ...BASE, type: [{ const: "identify" }, "keep"], traits: [object, "keep"] },
    required: [],
    identity: true,
  },
  group: {
    fields: { ...BASE, type: [{ const: "group" }, "keep"], groupId: [id, "id"], traits: [object, "keep"] },
    required: ["groupId"],
    identity: true,
  },
  alias: {
    fields: { ...BASE, type: [{ const: "alias" }, "keep"], previousId: [id, "id"] },
    required: ["previousId", "userId"],
    identity: false,
  },
};

interface Compiled {
  readonly validate: ValidateFunction;
  readonly fields: readonly (readonly [string, Output])[];
}

function compile(shape: MessageShape): Compiled {
  return {
    validate: ajv.compile({
      type: "object",
      properties: Object.fromEntries(Object.entries(shape.fields).map(([name, [schema]]) => [name, schema])),
      required: shape.required,
      ...(shape.identity ? { anyOf: [{ required: ["userId"] }, { required: ["anonymousId"] }] } : {}),
    }),
    fields: Object.entries(shape.fields).map(([name, [, output]]) => [name, output] as const),
  };
}

const COMPILED: Record<MessageType, Compiled> = {
  track: compile(SHAPES.track),
  page: compile(SHAPES.page),
  screen: compile(SHAPES.screen),
  identify: compile(SHAPES.identify),
  group: compile(SHAPES.group),
  alias: compile(SHAPES.alias),
};

/**
 * The message as zod's schema for its type would return it (known fields only, strings trimmed,
 * ids as text), or undefined when the compiled check cannot vouch for it: then zod decides.
 */
export function compiledMessage(
  type: MessageType,
  message: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const compiled = COMPILED[type];
  if (!compiled.validate(message)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, output] of compiled.fields) {
    const value = message[name];
    if (value === undefined) continue;
    if (output === "keep") out[name] = value;
    else if (typeof value === "string") out[name] = value.trim();
    // zod's z.number().finite(): JSON has no Infinity, but a caller in this process might.
    else if (Number.isFinite(value)) out[name] = String(value);
    else return undefined;
  }
  return out;
}

const validateBatch = ajv.compile({
  type: "object",
  properties: {
    batch: { type: "array", items: object, minItems: 1, maxItems: 5000 },
    context: object,
    integrations: object,
    sentAt: isoTime,
    writeKey: { type: "string" },
  },
  required: ["batch"],
});

export interface BatchBody {
  readonly batch: Record<string, unknown>[];
  readonly context?: Record<string, unknown> | undefined;
  readonly integrations?: Record<string, unknown> | undefined;
  readonly sentAt?: string | undefined;
  readonly writeKey?: string | undefined;
}

/** A batch body as schema.ts' batchSchema reads it, or undefined when zod must decide. */
export function compiledBatch(body: Record<string, unknown>): BatchBody | undefined {
  return validateBatch(body) ? (body as unknown as BatchBody) : undefined;
}
