import { UserError } from "../errors.js";

/** A whole-number flag from `min` to `max`, or a sentence naming the flag. */
export function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(`--${flag} ${value} must be a whole number from ${min} to ${max}.`, [
      { field: flag, reason: "out of range" },
    ]);
  }
  return n;
}
