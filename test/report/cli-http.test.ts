import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKpiQuery } from "../../src/kpi/run-query.js";
import { generateKey } from "../../src/model/keys.js";
import { formatNumber } from "../../src/report/format-number.js";
import { num } from "../../src/report/kpi-meta.js";
import { buildApp } from "../../src/server/app.js";
import { CliSandbox } from "../cli/run-cli.js";
import { type Kit, openKit } from "../kpi/fixture.js";
import { loadShop } from "./fixture.js";

describe("GET /api/v1/reports", () => {
  let kit: Kit;
  let app: FastifyInstance;
  let auth: { authorization: string };
  beforeAll(async () => {
    kit = await openKit();
    await loadShop(kit);
    app = await buildApp({ store: kit.store });
    const key = generateKey("read");
    await kit.store.saveKey({ id: key.id, workspace: "shop", kind: "read", hash: key.hash });
    auth = { authorization: `Bearer ${key.secret}` };
  });
  afterAll(async () => {
    await app.close();
    await kit.close();
  });

  it("answers the periodic report as a file with its type and name", async () => {
    const res = await app.inject({
      url: "/api/v1/reports/periodic?period=month&as_of=2026-04-30&format=csv",
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(
      'attachment; filename="sextant-periodic-2026-04-01-2026-04-30.csv"',
    );
    const ws = (await kit.store.listWorkspaces())[0];
    if (!ws) throw new Error("no workspace");
    const api = await runKpiQuery(kit.store, ws, {
      kpis: ["spend"],
      from: "2026-04-01",
      to: "2026-04-30",
      groupBy: ["campaign"],
    });
    const spring = api.rows.find((r) => r.campaign === "spring_sale");
    expect(res.body).toContain(`spring_sale,spend,Ad spend,${spring?.spend},`);
    // The month's totals come first, as a spreadsheet would read them.
    const total = await runKpiQuery(kit.store, ws, { kpis: ["spend"], from: "2026-04-01", to: "2026-04-30" });
    expect(res.body.split("\r\n")[1]).toBe(
      `(total),spend,Ad spend,${total.totals.spend},"${formatNumber(num(total.totals.spend), "money", "en", ws.settings.currency)}"`,
    );
  });

  it("answers an audit as PDF with a file name that carries no header tricks", async () => {
    const res = await app.inject({
      url: `/api/v1/reports/audit?campaign=${encodeURIComponent('=HYPERLINK("http://x")')}&format=pdf&lang=fr`,
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(res.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    expect(res.headers["content-disposition"]).toBe(
      'attachment; filename="sextant-audit-HYPERLINK-http-x-2026-04-07-2026-04-07.pdf"',
    );
  });

  it("names a wrong parameter, and needs a key", async () => {
    const bad = await app.inject({ url: "/api/v1/reports/periodic?period=year&format=html", headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe("period");
    const none = await app.inject({ url: "/api/v1/reports/audit?campaign=nope&format=html", headers: auth });
    expect(none.statusCode).toBe(404);
    expect((await app.inject({ url: "/api/v1/reports/periodic?period=month&format=html" })).statusCode).toBe(
      401,
    );
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await app.inject({ url: "/api/v1/openapi.json" })).json();
    const params = doc.paths["/api/v1/reports/audit"].get.parameters;
    expect(params.find((p: { name: string }) => p.name === "campaign").required).toBe(true);
    expect(doc.paths["/api/v1/reports/periodic"].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["period", "as_of", "format", "lang"]),
    );
  });
});

describe("sextant report", () => {
  let box: CliSandbox;
  beforeAll(async () => {
    box = await CliSandbox.create();
    await box.ok(["workspace", "create", "shop", "--locale", "fr"]);
    await box.file(
      "costs.csv",
      "date,campaign,spend,impressions,clicks\n2026-04-03,spring_sale,1234.5,1000,10\n",
    );
    await box.ok(["import", "costs", join(box.dir, "costs.csv")]);
  });
  afterAll(async () => box.cleanup());

  it("writes a periodic report in the workspace's language, and keeps an existing file", async () => {
    const out = await box.ok([
      "report",
      "periodic",
      "--period",
      "month",
      "--as-of",
      "2026-04-30",
      "--format",
      "md",
      "--out",
      "april.md",
    ]);
    expect(out).toContain("april.md");
    const md = await readFile(join(box.dir, "april.md"), "utf8");
    expect(md).toContain("# Rapport mensuel");
    expect(md).toContain("1\u202f235\u00a0€");
    const err = await box.fails([
      "report",
      "periodic",
      "--period",
      "month",
      "--format",
      "md",
      "--out",
      "april.md",
    ]);
    expect(err).toMatch(/already exists.*--force/);
    await box.ok([
      "report",
      "periodic",
      "--period",
      "month",
      "--as-of",
      "2026-04-30",
      "--format",
      "html",
      "--lang",
      "en",
      "--out",
      "april.md",
      "--force",
    ]);
    expect(await readFile(join(box.dir, "april.md"), "utf8")).toContain('<html lang="en">');
  });

  it("writes an audit and explains what is missing", async () => {
    await box.ok(["report", "audit", "--campaign", "Spring_Sale", "--format", "csv", "--out", "audit.csv"]);
    expect(await readFile(join(box.dir, "audit.csv"), "utf8")).toContain(
      "spring_sale,spend,Dépenses publicitaires,1234.5,",
    );
    expect(await box.fails(["report", "audit", "--format", "csv", "--out", "x.csv"])).toMatch(
      /--campaign is required/,
    );
    expect(await box.fails(["report", "audit", "--campaign", "a", "--format", "docx", "--out", "x"])).toMatch(
      /--format "docx"/,
    );
    const help = await box.ok(["report", "--help"]);
    expect(help).toMatch(/audit/);
    expect(help).toMatch(/periodic/);
  });
});
