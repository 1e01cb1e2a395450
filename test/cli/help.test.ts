import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

/** Each command of docs/command-line.md#commands that exists here, with words its --help must mention. */
const COMMANDS: readonly [string[], string[]][] = [
  [
    [],
    [
      "--db",
      "--clickhouse",
      "--workspace",
      "--memory-limit",
      "workspace",
      "import",
      "kpi",
      "demo",
      "serve",
      "migrate",
      "doctor",
    ],
  ],
  [["doctor"], ["Exit codes", "FIX"]],
  [["migrate"], ["--to", "--to-cluster", "--db"]],
  [
    ["serve"],
    [
      "--port",
      "--host",
      "--trust-proxy",
      "--session-idle-minutes",
      "--session-max-hours",
      "--hsts",
      "--metrics-token",
    ],
  ],
  [["workspace"], ["create", "list", "set"]],
  [
    ["workspace", "create"],
    ["--timezone", "--currency", "--locale", "--domain"],
  ],
  [["workspace", "list"], ["--format"]],
  [["workspace", "set"], ["KEY=VALUE"]],
  [["demo"], ["--days", "--seed"]],
  [
    ["import"],
    [
      "--map",
      "--date-format",
      "--skip-invalid",
      "events",
      "costs",
      "email",
      "social",
      "orders",
      "--preset",
      "google-ads",
      "meta-ads",
      "linkedin-ads",
      "microsoft-ads",
      "mailchimp",
    ],
  ],
  [
    ["kpi"],
    ["--kpis", "--from", "--to", "--interval", "--group-by", "--where", "--format", "list", "define"],
  ],
  [["kpi", "list"], ["--format"]],
  [["segments"], ["--kpi", "--by", "--from", "--to", "--where", "--limit", "--format"]],
  [["kpi", "define"], ["formula"]],
  [["kpi", "remove"], ["id"]],
  [["alerts"], ["run", "history"]],
  [
    ["alerts", "run"],
    ["--as-of", "--format"],
  ],
  [["alerts", "history"], ["--format"]],
  [["share"], ["create", "list", "revoke"]],
  [
    ["share", "create"],
    ["--expires", "--base-url"],
  ],
  [["users"], ["add", "list", "remove"]],
  [
    ["users", "add"],
    ["--password", "name"],
  ],
  [["report"], ["audit", "periodic"]],
  [
    ["report", "audit"],
    ["--campaign", "--from", "--to", "--format", "--lang", "--out", "--force"],
  ],
  [
    ["report", "periodic"],
    ["--period", "--as-of", "--format", "--lang", "--out", "--force"],
  ],
  [["people", "show"], ["--id"]],
  [["people", "erase"], ["--id"]],
  [["retention", "apply"], ["retention_days"]],
];

// Help opens no store, so these commands may run side by side.
describe.concurrent("--help on every command and subcommand", () => {
  let dir: string;
  beforeAll(async () => {
    // No store is needed for help; an empty directory shows help creates none either.
    dir = await mkdtemp(join(tmpdir(), "sextant-help-"));
  });
  afterAll(async () => {
    // Help opens no store: nothing may have been created in the working directory.
    expect(await readdir(dir)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  it.each(COMMANDS)("sextant %j --help", async (command, words) => {
    const result = await runCli([...command, "--help"], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Usage: sextant${command.length ? ` ${command.join(" ")}` : ""}`);
    for (const word of words) expect(result.stdout, `help of ${command.join(" ")}`).toContain(word);
    expect(result.stderr).toBe("");
  });

  it("every other command listed by sextant --help has a working --help", async () => {
    const top = await runCli(["--help"], dir);
    const section = top.stdout.split(/^Commands:$/m)[1] ?? "";
    const listed = [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] ?? "");
    expect(listed).toEqual(expect.arrayContaining(["serve", "workspace", "demo", "import", "kpi"]));
    const covered = new Set(COMMANDS.map(([command]) => command[0]));
    const names = listed.filter((n) => n !== "help" && !covered.has(n));
    const results = await Promise.all(names.map((name) => runCli([name, "--help"], dir)));
    names.forEach((name, i) => {
      expect(results[i]?.code, `${name} --help: ${results[i]?.stderr}`).toBe(0);
      expect(results[i]?.stdout).toContain(`Usage: sextant ${name}`);
    });
  });
});
