import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, MailReceiver } from "../alerts/receivers.js";
import { CliSandbox } from "../cli/run-cli.js";
import { mimeParts, partOf } from "./mime.js";

const CONFIG = `workspace: shop
reports:
  - id: monthly
    kind: periodic
    period: month
    schedule: "0 8 1 * *"
    format: pdf
    to: [boss@shop.example.com]
`;

describe("sextant report schedules | send | history", () => {
  let box: CliSandbox;
  let mail: MailReceiver;
  beforeAll(async () => {
    box = await CliSandbox.create();
    mail = await MailReceiver.start();
    await box.ok(["workspace", "create", "shop", "--locale", "fr", "--timezone", "Europe/Paris"]);
    await box.file(
      "costs.csv",
      "date,campaign,spend,impressions,clicks\n2026-04-03,spring_sale,1234.5,1000,10\n",
    );
    await box.ok(["import", "costs", join(box.dir, "costs.csv")]);
    await box.ok(["config", "apply", await box.file("sextant.yaml", CONFIG)]);
  }, 120_000);
  afterAll(async () => {
    await mail.close();
    await box.cleanup();
  });

  it("lists the schedule from the configuration file with its next run", async () => {
    const [schedule] = JSON.parse(await box.ok(["report", "schedules", "--format", "json"]));
    expect(schedule).toMatchObject({ id: "monthly", time_zone: "Europe/Paris", last_delivery: null });
    expect(new Date(schedule.next_run).getTime()).toBeGreaterThan(Date.now());
    const table = await box.ok(["report", "schedules"]);
    expect(table).toContain("0 8 1 * * (Europe/Paris)");
  });

  it("sends one now through SEXTANT_SMTP_URL, in French, and records it", async () => {
    const out = await box.ok(["report", "send", "monthly", "--as-of", "2026-04-30"], {
      env: { SEXTANT_SMTP_URL: mail.url },
    });
    expect(out).toContain("Sent the report monthly (2026-04-01 – 2026-04-30) to boss@shop.example.com.");
    expect(mail.messages).toHaveLength(1);
    const parts = mimeParts(mail.messages[0]?.raw ?? "");
    expect(partOf(parts, "text/html")?.body.toString("utf8")).toContain("1\u202f235\u00a0€");
    expect(partOf(parts, "application/pdf")?.body.subarray(0, 5).toString()).toBe("%PDF-");
    const [entry] = JSON.parse(await box.ok(["report", "history", "--format", "json"]));
    expect(entry).toMatchObject({
      schedule: "monthly",
      trigger: "manual",
      period: { from: "2026-04-01", to: "2026-04-30" },
      status: "sent",
      attempts: 1,
      error: null,
    });
  }, 60_000);

  it("says why a send failed, exits non-zero, and keeps the failure in the history", async () => {
    const noSmtp = await box.run(["report", "send", "monthly", "--as-of", "2026-04-30"], {
      env: { SEXTANT_SMTP_URL: undefined },
    });
    expect(noSmtp.code).toBe(1);
    expect(noSmtp.stderr).toContain("SEXTANT_SMTP_URL is not set");
    const refused = await box.run(["report", "send", "monthly", "--as-of", "2026-04-30"], {
      env: { SEXTANT_SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /was not sent: Could not reach the SMTP server .*sextant serve tries it again/,
    );
    const history = JSON.parse(await box.ok(["report", "history", "--format", "json"]));
    expect(history.map((h: { status: string }) => h.status)).toEqual(["retrying", "failed", "sent"]);
    expect(history[0].attempts).toBe(3);
    const unknown = await box.run(["report", "send", "weekly"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('There is no report schedule "weekly" in shop');
  }, 60_000);
});
