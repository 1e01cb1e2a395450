import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KPI_CATALOG } from "../../src/kpi/catalog.js";
import { kpiCatalogMarkdown } from "../../src/kpi/catalog-markdown.js";
import { openApiDocument } from "../../src/server/openapi.js";
import { httpApiMarkdown } from "../../src/server/openapi-markdown.js";
import { runCli } from "../cli/run-cli.js";

const doc = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)), "utf8");

/**
 * docs/kpis.md and docs/http-api.md are generated: each test regenerates the page in memory and
 * compares it with the committed file, so a catalog or route change without `npm run docs:kpis`
 * (or `docs:api`) fails here.
 */
describe("generated reference pages are in step with the code", () => {
  it("docs/kpis.md is what the catalog generates (run `npm run docs:kpis` after changing src/kpi/catalog.ts)", () => {
    expect(doc("kpis.md")).toBe(kpiCatalogMarkdown());
  });

  it("docs/kpis.md has one row per catalog KPI, with its definition", () => {
    const page = kpiCatalogMarkdown();
    for (const k of KPI_CATALOG) {
      expect(page).toContain(`| \`${k.id}\` | ${k.label.en} |`);
      expect(page).toContain(k.definition.replace(/\|/g, "\\|"));
    }
    const rows = page.split("\n").filter((line) => line.startsWith("| `"));
    expect(rows).toHaveLength(KPI_CATALOG.length);
  });

  it("a definition with a pipe cannot break the table", () => {
    const [first] = KPI_CATALOG;
    if (!first) throw new Error("empty catalog");
    const page = kpiCatalogMarkdown([{ ...first, definition: "a | b" }]);
    expect(page).toContain("| a \\| b |");
  });

  it("docs/http-api.md is what the OpenAPI document generates (run `npm run docs:api` after changing routes)", () => {
    expect(doc("http-api.md")).toBe(httpApiMarkdown());
  });

  it("docs/http-api.md lists every route and method of the OpenAPI document, and every query parameter", () => {
    const page = httpApiMarkdown();
    const paths = openApiDocument("", true).paths as Record<
      string,
      Record<string, { parameters?: { name: string }[] }>
    >;
    let routes = 0;
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(operations)) {
        routes++;
        expect(page).toContain(`### \`${method.toUpperCase()} ${path}\``);
        for (const p of op.parameters ?? []) expect(page).toContain(`| \`${p.name}\` |`);
      }
    }
    expect(page.match(/^### `/gm)).toHaveLength(routes);
  });
});

describe("sextant kpi list --format md", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sextant-kpi-md-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints docs/kpis.md exactly, without opening or creating a store", async () => {
    const result = await runCli(["kpi", "list", "--format", "md"], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(doc("kpis.md"));
    expect(await readdir(dir)).toEqual([]);
  });

  it("rejects md for a KPI query, naming the formats it takes", async () => {
    const result = await runCli(["kpi", "--format", "md"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format "md" is not one of table, json, csv');
  });
});
