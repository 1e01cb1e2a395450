/**
 * Runs the BUILT command line (`node dist/src/cli/main.js`) the way a user does, in a throw-away
 * directory with its own DuckDB store, and captures stdout, stderr and the exit code.
 *
 * Build first (`npm run build`; `npm test` does it). `SEXTANT_TEST_CLI=/path/to/main.js` runs the
 * suite against another build of the CLI.
 */
import { type ExecFileException, execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const CLI_MAIN =
  process.env.SEXTANT_TEST_CLI ?? fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

/** Variables of the test runner's environment that would leak into the CLI's choices. */
const SCRUBBED_ENV = [
  "SEXTANT_DB",
  "SEXTANT_WORKSPACE",
  "SEXTANT_CLICKHOUSE_URL",
  "SEXTANT_CLICKHOUSE_CLUSTER",
  "SEXTANT_MEMORY_LIMIT",
  "FORCE_COLOR",
];

export interface CliResult {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Extra environment variables (undefined removes one). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Pass `--db <sandbox store>` (default true). */
  readonly db?: boolean;
}

/** Spawns `node <CLI_MAIN> ...args` without a shell. Never rejects: a failing command is a result. */
export function runCli(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CliResult> {
  if (!existsSync(CLI_MAIN)) {
    throw new Error(`The CLI is not built (${CLI_MAIN} is missing): run \`npm run build\` first.`);
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const name of SCRUBBED_ENV) delete childEnv[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_MAIN, ...args],
      { cwd, env: childEnv, maxBuffer: 64 * 1024 * 1024, timeout: 120_000, encoding: "utf8" },
      (error: ExecFileException | null, stdout: string, stderr: string) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ args, code, stdout, stderr });
      },
    );
  });
}

/** The JSON document of `sextant kpi --format json` (docs/command-line.md#output-and-errors). */
export interface KpiJson {
  readonly workspace: string;
  readonly from: string;
  readonly to: string;
  readonly interval: string | null;
  readonly groupBy: string[];
  readonly rows: Record<string, string | number | null>[];
  readonly totals: Record<string, number | null>;
}

function describeRun(result: CliResult): string {
  return `sextant ${result.args.join(" ")}\n  exit code ${result.code}\n  stdout: ${result.stdout}\n  stderr: ${result.stderr}`;
}

/** A temporary directory with its own store file; every command runs there with `--db`. */
export class CliSandbox {
  private constructor(
    readonly dir: string,
    readonly db: string,
  ) {}

  static async create(): Promise<CliSandbox> {
    const dir = await mkdtemp(join(tmpdir(), "sextant-cli-"));
    return new CliSandbox(dir, join(dir, "s.duckdb"));
  }

  /** Runs a command against this sandbox's store. */
  run(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
    const full = options.db === false ? [...args] : ["--db", this.db, ...args];
    return runCli(full, this.dir, options.env);
  }

  /** Runs a command that must succeed and returns its stdout. */
  async ok(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`expected success:\n${describeRun(result)}`);
    return result.stdout;
  }

  /** Runs a command that must fail like a user mistake (see expectUserError) and returns its stderr. */
  async fails(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    expectUserError(result);
    return result.stderr;
  }

  /** `sextant kpi --format json ...args`, parsed. */
  async kpi(args: readonly string[], options: RunOptions = {}): Promise<KpiJson> {
    const stdout = await this.ok(["kpi", "--format", "json", ...args], options);
    return JSON.parse(stdout) as KpiJson;
  }

  /** Writes a fixture file into the sandbox and returns its absolute path. */
  async file(name: string, content: string): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, content, "utf8");
    return path;
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A failure as a user should see it: a non-zero exit code, a sentence on stderr, nothing on stdout
 * that looks like a result, and no crash report (stack trace, "unexpected error").
 */
export function expectUserError(result: CliResult): void {
  const context = describeRun(result);
  expect(result.code, context).not.toBe(0);
  expect(result.stderr.trim(), context).not.toBe("");
  expect(result.stderr, context).not.toMatch(/unexpected error/i);
  expect(result.stderr, context).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

/** The line numbers named by an error message ("Line 3", "line 3"), in order of appearance. */
export function linesNamed(message: string): number[] {
  return [...message.matchAll(/\bline (\d+)\b/gi)].map((m) => Number(m[1]));
}

export interface ExpectedSummary {
  readonly read: number;
  readonly stored: number;
  readonly rejected: number;
  readonly replaced?: number;
  readonly alreadyStored?: number;
}

/** Checks the one-line import summary: rows read, stored, rejected (and replaced / already stored). */
export function expectSummary(stdout: string, expected: ExpectedSummary): void {
  const line = stdout.split("\n").find((l) => /rows? read/.test(l)) ?? stdout;
  expect(line).toMatch(new RegExp(`\\b${expected.read} rows? read\\b`));
  expect(line).toMatch(new RegExp(`\\b${expected.stored} stored\\b`));
  expect(line).toMatch(new RegExp(`\\b${expected.rejected} rejected\\b`));
  if (expected.replaced !== undefined) {
    expect(line).toMatch(new RegExp(`\\b${expected.replaced} [a-z ]*replaced\\b`));
  }
  if (expected.alreadyStored !== undefined) {
    expect(line).toMatch(new RegExp(`\\b${expected.alreadyStored} [a-z ]*already stored\\b`));
  }
}

/** `actual` within a relative tolerance of `expected` (sums of decimals differ in their last bits). */
export function expectClose(actual: unknown, expected: number, relative = 1e-9): void {
  expect(typeof actual, `expected a number close to ${expected}, got ${String(actual)}`).toBe("number");
  const tolerance = Math.max(Math.abs(expected) * relative, 1e-12);
  expect(Math.abs((actual as number) - expected), `${String(actual)} ≉ ${expected}`).toBeLessThanOrEqual(
    tolerance,
  );
}

/** The row of a grouped KPI result whose dimension `dim` has `value`. */
export function rowWhere(
  result: KpiJson,
  dim: string,
  value: string,
): Record<string, string | number | null> {
  const row = result.rows.find((r) => r[dim] === value);
  expect(row, `no row with ${dim}=${value} in ${JSON.stringify(result.rows)}`).toBeDefined();
  return row as Record<string, string | number | null>;
}
