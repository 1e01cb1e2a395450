import { UserError } from "../errors.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";

/**
 * The workspace a command acts on: the one named, else the only one there is. Naming one that
 * does not exist lists those that do (docs/command-line.md#commands).
 */
export async function resolveWorkspace(store: Store, name: string | undefined): Promise<Workspace> {
  const all = await store.listWorkspaces();
  const names = all.map((w) => w.name);
  if (name !== undefined && name !== "") {
    const found = all.find((w) => w.name === name);
    if (found) return found;
    throw new UserError(
      `There is no workspace "${name}". ${names.length ? `Workspaces: ${names.join(", ")}.` : "Create one with `sextant workspace create NAME`, or load the demo with `sextant demo`."}`,
      [{ field: "workspace", reason: "not found" }],
      404,
    );
  }
  const [only, ...others] = all;
  if (only && others.length === 0) return only;
  throw new UserError(
    all.length === 0
      ? "There is no workspace yet. Create one with `sextant workspace create NAME`, or load the demo with `sextant demo`."
      : `Several workspaces exist (${names.join(", ")}): say which with --workspace or SEXTANT_WORKSPACE.`,
    [{ field: "workspace", reason: all.length === 0 ? "none" : "ambiguous" }],
  );
}
