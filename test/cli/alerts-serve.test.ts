import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { MailReceiver, WebhookReceiver } from "../alerts/receivers.js";
import { CLI_MAIN, CliSandbox } from "./run-cli.js";

/**
 * A real `sextant serve` runs an alert rule on its cron (every second here), notifies a real webhook
 * receiver and SMTP server once per cooldown, and `sextant alerts history` reads the history through
 * the running server.
 */

interface Entry {
  rule: string;
  deliveries: { channel: string; status: string }[];
}

function serverEnv(smtpUrl: string): NodeJS.ProcessEnv {
  // The webhook receiver is on loopback: the operator allows private targets.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SEXTANT_SMTP_URL: smtpUrl,
    SEXTANT_ALLOW_PRIVATE_WEBHOOKS: "1",
    NO_COLOR: "1",
  };
  for (const name of ["SEXTANT_DB", "SEXTANT_WORKSPACE", "SEXTANT_CLICKHOUSE_URL", "SEXTANT_MEMORY_LIMIT"]) {
    delete env[name];
  }
  return env;
}

describe("alerts scheduled inside sextant serve", () => {
  let cli: CliSandbox;
  let hooks: WebhookReceiver;
  let mail: MailReceiver;
  let server: ChildProcess | undefined;
  let serverLog = "";

  beforeAll(async () => {
    cli = await CliSandbox.create();
    hooks = await WebhookReceiver.start();
    mail = await MailReceiver.start();
    await cli.ok(["workspace", "create", "site"]);
    const store = await DuckdbStore.open(cli.db);
    try {
      await store.writeDocuments("site", [
        { kind: "channel", id: "webhook", body: { url: `${hooks.url}/site` } },
        { kind: "channel", id: "email", body: { to: ["ops@site.example.com"] } },
        {
          kind: "alert_rule",
          id: "tracking",
          body: {
            id: "tracking",
            kind: "no_data",
            hours: 2,
            schedule: "* * * * * *",
            cooldown: "1h",
            channels: ["webhook", "email", "dashboard"],
          },
        },
      ]);
    } finally {
      await store.close();
    }
    server = spawn(process.execPath, [CLI_MAIN, "--db", cli.db, "serve", "--port", "0", "--no-demo"], {
      cwd: cli.dir,
      env: serverEnv(mail.url),
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (chunk: Buffer) => {
      serverLog += chunk.toString();
    });
    server.stderr?.on("data", (chunk: Buffer) => {
      serverLog += chunk.toString();
    });
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    await hooks?.close();
    await mail?.close();
    await cli?.cleanup();
  });

  it("fires every second, notifies once, and the history is read through the server", async () => {
    let entries: Entry[] = [];
    // Until three ticks are recorded (bounded by the test's timeout, not by a timed assertion).
    while (entries.length < 3) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(server?.exitCode, serverLog).toBeNull();
      const result = await cli.run(["alerts", "history", "--format", "json"]);
      if (result.code === 0) entries = JSON.parse(result.stdout) as Entry[];
    }
    expect(hooks.delivered("/site")).toHaveLength(1);
    expect(hooks.delivered("/site")[0]?.body).toMatchObject({
      rule: "tracking",
      kind: "no_data",
      workspace: "site",
    });
    expect(mail.messages).toHaveLength(1);
    expect(mail.messages[0]?.to).toEqual(["ops@site.example.com"]);
    const oldest = entries[entries.length - 1];
    expect(oldest?.deliveries.map((d) => d.status)).toEqual(["delivered", "delivered", "delivered"]);
    for (const later of entries.slice(0, -1)) {
      expect(later.deliveries.map((d) => d.status)).toEqual(["suppressed", "suppressed", "suppressed"]);
    }
  }, 90_000);
});
