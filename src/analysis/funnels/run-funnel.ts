import { durationMs, durationSchema } from "../../definitions/schemas.js";
import { UserError } from "../../errors.js";
import { parseDate } from "../../kpi/buckets.js";
import type { Store } from "../../store/store.js";
import type { Workspace } from "../../workspace/settings.js";
import { parseFunnelSteps } from "./parse-step.js";

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

/** The JSON of SPEC §7. */
export interface FunnelResult {
  funnel: string | null;
  window: string;
  from: string;
  to: string;
  steps: FunnelStepResult[];
}

/** Runs a funnel (saved: its id and steps; ad hoc: its steps) over the entry range. */
export async function runFunnel(
  store: Store,
  workspace: Workspace,
  funnel: { readonly id?: string; readonly steps: string | readonly string[]; readonly window?: string },
  range: { readonly from: string; readonly to: string; readonly groupBy?: string },
): Promise<FunnelResult> {
  if (range.groupBy !== undefined) {
    throw new UserError("Funnel breakdowns (--group-by) are not available yet.", [
      { field: "group_by", reason: "not available" },
    ]);
  }
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
  const counts = await store.queryFunnel({
    workspace,
    steps,
    windowSeconds: durationMs(window) / 1000,
    from,
    to,
  });
  const first = counts.reached[0] ?? 0;
  const pct = (a: number, b: number) => (b === 0 ? null : (a / b) * 100);
  return {
    funnel: funnel.id ?? null,
    window,
    from,
    to,
    steps: steps.map((step, i) => {
      const visitors = counts.reached[i] ?? 0;
      const previous = i === 0 ? visitors : (counts.reached[i - 1] ?? 0);
      const median = counts.medianMicros[i] ?? null;
      return {
        step: i + 1,
        name: step.text,
        visitors,
        conversion_from_start: pct(visitors, first),
        conversion_from_previous: pct(visitors, previous),
        drop_off: previous - visitors,
        drop_off_rate: i === 0 ? (visitors === 0 ? null : 0) : pct(previous - visitors, previous),
        median_seconds_from_previous: i === 0 || median === null ? null : median / 1_000_000,
      };
    }),
  };
}
