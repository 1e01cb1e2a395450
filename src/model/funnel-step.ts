import { UserError } from "../errors.js";

/** A funnel step (docs/funnels-and-experiments.md#funnels): an event name, a page path pattern, or an event with a property. */
export type FunnelStep =
  | { readonly kind: "event"; readonly text: string; readonly name: string }
  | { readonly kind: "page"; readonly text: string; readonly path: string }
  | {
      readonly kind: "property";
      readonly text: string;
      readonly name: string;
      readonly property: string;
      readonly value: string;
    };

/**
 * Parses one step: `Signed Up` (an event name), `pageview /pricing*` (a page event whose path
 * equals PATH, `*` matching any characters) or `Clicked[plan=pro]` (an event with a property equal
 * to a value). A clear sentence for anything else.
 */
export function parseFunnelStep(text: string): FunnelStep {
  const step = text.trim();
  const refuse = (reason: string) =>
    new UserError(`Funnel step "${text}" ${reason}.`, [{ field: "steps", reason }]);
  if (step === "") throw refuse("is empty; give an event name, `pageview PATH` or `NAME[prop=value]`");
  if (step.length > 300) throw refuse("is longer than 300 characters");
  const page = /^pageview\s+(\S.*)$/.exec(step);
  if (page?.[1] !== undefined) {
    const path = page[1].trim();
    if (!path.startsWith("/") && !path.startsWith("*"))
      throw refuse("has a path that does not start with / (for example `pageview /pricing`)");
    return { kind: "page", text: step, path };
  }
  const property = /^([^[\]]+)\[([^=\]]+)=([^\]]*)\]$/.exec(step);
  if (property) {
    const [, name = "", prop = "", value = ""] = property;
    return { kind: "property", text: step, name: name.trim(), property: prop.trim(), value: value.trim() };
  }
  if (/[[\]]/.test(step)) throw refuse("has brackets but is not NAME[prop=value]");
  return { kind: "event", text: step, name: step };
}

/**
 * Splits `--steps "S1,S2,..."` and parses each step; a funnel needs at least two.
 * Commas inside brackets belong to the step.
 */
export function parseFunnelSteps(steps: string | readonly string[]): FunnelStep[] {
  const texts = typeof steps === "string" ? splitSteps(steps) : [...steps];
  if (texts.length < 2) {
    throw new UserError(
      `A funnel needs at least two steps (got ${texts.length}); for example --steps "pageview /pricing,Signed Up".`,
      [{ field: "steps", reason: "at least two steps" }],
    );
  }
  return texts.map(parseFunnelStep);
}

function splitSteps(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "[") depth++;
    if (ch === "]") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

/** `*` wildcards of a page step as an anchored RE2 pattern (everything else literal). */
export function pathPattern(path: string): string {
  return `^${path
    .split("*")
    .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, "\\$&"))
    .join(".*")}$`;
}
