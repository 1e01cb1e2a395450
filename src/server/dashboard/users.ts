import { z } from "zod";
import { UserError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { generatePassword, hashPassword, passwordProblem } from "./passwords.js";

/** Dashboard users are global documents (workspace "", kind "user"), one per user name. */
const USER_KIND = "user";

/** admin: every workspace, and may change definitions; viewer: its workspaces, read only. */
export const ROLES = ["admin", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const userSchema = z.object({
  role: z.enum(ROLES),
  workspaces: z.array(z.string()),
  hash: z.string(),
  createdAt: z.string(),
});

export interface DashboardUser {
  readonly name: string;
  readonly role: Role;
  /** For viewers, the workspaces they may read; ignored for admins (they see all). */
  readonly workspaces: readonly string[];
  readonly hash: string;
  readonly createdAt: string;
}

export const userNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/, "use letters, digits, '.', '_', '@' or '-' (at most 64)");

export async function listUsers(store: Store): Promise<DashboardUser[]> {
  const docs = await store.listDocuments("", USER_KIND);
  const users: DashboardUser[] = [];
  for (const doc of docs) {
    const parsed = userSchema.safeParse(doc.body);
    if (parsed.success) users.push({ name: doc.id, ...parsed.data });
  }
  return users.sort((a, b) => a.name.localeCompare(b.name));
}

export async function findUser(store: Store, name: string): Promise<DashboardUser | undefined> {
  return (await listUsers(store)).find((u) => u.name === name);
}

export async function saveUser(store: Store, user: DashboardUser): Promise<void> {
  const { name, ...body } = user;
  await store.writeDocuments("", [{ kind: USER_KIND, id: name, body }]);
}

export async function removeUser(store: Store, name: string): Promise<boolean> {
  if (!(await findUser(store, name))) return false;
  await store.writeDocuments("", [{ kind: USER_KIND, id: name, body: null }]);
  return true;
}

/** Checks a password against the shared rule, as a sentence naming the flag or variable it came from. */
export function checkPassword(password: string, source: string): void {
  const problem = passwordProblem(password);
  if (problem)
    throw new UserError(`The password (${source}) ${problem}.`, [{ field: source, reason: problem }]);
}

/**
 * Creates the `admin` user on first start (see docs/dashboard.md): with the given password (SEXTANT_ADMIN_PASSWORD,
 * read by the CLI), else a generated one that is returned so that the caller prints it once.
 * Returns null when an admin already exists.
 */
export async function ensureAdmin(
  store: Store,
  password: string | undefined,
): Promise<{ password: string; generated: boolean } | null> {
  if (await findUser(store, "admin")) return null;
  if (password !== undefined) checkPassword(password, "SEXTANT_ADMIN_PASSWORD");
  const chosen = password ?? generatePassword();
  await saveUser(store, {
    name: "admin",
    role: "admin",
    workspaces: [],
    hash: await hashPassword(chosen),
    createdAt: new Date().toISOString(),
  });
  return { password: chosen, generated: password === undefined };
}

/** The workspaces a user may see, among those that exist. */
export function visibleTo(user: DashboardUser, all: readonly string[]): string[] {
  return user.role === "admin" ? [...all] : all.filter((w) => user.workspaces.includes(w));
}
