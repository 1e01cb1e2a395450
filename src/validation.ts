import type { z } from "zod";
import { type ErrorDetail, UserError } from "./errors.js";

/** A zod failure as error details, one per wrong field, each path under `prefix`. */
export function issueDetails(error: z.ZodError, prefix = ""): ErrorDetail[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    reason: issue.message,
  }));
}

/**
 * Parses a value at a boundary (HTTP body or parameter, settings) or throws a 400 UserError naming
 * every wrong field; `sentence` words the first one for people.
 */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix = "",
  sentence: (first: ErrorDetail) => string = (first) => `${first.field || "body"}: ${first.reason}`,
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = issueDetails(parsed.error, prefix);
  throw new UserError(sentence(details[0] ?? { reason: "is invalid" }), details);
}
