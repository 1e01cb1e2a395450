import { durationMs, durationSchema } from "../../definitions/schemas.js";
import { UserError } from "../../errors.js";
import { parseDate } from "../../model/calendar.js";
import { type Dimension, NONE, parseDimension, SESSION_DIMENSIONS } from "../../model/dimensions.js";
import { parseFunnelSteps } from "../../model/funnel-step.js";
import type { Workspace } from "../../model/workspace.js";
import type { FunnelGroupBy, FunnelGroupCounts, Store } from "../../store/store.js";

export interface FunnelStepResult {
  step: number;
  name: string;
  visitors: number;
  conversion_from_start: number | null;
  conversion_from_previous: number | null;
  drop_off: number;
  drop_off_rate: number | null;
  median_seconds_from_previous: number | null;
}

/** The JSON of docs/funnels-and-experiments.md#funnels-and-experiments. */
export interface FunnelResult {
  funnel: string | null;
  window: string;
  from: string;
  to: string;
  steps: FunnelStepResult[];
  /** With a breakdown: `{DIM: value, steps}` per value at entry ("(none)" when the entry has none). */
  groups?: Record<string, string | FunnelStepResult[]>[];
}

/** Runs a funnel (saved: its id and steps; ad hoc: its steps) over the entry range. */
export async function runFunnel(
  store: Store,
  workspace: Workspace,
  funnel: { readonly id?: string; readonly steps: string | readonly string[]; readonly window?: string },
  range: { readonly from: string; readonly to: string; readonly groupBy?: string },
): Promise<FunnelResult> {
  const groupBy = range.groupBy === undefined ? undefined : funnelGroupBy(range.groupBy);
  const steps = parseFunnelSteps(funnel.steps);
  const window = funnel.window ?? "7d";
  if (!durationSchema.safeParse(window).success) {
    throw new UserError(`--window "${window}" is not a duration such as 30m, 12h, 7d or 2w.`, [
      { field: "window", reason: "not a duration" },
    ]);
  }
  const from = parseDate(range.from, "from");
  const to = parseDate(range.to, "to");
  if (from > to) {
    throw new UserError(`The range starts (${from}) after it ends (${to}).`, [
      { field: "from", reason: "after to" },
    ]);
  }
  // Session dimensions come from the derived sessions, brought up to date first (DuckDB).
  if (groupBy?.kind === "session") await store.refreshDerived(workspace);
  const counts = await store.queryFunnel({
    workspace,
    steps,
    windowSeconds: durationMs(window) / 1000,
    from,
    to,
    ...(groupBy ? { groupBy } : {}),
  });
  const names = steps.map((step) => step.text);
  return {
    funnel: funnel.id ?? null,
    window,
    from,
    to,
    steps: stepResults(names, counts),
    ...(groupBy
      ? {
          groups: [...(counts.groups ?? [])]
            .sort(byEntrantsThenValue)
            .map((group) => ({ [groupBy.name]: group.value ?? NONE, steps: stepResults(names, group) })),
        }
      : {}),
  };
}

/** Per-step figures of docs/funnels-and-experiments.md#funnels from visitors and medians; `null` where a rate divides by zero. */
function stepResults(
  names: readonly string[],
  counts: { readonly reached: readonly number[]; readonly medianMicros: readonly (number | null)[] },
): FunnelStepResult[] {
  const first = counts.reached[0] ?? 0;
  const pct = (a: number, b: number) => (b === 0 ? null : (a / b) * 100);
  return names.map((name, i) => {
    const visitors = counts.reached[i] ?? 0;
    const previous = i === 0 ? visitors : (counts.reached[i - 1] ?? 0);
    const median = counts.medianMicros[i] ?? null;
    return {
      step: i + 1,
      name,
      visitors,
      conversion_from_start: pct(visitors, first),
      conversion_from_previous: pct(visitors, previous),
      drop_off: previous - visitors,
      drop_off_rate: i === 0 ? (visitors === 0 ? null : 0) : pct(previous - visitors, previous),
      median_seconds_from_previous: i === 0 || median === null ? null : median / 1_000_000,
    };
  });
}

/** Groups with the most entrants first; ties by value in code-point order, no value last. */
function byEntrantsThenValue(a: FunnelGroupCounts, b: FunnelGroupCounts): number {
  const entrants = (b.reached[0] ?? 0) - (a.reached[0] ?? 0);
  if (entrants !== 0) return entrants;
  if (a.value === b.value) return 0;
  if (a.value === null) return 1;
  if (b.value === null) return -1;
  return a.value < b.value ? -1 : 1;
}

/** Dimensions a funnel can be broken down by: the session dimensions and `props.NAME`. */
export const FUNNEL_GROUP_DIMENSIONS = [...SESSION_DIMENSIONS, "props.NAME"] as const;

/**
 * Reads `--group-by`: a session dimension (its value in the session of the visitor's entry) or
 * `props.NAME` (a property of the entry event); anything else is refused with the allowed list.
 */
export function funnelGroupBy(raw: string): FunnelGroupBy {
  const refuse = () =>
    new UserError(
      `A funnel cannot be broken down by "${raw.trim()}"; use one of ${FUNNEL_GROUP_DIMENSIONS.join(", ")}.`,
      [{ field: "group_by", reason: "unknown dimension" }],
    );
  const name = raw.trim();
  if (name === "" || name.length > 120) throw refuse();
  let dimension: Dimension;
  try {
    dimension = parseDimension(name);
  } catch {
    throw refuse();
  }
  if (dimension.kind === "session") return { kind: "session", name: dimension.name };
  if (dimension.kind === "property" && dimension.property.trim() !== "")
    return { kind: "property", name: dimension.name, property: dimension.property };
  throw refuse();
}
