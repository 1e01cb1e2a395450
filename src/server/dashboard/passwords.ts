import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";

/** bcrypt cost: about 50 ms a check on a laptop, slow enough to make guessing expensive. */
const COST = 11;

/** A salted bcrypt hash of a password (bcrypt reads at most 72 bytes; longer passwords are refused). */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** A generated password: 18 random bytes, URL-safe, easy to paste. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

/** The shortest password we accept: 12 characters (OWASP ASVS 4.0 V2.1.1; see docs/security.md). */
export const MIN_PASSWORD_LENGTH = 12;

/** The same rule for every password we accept: at least 12 characters, at most 72 bytes (bcrypt's limit). */
export function passwordProblem(password: string): string | null {
  // Characters as a reader counts them (code points), not UTF-16 units.
  if ([...password].length < MIN_PASSWORD_LENGTH)
    return `must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (Buffer.byteLength(password, "utf8") > 72) return "must have at most 72 bytes";
  return null;
}
