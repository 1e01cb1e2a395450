import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { erasePerson, showPerson } from "../../people/person.js";
import { applyRetention } from "../../people/retention.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore, workspaceFlag } from "../context.js";

/** `sextant people show|erase|erasures` and `sextant retention apply` (docs/operations.md). */
export function registerPeople(program: Command): void {
  const people = program
    .command("people")
    .description("what is stored about one person (GDPR access), and erasing it (GDPR erasure)");

  people
    .command("show")
    .description("print as JSON everything stored about a person (a user id or an anonymous id)")
    .requiredOption("--id <id>", "the person's user id or anonymous id")
    .action(async (flags: { id: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        print(JSON.stringify(await showPerson(store, workspace, flags.id), null, 2));
      });
    });

  people
    .command("erase")
    .description("remove a person's events, orders and identity links and all rows derived from them")
    .requiredOption("--id <id>", "the person's user id or anonymous id")
    .action(async (flags: { id: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        print(JSON.stringify(await erasePerson(store, workspace, flags.id), null, 2));
      });
    });

  people
    .command("erasures")
    .description("list the erasures and retention runs recorded (when, rows removed, a hash of the id)")
    .action(async (_flags: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        print(JSON.stringify(await store.listErasures(workspace.name), null, 2));
      });
    });

  program
    .command("retention")
    .description("data retention: the workspace setting retention_days")
    .command("apply")
    .description("remove now the events and orders older than the workspace's retention_days")
    .action(async (_flags: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const record = await applyRetention(store, workspace, new Date());
        print(
          record
            ? JSON.stringify({ workspace: workspace.name, ...record }, null, 2)
            : `Workspace ${workspace.name} has no retention_days: nothing removed. Set one with \`sextant workspace set ${workspace.name} retention_days=365\`.`,
        );
      });
    });
}
