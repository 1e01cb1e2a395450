import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { DocumentChange } from "../../src/store/store.js";
import { closedPort, MailReceiver, WebhookReceiver } from "../alerts/receivers.js";
import { CliSandbox, expectUserError } from "./run-cli.js";

/**
 * `sextant alerts run --as-of D` on consecutive days against a real webhook receiver and a real
 * SMTP server: one notification per cooldown, failures recorded and delivered once the channel
 * is back, bad rules refused with nothing written (docs/alerts.md#rule-kinds).
 */

interface HistoryEntry {
  rule: string;
  fired_at: string;
  period: { from: string; to: string };
  value: number | string | null;
  threshold: number | string | null;
  deliveries: { channel: string; status: string; attempts: number; error: string | null }[];
}

// Spend per day: above 100 on March 4, 5, 6; nothing on March 8 (a day without data is 0).
const SPEND: Record<string, number> = {
  "2026-03-01": 50,
  "2026-03-02": 60,
  "2026-03-03": 70,
  "2026-03-04": 150,
  "2026-03-05": 160,
  "2026-03-06": 170,
  "2026-03-07": 40,
};
const COSTS = `date,campaign,channel,currency,spend,clicks\n${Object.entries(SPEND)
  .map(([date, spend]) => `${date},spring,paid,EUR,${spend},10`)
  .join("\n")}\n`;

/** The receivers listen on loopback: the operator's allowance for private webhook targets. */
const PRIVATE = { SEXTANT_ALLOW_PRIVATE_WEBHOOKS: "1" };

