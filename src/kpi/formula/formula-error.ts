import { UserError } from "../../errors.js";

/** Builds the error for a bad formula: a sentence naming the position, and a detail a UI can underline. */
export function formulaError(position: number, reason: string): UserError {
  return new UserError(`Formula error at position ${position}: ${reason}`, [
    { field: "formula", position, reason },
  ]);
}

/** The word or single character at `position`, to quote what was found in an error message. */
export function tokenAt(source: string, position: number): string {
  const token = /[\w$]+|\S/y;
  token.lastIndex = position;
  return token.exec(source)?.[0] ?? "";
}
