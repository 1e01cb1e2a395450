import type { z } from "zod";
import { UserError } from "../errors.js";

/** Parses with a schema or throws a 400 UserError naming every wrong field under `prefix`. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, prefix = ""): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    reason: issue.message,
  }));
  const first = details[0];
  throw new UserError(`${first?.field || "body"}: ${first?.reason ?? "is invalid"}`, details);
}