describe("sextant alerts run / history", () => {
  let cli: CliSandbox;
  let hooks: WebhookReceiver;
  let mail: MailReceiver;

  async function writeDocs(workspace: string, changes: DocumentChange[]) {
    const store = await DuckdbStore.open(cli.db);
    try {
      await store.writeDocuments(workspace, changes);
    } finally {
      await store.close();
    }
  }

  const history = async (workspace: string) =>
    JSON.parse(
      await cli.ok(["--workspace", workspace, "alerts", "history", "--format", "json"]),
    ) as HistoryEntry[];

  beforeAll(async () => {
    cli = await CliSandbox.create();
    hooks = await WebhookReceiver.start();
    mail = await MailReceiver.start();
    const costs = await cli.file("costs.csv", COSTS);
    for (const ws of ["shop", "flaky", "bad"]) {
      await cli.ok(["workspace", "create", ws, "--timezone", "Europe/Paris"]);
      await cli.ok(["--workspace", ws, "import", "costs", costs]);
    }
    const channels = (path: string): DocumentChange[] => [
      {
        kind: "channel",
        id: "webhook",
        body: { url: `${hooks.url}${path}`, headers: { "x-team": "growth" } },
      },
      { kind: "channel", id: "email", body: { to: [`team@${path.slice(1)}.example.com`] } },
    ];
    await writeDocs("shop", [
      ...channels("/shop"),
      {
        kind: "alert_rule",
        id: "spend-high",
        body: {
          id: "spend-high",
          kind: "threshold",
          kpi: "spend",
          period: "day",
          op: ">",
          value: 100,
          cooldown: "2d",
          channels: ["webhook", "email", "dashboard"],
        },
      },
    ]);
    await writeDocs("flaky", [
      ...channels("/flaky"),
      {
        kind: "alert_rule",
        id: "any-spend",
        body: {
          id: "any-spend",
          kind: "threshold",
          kpi: "spend",
          period: "day",
          op: ">",
          value: 0,
          cooldown: "7d",
          channels: ["webhook", "email"],
        },
      },
    ]);
  }, 120_000);

  afterAll(async () => {
    await hooks?.close();
    await mail?.close();
    await cli?.cleanup();
  });

  it("fires at every run where the condition holds and notifies once per cooldown", async () => {
    const env = { env: { SEXTANT_SMTP_URL: mail.url, ...PRIVATE } };
    const run = (day: string) =>
      cli.ok(["--workspace", "shop", "alerts", "run", "--as-of", day, "--format", "json"], env);
    const fired = async (day: string) => (JSON.parse(await run(day)) as { firings: HistoryEntry[] }).firings;

    expect(await fired("2026-03-03")).toEqual([]); // 70: below
    const first = await fired("2026-03-04"); // 150: fires, notifies
    expect(first.map((f) => f.deliveries.map((d) => d.status))).toEqual([
      ["delivered", "delivered", "delivered"],
    ]);
    expect(hooks.delivered("/shop")).toHaveLength(1);
    expect(mail.messages).toHaveLength(1);
    // One day later, within the 2-day cooldown: fires, notifies no one.
    expect((await fired("2026-03-05")).map((f) => f.deliveries.map((d) => d.status))).toEqual([
      ["suppressed", "suppressed", "suppressed"],
    ]);
    await fired("2026-03-06"); // two days after the first notification: notifies again
    await fired("2026-03-06"); // the same run repeated: within the cooldown
    expect(await fired("2026-03-07")).toEqual([]);
    expect(hooks.delivered("/shop")).toHaveLength(2);
    expect(mail.messages).toHaveLength(2);

    const entries = await history("shop");
    expect(entries.map((e) => [e.fired_at, e.deliveries.map((d) => d.status).join(",")])).toEqual([
      ["2026-03-06T23:00:00.000Z", "suppressed,suppressed,suppressed"],
      ["2026-03-06T23:00:00.000Z", "delivered,delivered,delivered"],
      ["2026-03-05T23:00:00.000Z", "suppressed,suppressed,suppressed"],
      ["2026-03-04T23:00:00.000Z", "delivered,delivered,delivered"],
    ]);
    // docs/alerts.md#history's shape, exactly.
    expect(entries[1]).toEqual({
      rule: "spend-high",
      fired_at: "2026-03-06T23:00:00.000Z",
      period: { from: "2026-03-06", to: "2026-03-06" },
      value: 170,
      threshold: 100,
      deliveries: [
        { channel: "webhook", status: "delivered", attempts: 1, error: null },
        { channel: "email", status: "delivered", attempts: 1, error: null },
        { channel: "dashboard", status: "delivered", attempts: 1, error: null },
      ],
    });

    const [hook] = hooks.delivered("/shop");
    expect(hook?.body.text).toMatch(/spend-high/);
    expect(hook?.body.text).toMatch(/150/);
    expect(hook?.body).toMatchObject({
      rule: "spend-high",
      workspace: "shop",
      value: 150,
      threshold: 100,
      period: { from: "2026-03-04", to: "2026-03-04" },
    });
    expect(mail.messages[0]?.to).toEqual(["team@shop.example.com"]);
    expect(mail.messages[0]?.raw).toMatch(/^Subject: .*Sextant_alert_=22spend-high=22_in_shop/m);
    expect(mail.messages[0]?.raw).toMatch(/Sextant alert "spend-high" in shop: spend over 2026-03-04/);
    expect(mail.messages[0]?.raw).toMatch(/<strong>Sextant alert &quot;spend-high&quot; in shop<\/strong>/);

    const table = await cli.ok(["--workspace", "shop", "alerts", "history"]);
    expect(table).toMatch(/spend-high/);
    expect(table).toMatch(/suppressed/);
  }, 120_000);

  it("records a failed delivery, keeps it visible and delivers it once the channel is back", async () => {
    hooks.answer("/flaky", 500);
    const down = `smtp://127.0.0.1:${await closedPort()}`;
    const result = await cli.run(["--workspace", "flaky", "alerts", "run", "--as-of", "2026-03-04"], {
      env: { SEXTANT_SMTP_URL: down, ...PRIVATE },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/2 deliveries failed and will be tried again/);
    let entries = await history("flaky");
    expect(entries).toHaveLength(1);
    const [webhook, email] = entries[0]?.deliveries ?? [];
    expect(webhook).toMatchObject({ channel: "webhook", status: "failed", attempts: 3 });
    expect(webhook?.error).toBe("delivery failed (HTTP 500)");
    expect(email).toMatchObject({ channel: "email", status: "failed", attempts: 3 });
    expect(email?.error).toMatch(/Could not reach the SMTP server/);
    expect(hooks.received.filter((r) => r.path === "/flaky")).toHaveLength(3);

    // Still down at the next run: tried again, still failed, still there.
    await cli.run(["--workspace", "flaky", "alerts", "run", "--as-of", "2026-03-05"], {
      env: { SEXTANT_SMTP_URL: down, ...PRIVATE },
    });
    entries = await history("flaky");
    expect(entries[1]?.deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ["failed", 6],
      ["failed", 6],
    ]);

    // Back: the next run (within the 7-day cooldown, so its own firing is suppressed) delivers it.
    hooks.answer("/flaky", 200);
    const mailsBefore = mail.messages.length;
    await cli.ok(["--workspace", "flaky", "alerts", "run", "--as-of", "2026-03-06"], {
      env: { SEXTANT_SMTP_URL: mail.url, ...PRIVATE },
    });
    entries = await history("flaky");
    expect(entries.map((e) => e.deliveries.map((d) => d.status).join(","))).toEqual([
      "suppressed,suppressed",
      "suppressed,suppressed",
      "delivered,delivered",
    ]);
    expect(entries[2]?.deliveries).toEqual([
      { channel: "webhook", status: "delivered", attempts: 7, error: null },
      { channel: "email", status: "delivered", attempts: 7, error: null },
    ]);
    expect(hooks.delivered("/flaky")).toHaveLength(1);
    expect(hooks.delivered("/flaky")[0]?.body.period).toEqual({ from: "2026-03-04", to: "2026-03-04" });
    expect(mail.messages.length - mailsBefore).toBe(1);
    // Delivered once: a later run does not send it again.
    await cli.ok(["--workspace", "flaky", "alerts", "run", "--as-of", "2026-03-07"], {
      env: { SEXTANT_SMTP_URL: mail.url, ...PRIVATE },
    });
    expect(hooks.delivered("/flaky")).toHaveLength(1);
  }, 120_000);

  it.each([
    [
      "an unknown KPI",
      {
        id: "oops",
        kind: "threshold",
        kpi: "spendd",
        period: "day",
        op: ">",
        value: 1,
        channels: ["dashboard"],
      },
      /alert rule "oops": unknown KPI "spendd". Did you mean "spend"\?/,
    ],
    [
      "an invalid cron",
      { id: "oops", kind: "no_data", hours: 2, schedule: "61 * * * *", channels: ["dashboard"] },
      /alert rule "oops".*schedule "61 \* \* \* \*" is not a cron expression/,
    ],
    [
      "a threshold rule without its value",
      { id: "oops", kind: "threshold", kpi: "spend", period: "day", op: ">", channels: ["dashboard"] },
      /a threshold rule needs `value`/,
    ],
  ])(
    "refuses %s with a sentence and writes nothing",
    async (_name, rule, message) => {
      const good = {
        kind: "alert_rule",
        id: "fires",
        body: {
          id: "fires",
          kind: "threshold",
          kpi: "spend",
          period: "day",
          op: ">",
          value: 0,
          channels: ["dashboard"],
        },
      };
      await writeDocs("bad", [good, { kind: "alert_rule", id: "oops", body: rule }]);
      const stderr = await cli.fails(["--workspace", "bad", "alerts", "run", "--as-of", "2026-03-04"]);
      expect(stderr).toMatch(message);
      // The good rule would have fired: nothing of the run was kept.
      expect(await history("bad")).toEqual([]);
      await writeDocs("bad", [{ kind: "alert_rule", id: "oops", body: null }]);
    },
    60_000,
  );

  it("fires a goal_status rule for a goal off track, by docs/goals.md#goals-and-their-figures's status, and not for one on track", async () => {
    await cli.ok(["workspace", "create", "paced", "--timezone", "Europe/Paris"]);
    await cli.ok(["--workspace", "paced", "import", "costs", await cli.file("paced.csv", COSTS)]);
    const goal = (id: string, target: number, deadline: string) => ({
      kind: "goal",
      id,
      body: { id, objective: "reach", kpi: "spend", target, start: "2026-03-01", deadline },
    });
    await writeDocs("paced", [
      { kind: "objective", id: "reach", body: { id: "reach", type: "awareness", title: "Reach" } },
      // As of March 7: 700 spent. Forecast 700 / (7/31) = 3100, far below 10 000: off_track.
      goal("month", 10_000, "2026-03-31"),
      // 700 / (7/10) = 1000: the target exactly, on_track.
      goal("ten-days", 1_000, "2026-03-10"),
      {
        kind: "alert_rule",
        id: "pacing",
        body: { id: "pacing", kind: "goal_status", channels: ["dashboard"] },
      },
    ]);
    await cli.ok(["--workspace", "paced", "alerts", "run", "--as-of", "2026-03-07"]);
    const fired = await history("paced");
    expect(fired.map((entry) => [entry.rule, entry.value])).toEqual([["pacing", "off_track"]]);
  }, 60_000);

  it("refuses a bad --as-of, --format and SEXTANT_SMTP_URL", async () => {
    expect(await cli.fails(["--workspace", "bad", "alerts", "run", "--as-of", "2026-02-30"])).toMatch(
      /as-of "2026-02-30" is not a date/,
    );
    expect(await cli.fails(["--workspace", "bad", "alerts", "history", "--format", "csv"])).toMatch(
      /--format "csv" is not one of table, json/,
    );
    expect(
      await cli.fails(["--workspace", "bad", "alerts", "run"], {
        env: { SEXTANT_SMTP_URL: "http://mail.example.com" },
      }),
    ).toMatch(/SEXTANT_SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
    expect(await history("bad")).toEqual([]);
  }, 60_000);

  it("an unreachable webhook is recorded as failed, without saying why the connection failed", async () => {
    const port = await closedPort();
    await writeDocs("bad", [
      { kind: "channel", id: "webhook", body: { url: `http://127.0.0.1:${port}/hook` } },
      {
        kind: "alert_rule",
        id: "fires",
        body: {
          id: "fires",
          kind: "threshold",
          kpi: "spend",
          period: "day",
          op: ">",
          value: 0,
          channels: ["webhook"],
        },
      },
    ]);
    const result = await cli.run(["--workspace", "bad", "alerts", "run", "--as-of", "2026-03-04"], {
      env: PRIVATE,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/fires → webhook: delivery failed \(connection error\)/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const [entry] = await history("bad");
    expect(entry?.deliveries).toEqual([
      { channel: "webhook", status: "failed", attempts: 3, error: "delivery failed (connection error)" },
    ]);
  }, 60_000);

  it("refuses a webhook on a loopback address unless the operator allows private targets", async () => {
    await cli.ok(["workspace", "create", "guarded", "--timezone", "Europe/Paris"]);
    // Stored as an older version would have let it be: the check at delivery still holds.
    await writeDocs("guarded", [
      {
        kind: "channel",
        id: "webhook",
        body: { url: `http://2130706433:${new URL(hooks.url).port}/guarded` },
      },
      {
        kind: "alert_rule",
        id: "silent",
        body: { id: "silent", kind: "no_data", hours: 1, cooldown: "7d", channels: ["webhook"] },
      },
    ]);
    const result = await cli.run(["--workspace", "guarded", "alerts", "run", "--as-of", "2026-03-04"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/silent → webhook: delivery failed \(refused target/);
    const [entry] = await history("guarded");
    expect(entry?.deliveries).toEqual([
      {
        channel: "webhook",
        status: "failed",
        attempts: 1,
        error: expect.stringMatching(/^delivery failed \(refused target.*SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1/),
      },
    ]);
    expect(hooks.received.filter((r) => r.path === "/guarded")).toEqual([]);

    // The operator allows it: the failed delivery goes out at the next run (whose own is suppressed).
    await cli.ok(["--workspace", "guarded", "alerts", "run", "--as-of", "2026-03-05"], { env: PRIVATE });
    expect(hooks.delivered("/guarded")).toHaveLength(1);
    expect((await history("guarded")).map((e) => e.deliveries.map((d) => d.status).join())).toEqual([
      "suppressed",
      "delivered",
    ]);
  }, 60_000);
});

describe("sextant alerts --help", () => {
  it("lists run and history", async () => {
    const cli = await CliSandbox.create();
    try {
      const out = await cli.ok(["alerts", "--help"]);
      expect(out).toMatch(/run \[options\]/);
      expect(out).toMatch(/history \[options\]/);
      expectUserError(await cli.run(["alerts", "run", "--format", "xml"]));
    } finally {
      await cli.cleanup();
    }
  });
});
