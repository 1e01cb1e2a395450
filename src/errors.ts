/**
 * The one error type for mistakes a user can fix: bad input, unknown names, a taken store.
 * `message` is a sentence a marketer understands; `details` name fields, lines or positions.
 * The CLI prints it and exits with `exitCode`; the server answers with `status`.
 */
export class UserError extends Error {
  override readonly name = "UserError";

  constructor(
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly status = 400,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Where an error is and why: a field, a file line, or a position in a formula. */
export interface ErrorDetail {
  readonly field?: string;
  readonly line?: number;
  readonly position?: number;
  readonly reason: string;
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
