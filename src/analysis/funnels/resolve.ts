import { funnelSchema } from "../../definitions/schemas.js";
import { UserError } from "../../errors.js";
import type { Workspace } from "../../model/workspace.js";
import type { Store } from "../../store/store.js";

/** A saved funnel (by id) or an ad-hoc one (--steps); --window overrides the saved window. */
export async function funnelDefinition(
  store: Store,
  workspace: string,
  id: string | undefined,
  flags: { steps?: string | undefined; window?: string },
): Promise<{ id?: string; steps: string | readonly string[]; window?: string }> {
  if (flags.steps !== undefined) {
    return { ...(id ? { id } : {}), steps: flags.steps, ...(flags.window ? { window: flags.window } : {}) };
  }
  if (id === undefined) {
    throw new UserError(
      'Name a saved funnel or give its steps, e.g. --steps "pageview /pricing,Signed Up".',
      [{ field: "steps", reason: "required" }],
    );
  }
  const saved = (await store.listDocuments(workspace, "funnel")).find((doc) => doc.id === id);
  const parsed = saved ? funnelSchema.safeParse(saved.body) : null;
  if (!parsed?.success) {
    throw new UserError(
      `There is no saved funnel "${id}"; give its steps with --steps.`,
      [{ field: "id", reason: "not found" }],
      404,
    );
  }
  const window = flags.window ?? parsed.data.window;
  return { id, steps: parsed.data.steps, ...(window ? { window } : {}) };
}

/** The entry range: the flags, else the span of the workspace's data. */
export async function funnelRange(
  store: Store,
  workspace: Workspace,
  flags: { from?: string; to?: string; groupBy?: string },
): Promise<{ from: string; to: string; groupBy?: string }> {
  const span = flags.from && flags.to ? null : await store.dataSpan(workspace);
  const today = new Date().toISOString().slice(0, 10);
  return {
    from: flags.from ?? span?.from ?? today,
    to: flags.to ?? span?.to ?? today,
    ...(flags.groupBy ? { groupBy: flags.groupBy } : {}),
  };
}
