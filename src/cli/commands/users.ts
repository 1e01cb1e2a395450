import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { UserError } from "../../errors.js";
import { generatePassword, hashPassword } from "../../server/dashboard/passwords.js";
import { closeUserSessions } from "../../server/dashboard/sessions.js";
import {
  checkPassword,
  findUser,
  listUsers,
  removeUser,
  saveUser,
  userNameSchema,
} from "../../server/dashboard/users.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";
import { FORMATS, parseFormat, toCsv, toTable } from "../output.js";

export function registerUsers(program: Command): void {
  const users = program
    .command("users")
    .description("dashboard accounts: read-only viewers per workspace (the admin account sees all)");

  users
    .command("add")
    .description(
      "add a viewer of --workspace (again for another workspace), or set a user's password; a generated password is printed once",
    )
    .argument("<name>", "user name")
    .option("--password <password>", "the password (default: a generated one, printed once)")
    .action(async (name: string, flags: { password?: string }, command: Command) => {
      const valid = userNameSchema.safeParse(name);
      if (!valid.success)
        throw new UserError(`The user name "${name}" is not valid: ${valid.error.issues[0]?.message}.`, [
          { field: "name", reason: "invalid" },
        ]);
      if (flags.password !== undefined) checkPassword(flags.password, "--password");
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const existing = await findUser(store, name);
        const password = flags.password ?? (existing ? undefined : generatePassword());
        const hash = password === undefined ? existing?.hash : await hashPassword(password);
        if (hash === undefined) throw new Error("a new user needs a password");
        let workspaces = existing?.workspaces ?? [];
        if (existing?.role !== "admin") {
          const workspace = await resolveWorkspace(store, workspaceFlag(globals));
          if (!workspaces.includes(workspace.name)) workspaces = [...workspaces, workspace.name];
        }
        await saveUser(store, {
          name,
          role: existing?.role ?? "viewer",
          workspaces,
          hash,
          createdAt: existing?.createdAt ?? new Date().toISOString(),
        });
        // A new password ends the user's sessions everywhere: whoever knew the old one is out.
        // (A session also checks its user's password on every request; this clears the documents.)
        if (existing && password !== undefined) await closeUserSessions(store, name);
        print(
          existing?.role === "admin"
            ? `Updated admin user ${name}.`
            : `${existing ? "Updated" : "Added"} viewer ${name} of ${workspaces.join(", ")}.`,
        );
        if (password !== undefined && flags.password === undefined) {
          print(`Password for ${name}, shown once:`);
          print(password);
        }
      });
    });

  users
    .command("list")
    .description("list dashboard users (names, roles, workspaces; never passwords)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(async (flags: { format: string }, command: Command) => {
      const format = parseFormat(flags.format);
      const all = await withStore(command.optsWithGlobals<GlobalFlags>(), (store) => listUsers(store));
      const rows = all.map((u) => ({
        name: u.name,
        role: u.role,
        workspaces: u.role === "admin" ? "*" : u.workspaces.join(","),
        createdAt: u.createdAt,
      }));
      if (format === "json") return print(JSON.stringify(rows, null, 2));
      const columns = ["name", "role", "workspaces", "createdAt"] as const;
      if (format === "csv") return print(toCsv(columns, rows));
      print(
        rows.length
          ? toTable(
              [...columns],
              rows.map((r) => columns.map((c) => r[c])),
            )
          : "No users yet: `sextant serve` creates the admin account on first start.",
      );
    });

  users
    .command("remove")
    .description("remove a user; their sessions stop working at once")
    .argument("<name>", "user name")
    .action(async (name: string, _flags: unknown, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalFlags>(), async (store) => {
        const removed = await removeUser(store, name);
        await closeUserSessions(store, name);
        if (!removed) {
          throw new UserError(
            `There is no user "${name}"; \`sextant users list\` shows them.`,
            [{ field: "name", reason: "not found" }],
            404,
          );
        }
        print(`Removed ${name}.`);
      });
    });
}
