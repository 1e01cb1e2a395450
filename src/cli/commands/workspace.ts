import type { Command } from "commander";
import type { GlobalFlags } from "../../config.js";
import { UserError } from "../../errors.js";
import { applySettingAssignments, validateSettings } from "../../model/parse-setting.js";
import { workspaceNameSchema } from "../../model/workspace.js";
import { resolveWorkspace } from "../../workspace/resolve.js";
import { print, withStore } from "../context.js";
import { FORMATS, parseFormat, toCsv, toTable } from "../output.js";

interface CreateFlags {
  timezone?: string;
  currency?: string;
  locale?: string;
  domain?: string[];
}

export function registerWorkspace(program: Command): void {
  const workspace = program
    .command("workspace")
    .description("create, list and configure workspaces (one site or brand each)");

  workspace
    .command("create")
    .description("create a workspace")
    .argument("<name>", "workspace name (letters, digits, . _ -)")
    .option("--timezone <tz>", "IANA time zone that cuts days and weeks", "UTC")
    .option("--currency <code>", "ISO 4217 currency of money amounts", "EUR")
    .option("--locale <locale>", "en or fr", "en")
    .option("--domain <domain...>", "the site's domains (Plausible events pick the workspace by domain)")
    .action(async (name: string, flags: CreateFlags, command: Command) => {
      const parsedName = workspaceNameSchema.safeParse(name);
      if (!parsedName.success) {
        throw new UserError(`"${name}" is not a workspace name: ${parsedName.error.issues[0]?.message}.`, [
          { field: "name", reason: "invalid" },
        ]);
      }
      const settings = validateSettings({
        timezone: flags.timezone,
        currency: flags.currency?.toUpperCase(),
        locale: flags.locale,
        domains: flags.domain ?? [],
      });
      await withStore(command.optsWithGlobals<GlobalFlags>(), async (store) => {
        if ((await store.listWorkspaces()).some((w) => w.name === name)) {
          throw new UserError(
            `A workspace "${name}" already exists.`,
            [{ field: "name", reason: "exists" }],
            409,
          );
        }
        await store.createWorkspace({ name, settings });
      });
      print(`Created workspace ${name} (${settings.timezone}, ${settings.currency}, ${settings.locale}).`);
    });

  workspace
    .command("list")
    .description("list workspaces and their settings")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "table")
    .action(async (flags: { format: string }, command: Command) => {
      const format = parseFormat(flags.format);
      const all = await withStore(command.optsWithGlobals<GlobalFlags>(), (store) => store.listWorkspaces());
      if (format === "json") return print(JSON.stringify(all, null, 2));
      const rows = all.map((w) => ({ name: w.name, ...w.settings, domains: w.settings.domains.join(" ") }));
      const columns = ["name", "timezone", "currency", "locale", "domains"];
      if (format === "csv") return print(toCsv(columns, rows));
      print(
        all.length
          ? toTable(
              columns,
              rows.map((r) => columns.map((c) => String(r[c as keyof typeof r] ?? ""))),
            )
          : "No workspaces yet.",
      );
    });

  workspace
    .command("set")
    .description("change settings, e.g. timezone=Europe/Paris conversion_events='Signed Up,Order Completed'")
    .argument("<name>", "workspace name")
    .argument("<assignments...>", "KEY=VALUE settings (lists are comma-separated)")
    .action(async (name: string, assignments: string[], _flags: unknown, command: Command) => {
      await withStore(command.optsWithGlobals<GlobalFlags>(), async (store) => {
        const current = await resolveWorkspace(store, name);
        const settings = applySettingAssignments(current.settings, assignments);
        await store.updateSettings(name, settings);
        print(`Updated ${name}: ${assignments.join(" ")}`);
      });
    });
}
