import { experimentSchema } from "../../definitions/schemas.js";
import { UserError } from "../../errors.js";
import type { Lang } from "../../model/lang.js";
import type { Workspace } from "../../model/workspace.js";
import type { Store } from "../../store/store.js";
import { compareVariations, type ExperimentStats } from "./compare.js";

export interface ExperimentRequest {
  readonly id: string;
  readonly conversion?: string;
  readonly control?: string;
  readonly split?: readonly number[];
  readonly from?: string;
  readonly to?: string;
  readonly lang?: Lang;
}

/** The JSON of docs/funnels-and-experiments.md#experiments (plus `conversion`, the dates and the plain-language verdict). */
export interface ExperimentResult extends Omit<ExperimentStats, "control"> {
  experiment: string;
  conversion: string;
  from: string | null;
  to: string | null;
  control: string | null;
}

/**
 * Analyses an experiment: the saved definition (kind "experiment") gives defaults that flags
 * override; the store counts first exposures and conversions per variation; the statistics are
 * computed from those counts.
 */
export async function runExperiment(
  store: Store,
  workspace: Workspace,
  request: ExperimentRequest,
): Promise<ExperimentResult> {
  const saved = (await store.listDocuments(workspace.name, "experiment")).find(
    (doc) => doc.id === request.id,
  );
  const definition = saved ? experimentSchema.safeParse(saved.body) : null;
  const base = definition?.success ? definition.data : undefined;
  const conversion = request.conversion ?? base?.conversion;
  if (!conversion) {
    throw new UserError(
      `Say which event counts as a conversion for experiment "${request.id}", for example --conversion "Signed Up".`,
      [{ field: "conversion", reason: "required" }],
    );
  }
  const from = request.from ?? base?.from;
  const to = request.to ?? base?.to;
  for (const [field, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      throw new UserError(`--${field} "${value}" is not a date YYYY-MM-DD.`, [
        { field, reason: "not a date" },
      ]);
    }
  }
  if (from && to && from > to) {
    throw new UserError(`The experiment's dates start (${from}) after they end (${to}).`, [
      { field: "from", reason: "after to" },
    ]);
  }
  const rows = await store.queryExposures({
    workspace,
    experiment: request.id,
    conversion,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  });
  const control = request.control ?? base?.control;
  const split = request.split ?? base?.split;
  const stats = compareVariations(
    rows.map((r) => ({ id: r.variation, visitors: r.visitors, conversions: r.conversions })),
    {
      ...(control !== undefined && rows.length > 0 ? { control } : {}),
      ...(split !== undefined && rows.length > 1 ? { split } : {}),
      lang: request.lang ?? workspace.settings.locale,
    },
  );
  return {
    experiment: request.id,
    conversion,
    from: from ?? null,
    to: to ?? null,
    ...stats,
  };
}
