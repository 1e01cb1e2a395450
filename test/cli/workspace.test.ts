import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox } from "./run-cli.js";

interface WorkspaceJson {
  name: string;
  settings: Record<string, unknown>;
}

async function listJson(cli: CliSandbox): Promise<WorkspaceJson[]> {
  return JSON.parse(await cli.ok(["workspace", "list", "--format", "json"])) as WorkspaceJson[];
}

async function settingsOf(cli: CliSandbox, name: string): Promise<Record<string, unknown>> {
  const found = (await listJson(cli)).find((w) => w.name === name);
  expect(found, `workspace ${name} in workspace list`).toBeDefined();
  return found?.settings ?? {};
}

describe("sextant workspace create / list / set", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("says there is no workspace yet in an empty store", async () => {
    const out = await cli.ok(["workspace", "list"]);
    expect(out).toMatch(/no workspace/i);
    expect(await listJson(cli)).toEqual([]);
  });

  it("creates a workspace with --timezone, --currency, --locale and repeated --domain", async () => {
    const out = await cli.ok([
      "workspace",
      "create",
      "shop",
      "--timezone",
      "Europe/Paris",
      "--currency",
      "USD",
      "--locale",
      "fr",
      "--domain",
      "shop.example",
      "--domain",
      "www.shop.example",
    ]);
    expect(out).toMatch(/shop/);
    const settings = await settingsOf(cli, "shop");
    expect(settings).toMatchObject({
      timezone: "Europe/Paris",
      currency: "USD",
      locale: "fr",
      domains: ["shop.example", "www.shop.example"],
    });
  });

  it("fills in docs/concepts.md#workspaces defaults when no option is given", async () => {
    await cli.ok(["workspace", "create", "blog"]);
    expect(await settingsOf(cli, "blog")).toEqual({
      timezone: "UTC",
      currency: "EUR",
      locale: "en",
      session_timeout_minutes: 30,
      conversion_events: ["Signed Up", "Order Completed"],
      lead_events: ["Signed Up"],
      gross_margin: 1,
      clv_max_lifetime_periods: 24,
      attribution: "last_touch",
      attribution_window_days: 30,
      domains: [],
      retention_days: null,
    });
  });

  it("lists workspaces as an aligned table with their main settings", async () => {
    const out = await cli.ok(["workspace", "list"]);
    const shopLine = out.split("\n").find((l) => /\bshop\b/.test(l));
    expect(shopLine).toBeDefined();
    for (const value of ["Europe/Paris", "USD", "fr", "shop.example"]) expect(shopLine).toContain(value);
    expect(out).toMatch(/\bblog\b.*\bUTC\b.*\bEUR\b/);
    const tableLines = out.split("\n").filter((l) => l.trim() !== "");
    expect(new Set(tableLines.map((l) => l.length)).size).toBe(1);
  });

  it("lists workspaces as JSON: an array of {name, settings}", async () => {
    const all = await listJson(cli);
    expect(all.map((w) => w.name).sort()).toEqual(["blog", "shop"]);
    for (const w of all) expect(Object.keys(w).sort()).toEqual(["name", "settings"]);
  });

  it("refuses an unknown --format for workspace list", async () => {
    const err = await cli.fails(["workspace", "list", "--format", "xml"]);
    expect(err).toContain("xml");
    expect(err).toMatch(/table/);
    expect(err).toMatch(/json/);
  });

  it("refuses to create a workspace that already exists, naming it", async () => {
    const err = await cli.fails(["workspace", "create", "shop"]);
    expect(err).toContain("shop");
    expect(err).toMatch(/already exists/i);
    // The existing one is untouched.
    expect((await settingsOf(cli, "shop")).timezone).toBe("Europe/Paris");
  });

  it("refuses bad names and bad settings at creation, naming what is wrong", async () => {
    // One store is opened by one process at a time: commands on it run one after the other.
    const name = await cli.fails(["workspace", "create", "my shop"]);
    const timezone = await cli.fails(["workspace", "create", "tz", "--timezone", "Mars/Olympus_Mons"]);
    const currency = await cli.fails(["workspace", "create", "cur", "--currency", "EURO"]);
    const locale = await cli.fails(["workspace", "create", "loc", "--locale", "de"]);
    expect(name).toContain("my shop");
    expect(timezone).toMatch(/timezone|time zone/i);
    expect(currency).toMatch(/currency/i);
    expect(locale).toMatch(/locale/i);
    expect(locale).toMatch(/\ben\b/);
    expect(locale).toMatch(/\bfr\b/);
    expect((await listJson(cli)).map((w) => w.name).sort()).toEqual(["blog", "shop"]);
  });

  it("sets several KEY=VALUE settings at once, lists comma-separated", async () => {
    await cli.ok([
      "workspace",
      "set",
      "shop",
      "timezone=Asia/Tokyo",
      "gross_margin=0.4",
      "attribution=linear",
      "conversion_events=Signed Up,Purchase",
      "session_timeout_minutes=45",
    ]);
    expect(await settingsOf(cli, "shop")).toMatchObject({
      timezone: "Asia/Tokyo",
      gross_margin: 0.4,
      attribution: "linear",
      conversion_events: ["Signed Up", "Purchase"],
      session_timeout_minutes: 45,
      currency: "USD",
    });
  });

  it("refuses an unknown setting, naming the key, and changes nothing", async () => {
    const err = await cli.fails(["workspace", "set", "shop", "gross_margin=0.5", "colour=blue"]);
    expect(err).toContain("colour");
    expect((await settingsOf(cli, "shop")).gross_margin).toBe(0.4);
  });

  it("refuses a bad time zone and other bad values, naming the setting", async () => {
    const tz = await cli.fails(["workspace", "set", "shop", "timezone=Europe/Atlantis"]);
    const margin = await cli.fails(["workspace", "set", "shop", "gross_margin=2"]);
    const attribution = await cli.fails(["workspace", "set", "shop", "attribution=best"]);
    const notPair = await cli.fails(["workspace", "set", "shop", "timezone"]);
    expect(tz).toMatch(/timezone/);
    expect(tz).toMatch(/IANA|time zone/i);
    expect(margin).toMatch(/gross_margin/);
    expect(attribution).toMatch(/attribution/);
    expect(notPair).toMatch(/KEY=VALUE/);
    expect((await settingsOf(cli, "shop")).timezone).toBe("Asia/Tokyo");
  });

  it("refuses to set a workspace that does not exist, listing those that do", async () => {
    const err = await cli.fails(["workspace", "set", "shoop", "timezone=UTC"]);
    expect(err).toContain("shoop");
    expect(err).toContain("shop");
    expect(err).toContain("blog");
  });
});

