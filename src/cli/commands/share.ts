import type { Command } from "commander";
import { type GlobalFlags, storeConfig } from "../../config.js";
import { UserError } from "../../errors.js";
import {
  createShare,
  isLive,
  listShares,
  parseDuration,
  revokeShare,
} from "../../server/dashboard/shares.js";
import { readServeLock } from "../../server/serve-lock.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";
import { FORMATS, parseFormat, toCsv, toTable } from "../output.js";

/** The link's base: --base-url, else the running server's address (its lock file), else the default. */
function baseUrl(globals: GlobalFlags, given: string | undefined): string {
  if (given) {
    if (!/^https?:\/\/[^\s]+$/.test(given))
      throw new UserError(`--base-url must be an http(s) URL, not "${given}".`, [
        { field: "base-url", reason: "invalid" },
      ]);
    return given.replace(/\/+$/, "");
  }
  const config = storeConfig(globals, process.env);
  const lock = config.kind === "duckdb" ? readServeLock(config.location) : null;
  return `http://127.0.0.1:${lock?.port ?? 8000}`;
}

export function registerShare(program: Command): void {
  const share = program
    .command("share")
    .description(
      "read-only share links: one workspace's dashboard without an account, until expiry or revocation",
    );

  share
    .command("create")
    .description("create a link; the link alone is printed on the last line (shown once)")
    .option("--expires <duration>", "lifetime, e.g. 30d, 12h, 2w", "30d")
    .option(
      "--base-url <url>",
      "the dashboard's public address (default: the running server's, else http://127.0.0.1:8000)",
    )
    .action(async (flags: { expires: string; baseUrl?: string }, command: Command) => {
      const lifetime = parseDuration(flags.expires);
      const globals = command.optsWithGlobals<GlobalFlags>();
      const base = baseUrl(globals, flags.baseUrl);
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const { link, token } = await createShare(store, workspace.name, lifetime);
        print(
          `Created share link ${link.id} for workspace ${workspace.name}, read-only, until ${link.expiresAt}. ` +
            `Revoke it with \`sextant share revoke ${link.id}\`. It is shown once:`,
        );
        print(`${base}/share/${token}`);
      });
    });

  share
    .command("list")
    .description("list share links (ids, workspaces, expiry; never the tokens)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(async (flags: { format: string }, command: Command) => {
      const format = parseFormat(flags.format);
      const globals = command.optsWithGlobals<GlobalFlags>();
      const name = workspaceFlag(globals);
      const links = await withStore(globals, async (store) => {
        const names =
          name === undefined
            ? (await store.listWorkspaces()).map((w) => w.name)
            : [(await resolveWorkspace(store, name)).name];
        return listShares(store, names);
      });
      const rows = links.map((l) => ({
        id: l.id,
        workspace: l.workspace,
        createdAt: l.createdAt,
        expiresAt: l.expiresAt,
        revokedAt: l.revokedAt,
        live: isLive(l),
      }));
      if (format === "json") return print(JSON.stringify(rows, null, 2));
      const columns = ["id", "workspace", "createdAt", "expiresAt", "revokedAt", "live"] as const;
      if (format === "csv") return print(toCsv(columns, rows));
      print(
        rows.length
          ? toTable(
              [...columns],
              rows.map((r) => columns.map((c) => String(r[c] ?? ""))),
            )
          : "No share links yet.",
      );
    });

  share
    .command("revoke")
    .description("revoke a link by its id (shr_…); it stops working at once")
    .argument("<id>", "share link id")
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalFlags>(), async (store) => {
        const names = (await store.listWorkspaces()).map((w) => w.name);
        if (!(await revokeShare(store, names, id))) {
          throw new UserError(
            `There is no live share link "${id}"; \`sextant share list\` shows them.`,
            [{ field: "id", reason: "not found" }],
            404,
          );
        }
        print(`Revoked ${id}.`);
      });
    });
}
