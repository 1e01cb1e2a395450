import type { FunnelStep } from "../../model/funnel-step.js";
import { pathPattern } from "../../model/funnel-step.js";
import type { Dialect } from "../dialect.js";

/** Whether an `events` row matches a funnel step, in either dialect; values only through `d.literal`. */
export function stepMatchSql(d: Dialect, step: FunnelStep): string {
  switch (step.kind) {
    case "event":
      return `name = ${d.literal(step.name)}`;
    case "page":
      return `(type = 'page' AND ${d.regexpMatches(`ifNull(path, '')`, pathPattern(step.path))})`;
    case "property":
      return `(name = ${d.literal(step.name)} AND ${d.jsonText("properties", step.property)} = ${d.literal(step.value)})`;
    default: {
      const unknown: never = step;
      throw new Error(`unknown step ${String(unknown)}`);
    }
  }
}
