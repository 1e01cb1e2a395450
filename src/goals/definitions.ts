import { type Goal, goalSchema, type Objective, objectiveSchema } from "../definitions/schemas.js";
import type { Store } from "../store/store.js";

/** The objectives and goals stored for a workspace (documents that no longer parse are left out). */
export async function loadGoalDefinitions(
  store: Store,
  workspace: string,
): Promise<{ objectives: Objective[]; goals: Goal[] }> {
  const [objectiveDocs, goalDocs] = await Promise.all([
    store.listDocuments(workspace, "objective"),
    store.listDocuments(workspace, "goal"),
  ]);
  const objectives = objectiveDocs.flatMap((d) => {
    const parsed = objectiveSchema.safeParse(d.body);
    return parsed.success ? [parsed.data] : [];
  });
  const goals = goalDocs.flatMap((d) => {
    const parsed = goalSchema.safeParse(d.body);
    return parsed.success ? [parsed.data] : [];
  });
  return { objectives, goals };
}
