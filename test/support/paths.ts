import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, found from this file whether it runs as TypeScript (vitest imports
 * `test/support/*.ts`) or compiled for the benchmarks (`dist/test/support/*.js`): the nearest folder
 * with a package.json.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("test/support: no package.json above this file");
    dir = parent;
  }
}

export const ROOT = findRoot();
/** The built command line; `SEXTANT_TEST_CLI` runs against another build, as the CLI tests do. */
export const CLI_MAIN = process.env.SEXTANT_TEST_CLI ?? join(ROOT, "dist", "src", "cli", "main.js");

export function requireBuilt(file: string): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first.`);
}
