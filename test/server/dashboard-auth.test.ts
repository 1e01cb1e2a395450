import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { Store } from "../../src/store/store.js";

let dir: string;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-auth-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"));
  await store.createWorkspace({ name: "shop", settings: validateSettings({}) });
  await store.createWorkspace({ name: "blog", settings: validateSettings({ locale: "fr" }) });
  app = await buildApp({ store });
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a sextant command in this process, on the test's store (as `sextant serve` runs forwarded ones). */
async function sextant(...args: string[]): Promise<{ code: number; lines: string[]; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["node", "sextant", ...args], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    store,
  });
  return { code, lines: stdout.trim().split("\n"), stderr };
}

async function signIn(username: string, password: string): Promise<string | null> {
  const form = await app.inject({ method: "GET", url: "/login" });
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
  const loginCookie = String(form.headers["set-cookie"]).split(";")[0];
  const response = await app.inject({
    method: "POST",
    url: "/login",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: loginCookie },
    payload: new URLSearchParams({ username, password, csrf, next: "/campaigns" }).toString(),
  });
  if (response.statusCode !== 303) return null;
  expect(response.headers.location).toBe("/campaigns");
  const cookies = [response.headers["set-cookie"]].flat().map(String);
  const session = cookies.find((c) => c.startsWith("sx_session="));
  expect(session).toMatch(/HttpOnly/);
  expect(session).toMatch(/SameSite=Lax/);
  return session?.split(";")[0] ?? null;
}

describe("viewers and share links", () => {
  it("adds a viewer of one workspace, who reads it and nothing else", async () => {
    const added = await sextant("users", "add", "alice", "--workspace", "shop");
    expect(added.code).toBe(0);
    const password = added.lines.at(-1) ?? "";
    expect(password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await signIn("alice", "not her password")).toBeNull();
    const cookie = await signIn("alice", password);
    if (!cookie) throw new Error("alice could not sign in");
    const session = (await app.inject({ method: "GET", url: "/api/v1/session", headers: { cookie } })).json();
    expect(session).toMatchObject({ user: "alice", role: "viewer" });
    expect(session.workspaces.map((w: { name: string }) => w.name)).toEqual(["shop"]);
    const get = (url: string) => app.inject({ method: "GET", url, headers: { cookie } });
    expect((await get("/api/v1/kpis?workspace=shop&kpis=visitors")).statusCode).toBe(200);
    expect((await get("/api/v1/kpis?workspace=blog&kpis=visitors")).statusCode).toBe(403);
    expect((await get("/api/v1/workspaces/blog")).statusCode).toBe(403);
    expect((await get("/api/v1/workspaces")).json().workspaces.map((w: { name: string }) => w.name)).toEqual([
      "shop",
    ]);
    expect((await sextant("users", "list", "--format", "json")).lines.join("\n")).toContain('"alice"');
    expect((await sextant("users", "remove", "alice")).code).toBe(0);
    expect((await get("/api/v1/kpis?workspace=shop&kpis=visitors")).statusCode).toBe(401);
  });

  it("creates a share link that prints alone on the last line, reads one workspace, and stops when revoked", async () => {
    const created = await sextant(
      "share",
      "create",
      "--workspace",
      "blog",
      "--expires",
      "2d",
      "--base-url",
      "https://kpi.example.com/",
    );
    expect(created.code).toBe(0);
    const link = created.lines.at(-1) ?? "";
    expect(link).toMatch(/^https:\/\/kpi\.example\.com\/share\/[A-Za-z0-9_-]{30,}$/);
    const path = new URL(link).pathname;
    const opened = await app.inject({ method: "GET", url: path });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe("/?workspace=blog");
    const cookie = String([opened.headers["set-cookie"]].flat()[0]).split(";")[0] ?? "";
    const get = (url: string) => app.inject({ method: "GET", url, headers: { cookie } });
    expect((await get("/api/v1/session")).json()).toMatchObject({ role: "share", user: null });
    expect((await get("/api/v1/kpis?kpis=visitors")).json().workspace).toBe("blog");
    expect((await get("/api/v1/kpis?workspace=shop")).statusCode).toBe(403);
    const listed = JSON.parse((await sextant("share", "list", "--format", "json")).lines.join("\n"));
    const id = listed.find((l: { workspace: string }) => l.workspace === "blog").id;
    expect((await sextant("share", "revoke", id)).code).toBe(0);
    expect((await get("/api/v1/kpis?kpis=visitors")).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: path })).statusCode).toBe(401);
    expect((await sextant("share", "revoke", id)).code).not.toBe(0);
  });

  it("refuses an expiry it cannot read and a share link to another site's path", async () => {
    const bad = await sextant("share", "create", "--workspace", "shop", "--expires", "soon");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--expires");
    const form = await app.inject({ method: "GET", url: "/login?next=//evil.example/x" });
    expect(form.body).toContain('name="next" value="/"');
  });

  it("limits sign-in attempts from one address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await app.inject({
        method: "POST",
        url: "/login",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "username=admin&password=guess",
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toContain(429);
    expect(statuses[0]).toBe(200);
  });
});
