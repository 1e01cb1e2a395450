import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { allowPrivateWebhooks, type GlobalFlags } from "../../config.js";
import { applyConfig } from "../../definitions/apply-config.js";
import { parseConfigYaml } from "../../definitions/config-source.js";
import { configYaml, exportConfig } from "../../definitions/export-config.js";
import { UserError } from "../../errors.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { io, print, withStore, workspaceFlag } from "../context.js";

export function registerConfig(program: Command): void {
  const config = program
    .command("config")
    .description(
      "objectives, goals, alerts, channels, funnels, experiments and custom KPIs as one YAML file",
    );

  config
    .command("apply")
    .description(
      "create or update the definitions of a YAML file, all or nothing (see docs/configuration.md)",
    )
    .argument("<file>", "the YAML file")
    .option("--prune", "also delete the definitions the file does not mention")
    .action(async (file: string, flags: { prune?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      const path = resolve(io().cwd ?? process.cwd(), file);
      const text = await readFile(path, "utf8").catch(() => {
        throw new UserError(`Cannot read ${file}: check the file name.`, [
          { field: "file", reason: "unreadable" },
        ]);
      });
      const source = parseConfigYaml(text, file);
      const allowPrivateTargets = allowPrivateWebhooks(process.env);
      await withStore(globals, async (store) => {
        const value = source.value as { workspace?: unknown };
        const named = typeof value?.workspace === "string" ? value.workspace : undefined;
        const workspace = await resolveWorkspace(store, workspaceFlag(globals) ?? named);
        const result = await applyConfig(store, workspace, source, {
          prune: flags.prune === true,
          allowPrivateTargets,
        });
        for (const warning of result.warnings) io().stderr(`warning: ${warning}\n`);
        const lines = result.changes.map((c) => `${c.action} ${c.kind} ${c.id}`);
        print(
          [
            ...lines,
            `${result.workspace}: ${result.changes.length} changed, ${result.unchanged} unchanged.`,
          ].join("\n"),
        );
      });
    });

  config
    .command("export")
    .description("print the workspace's definitions as a YAML file that applies back to the same state")
    .option("--format <format>", "yaml or json", "yaml")
    .action(async (flags: { format: string }, command: Command) => {
      if (flags.format !== "yaml" && flags.format !== "json") {
        throw new UserError(`--format "${flags.format}" is not one of yaml, json.`, [
          { field: "format", reason: "unknown format" },
        ]);
      }
      const globals = command.optsWithGlobals<GlobalFlags>();
      await withStore(globals, async (store) => {
        const workspace = await resolveWorkspace(store, workspaceFlag(globals));
        const exported = await exportConfig(store, workspace.name);
        print(flags.format === "json" ? JSON.stringify(exported, null, 2) : configYaml(exported));
      });
    });
}