describe("choosing the workspace: --workspace, SEXTANT_WORKSPACE, the only one", () => {
  let cli: CliSandbox;
  const costs = (spend: number) =>
    `date,campaign,channel,currency,spend\n2026-03-02,launch,paid,EUR,${spend}\n2026-03-03,launch,paid,EUR,${spend}\n`;

  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "alpha"]);
    // While alpha is the only workspace, commands use it without --workspace.
    await cli.ok(["import", "costs", await cli.file("alpha.csv", costs(10))]);
    await cli.ok(["workspace", "create", "beta"]);
    await cli.ok(["--workspace", "beta", "import", "costs", await cli.file("beta.csv", costs(100))]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("uses the only workspace when there is one (the import above went to alpha)", async () => {
    expect((await cli.kpi(["--workspace", "alpha", "--kpis", "spend"])).totals.spend).toBe(20);
    expect((await cli.kpi(["--workspace", "beta", "--kpis", "spend"])).totals.spend).toBe(200);
  });

  it("with two workspaces and no --workspace, kpi and import fail naming both", async () => {
    const file = await cli.file("gamma.csv", costs(1));
    for (const args of [
      ["kpi", "--kpis", "spend"],
      ["import", "costs", file],
    ]) {
      const result = await cli.run(args);
      expect(result.code, result.stderr).not.toBe(0);
      expect(result.stderr).toContain("alpha");
      expect(result.stderr).toContain("beta");
      expect(result.stderr).toMatch(/--workspace/);
    }
    // Nothing of gamma.csv went anywhere.
    expect((await cli.kpi(["--workspace", "alpha", "--kpis", "spend"])).totals.spend).toBe(20);
    expect((await cli.kpi(["--workspace", "beta", "--kpis", "spend"])).totals.spend).toBe(200);
  });

  it("--workspace naming a missing workspace fails, listing the existing ones", async () => {
    const err = await cli.fails(["--workspace", "gamma", "kpi", "--kpis", "spend"]);
    expect(err).toContain("gamma");
    expect(err).toContain("alpha");
    expect(err).toContain("beta");
  });

  it("--workspace is accepted after the subcommand too", async () => {
    expect((await cli.kpi(["--kpis", "spend", "--workspace", "beta"])).workspace).toBe("beta");
  });

  it("SEXTANT_WORKSPACE picks the workspace; --workspace wins over it", async () => {
    const fromEnv = await cli.kpi(["--kpis", "spend"], { env: { SEXTANT_WORKSPACE: "beta" } });
    expect(fromEnv.workspace).toBe("beta");
    expect(fromEnv.totals.spend).toBe(200);
    const flag = await cli.kpi(["--workspace", "alpha", "--kpis", "spend"], {
      env: { SEXTANT_WORKSPACE: "beta" },
    });
    expect(flag.workspace).toBe("alpha");
    expect(flag.totals.spend).toBe(20);
    const missing = await cli.run(["kpi", "--kpis", "spend"], { env: { SEXTANT_WORKSPACE: "nope" } });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("nope");
    expect(missing.stderr).toContain("alpha");
  });

  it("SEXTANT_DB names the store when --db is not given", async () => {
    const out = await cli.ok(["workspace", "list", "--format", "json"], {
      db: false,
      env: { SEXTANT_DB: cli.db },
    });
    expect((JSON.parse(out) as WorkspaceJson[]).map((w) => w.name).sort()).toEqual(["alpha", "beta"]);
  });
});
