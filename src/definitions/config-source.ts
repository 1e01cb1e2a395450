import { LineCounter, parseDocument } from "yaml";
import { UserError } from "../errors.js";

export type ConfigPath = readonly (string | number)[];

/** A configuration as read: its value, and the line of any path in it (when it came from YAML). */
export interface ConfigSource {
  readonly name: string;
  readonly value: unknown;
  lineOf(path: ConfigPath): number | undefined;
}

/** `objectives[0].goals[1].kpi` */
export function showPath(path: ConfigPath): string {
  return path.reduce<string>(
    (out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    "",
  );
}

/**
 * Parses YAML text, keeping where each node is so that an error found later (by zod or by a
 * workspace check) names its line. Syntax errors, duplicate keys and aliases are refused here.
 */
export function parseConfigYaml(text: string, name: string): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const errors = doc.errors.map((e) => {
    const line = lineCounter.linePos(e.pos[0]).line;
    return { line, reason: e.message.split("\n")[0] ?? e.message };
  });
  if (errors.length > 0) {
    throw new UserError(
      `${name} is not valid YAML; nothing was applied:\n${errors.map((e) => `  line ${e.line}: ${e.reason}`).join("\n")}`,
      errors.map((e) => ({ field: "yaml", line: e.line, reason: e.reason })),
    );
  }
  return {
    name,
    value: doc.toJS({ maxAliasCount: 0 }) ?? {},
    lineOf(path) {
      // The deepest node of the path that exists: a missing key is reported at its parent.
      for (let depth = path.length; depth >= 0; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
        if (node && typeof node === "object" && "range" in node && Array.isArray(node.range)) {
          return lineCounter.linePos(node.range[0] as number).line;
        }
      }
      return undefined;
    },
  };
}

/** A configuration sent as JSON: the same checks, with paths but no lines. */
export function jsonConfigSource(value: unknown): ConfigSource {
  return { name: "The configuration", value, lineOf: () => undefined };
}
