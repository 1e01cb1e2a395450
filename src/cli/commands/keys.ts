import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { UserError } from "../../errors.js";
import { generateKey, KEY_KINDS, keyKindSchema } from "../../model/keys.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";
import { FORMATS, parseFormat, toCsv, toTable } from "../output.js";

export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description(
      "API keys, each for one workspace: write sends events, import uploads files, read reads, admin changes (docs/security.md)",
    );

  keys
    .command("create")
    .description("create a key; the key alone is printed on the last line (shown once)")
    .requiredOption(
      "--kind <kind>",
      `${KEY_KINDS.join(", ")} (write: events only, public; import: file imports; read: KPIs and definitions; admin: all of its workspace)`,
    )
    .action(async (flags: { kind: string }, command: Command) => {
      const kind = keyKindSchema.safeParse(flags.kind);
      if (!kind.success) {
        throw new UserError(`--kind must be ${KEY_KINDS.join(", ")}, not "${flags.kind}".`, [
          { field: "kind", reason: "invalid" },
        ]);
      }
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const key = generateKey(kind.data);
        await store.saveKey({ id: key.id, workspace: workspace.name, kind: kind.data, hash: key.hash });
        print(
          `Created ${kind.data} key ${key.id} for workspace ${workspace.name}. It is shown once; keep it secret:`,
        );
        print(key.secret);
      });
    });

  keys
    .command("list")
    .description("list keys (ids, kinds, workspaces; never the secrets)")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(async (flags: { format: string }, command: Command) => {
      const format = parseFormat(flags.format);
      const globals = command.optsWithGlobals<GlobalFlags>();
      const name = workspaceFlag(globals);
      const all = await withStore(globals, async (store) =>
        store.listKeys(name === undefined ? undefined : (await resolveWorkspace(store, name)).name),
      );
      if (format === "json") return print(JSON.stringify(all, null, 2));
      const columns = ["id", "workspace", "kind", "createdAt", "revokedAt"] as const;
      if (format === "csv")
        return print(
          toCsv(
            columns,
            all.map((k) => ({ ...k })),
          ),
        );
      print(
        all.length
          ? toTable(
              [...columns],
              all.map((k) => columns.map((c) => String(k[c] ?? ""))),
            )
          : "No keys yet.",
      );
    });

  keys
    .command("revoke")
    .description("revoke a key by its id (key_…); it stops working at once")
    .argument("<id>", "key id")
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalFlags>(), async (store) => {
        if (!(await store.revokeKey(id))) {
          throw new UserError(
            `There is no live key "${id}"; \`sextant keys list\` shows them.`,
            [{ field: "id", reason: "not found" }],
            404,
          );
        }
        print(`Revoked ${id}.`);
      });
    });
}
