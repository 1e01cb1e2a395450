import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Every reference to a documentation page leads somewhere: comments and test names cite a page
 * of docs/ and a heading of it, pages link to each other, and the specification they cite is the one in
 * docs/. A renamed heading or a moved page fails here, naming the file and line that still
 * points at it.
 */

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const SCANNED = ["src", "test", "bench", "web", "docs", "examples", "README.md"];
const SKIPPED = new Set(["node_modules", "dist", "results", "data"]);
const TEXT = /\.(ts|tsx|mts|js|mjs|md|ya?ml|html)$/;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The lines of a Markdown page outside fenced code blocks, with their numbers. */
function proseLines(text: string): [number, string][] {
  const out: [number, string][] = [];
  let fence: string | undefined;
  text.split("\n").forEach((line, i) => {
    const open = /^\s*(```|~~~)/.exec(line);
    if (open?.[1]) {
      if (fence === undefined) fence = open[1];
      else if (line.trim().startsWith(fence)) fence = undefined;
      return;
    }
    if (fence === undefined) out.push([i + 1, line]);
  });
  return out;
}

/** The anchors a page defines: one per heading (duplicates numbered, as GitHub does), and `<a id>`s. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, line] of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading?.[1] !== undefined) {
      const base = slug(heading[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) if (m[1]) out.add(m[1]);
  }
  return out;
}

function* files(path: string): Generator<string> {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    if (TEXT.test(path)) yield path;
    return;
  }
  for (const name of readdirSync(path)) {
    if (!SKIPPED.has(name)) yield* files(join(path, name));
  }
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOf(page: string): Set<string> {
  let found = anchorCache.get(page);
  if (!found) {
    found = anchors(readFileSync(page, "utf8"));
    anchorCache.set(page, found);
  }
  return found;
}

/** Why `target` (a path, with `#anchor` or not) does not resolve, or undefined when it does. */
function broken(target: string, base: string): string | undefined {
  const [path = "", anchor] = target.split("#");
  const file = path === "" ? base : resolve(dirname(base), path);
  if (!existsSync(file)) return `no file ${relative(ROOT, file)}`;
  if (anchor === undefined || anchor === "") return undefined;
  const page = statSync(file).isDirectory() ? join(file, "README.md") : file;
  if (!page.endsWith(".md")) return undefined;
  if (!anchorsOf(page).has(anchor)) return `no heading #${anchor} in ${relative(ROOT, page)}`;
  return undefined;
}

type Problem = string;

/** Every broken reference of one file: `docs/…` mentions from the root, Markdown links from the page. */
function problems(file: string): Problem[] {
  const text = readFileSync(file, "utf8");
  const where = (line: number) => `${relative(ROOT, file)}:${line}`;
  const out: Problem[] = [];
  const lines = text.split("\n");
  const specRef = /\bSPEC(?:'s)?\s?\u00a7/;
  lines.forEach((line, i) => {
    if (specRef.test(line)) out.push(`${where(i + 1)}: cites the old external specification: ${line.trim()}`);
    for (const m of line.matchAll(/(?<![\w./-])docs\/[\w./-]*?\.md(?:#[\w-]+)?/g)) {
      const why = broken(m[0], join(ROOT, "README.md"));
      if (why) out.push(`${where(i + 1)}: ${m[0]}: ${why}`);
    }
  });
  if (file.endsWith(".md")) {
    for (const [n, line] of proseLines(text)) {
      for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1] ?? "";
        if (/^[a-z][a-z+.-]*:/i.test(target) || target.startsWith("/")) continue;
        const why = broken(decodeURIComponent(target), file);
        if (why) out.push(`${where(n)}: ${target}: ${why}`);
      }
    }
  }
  return out;
}

describe("references to documentation pages", () => {
  it("makes GitHub's anchors from headings", () => {
    const cases: [string, string][] = [
      [
        "Budget advice (`sextant budget`, `GET /api/v1/budget`)",
        "budget-advice-sextant-budget-get-apiv1budget",
      ],
      [
        "Pages: time on page, scroll depth and the `page` dimension",
        "pages-time-on-page-scroll-depth-and-the-page-dimension",
      ],
      ["Importing again is safe (idempotence)", "importing-again-is-safe-idempotence"],
      ["Segment: analytics-next (analytics.js)", "segment-analytics-next-analyticsjs"],
      ["Scheduled reports by e-mail", "scheduled-reports-by-e-mail"],
      ["1. Installer et vérifier", "1-installer-et-vérifier"],
      ["`snake_case` and [a link](x.md)", "snake_case-and-a-link"],
    ];
    for (const [heading, anchor] of cases) expect(slug(heading)).toBe(anchor);
    expect([...anchors("# A\n## B\n```\n# not a heading\n```\n## B\n")]).toEqual(["a", "b", "b-1"]);
  });

  it("finds a missing page, a missing heading and a remaining specification section", () => {
    const fake = join(ROOT, "docs", "README.md");
    expect(broken(["docs", "no-such-page.md"].join("/"), fake)).toMatch(/no file/);
    expect(broken("concepts.md#no-such-heading", fake)).toMatch(/no heading/);
    expect(broken("concepts.md#workspaces", fake)).toBeUndefined();
  });

  it("every docs/ page, heading and relative link cited in the repository exists, and no section of the old specification is cited", () => {
    const all = SCANNED.flatMap((p) => [...files(join(ROOT, p))]);
    expect(all.length).toBeGreaterThan(100);
    expect(all.flatMap(problems)).toEqual([]);
  });
});
