/**
 * Every route of the route table × every kind of caller → the answer its level gives that caller
 * (docs/security.md, section "Who reaches what"). The rows come from src/server/route-table.ts,
 * which the server also reads (a route without a row does not start): a new route is in this
 * matrix the moment it exists.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { generateKey, type KeyKind } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { buildApp } from "../../src/server/app.js";
import { hashPassword } from "../../src/server/dashboard/passwords.js";
import { createShare } from "../../src/server/dashboard/shares.js";
import { saveUser } from "../../src/server/dashboard/users.js";
import { type Access, ROUTES, type RouteRow } from "../../src/server/route-table.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { Store } from "../../src/store/store.js";

const CALLERS = [
  "none",
  "bad key",
  "write key",
  "import key",
  "read key",
  "admin key",
  "other workspace's admin key",
  "viewer session",
  "admin session",
  "share session",
] as const;
type Caller = (typeof CALLERS)[number];

/** Who a level lets through; everyone else gets 401 (no credential it knows) or 403 (the wrong one). */
const ADMITTED: Readonly<Record<Exclude<Access, "public" | "operator">, readonly Caller[]>> = {
  write: ["write key"],
  session: ["viewer session", "admin session", "share session"],
  read: ["read key", "admin key", "viewer session", "admin session", "share session"],
  import: ["import key", "admin key", "admin session"],
  admin: ["admin key", "admin session"],
};

/** 401 for a caller without a credential the level knows, 403 for one it knows but refuses. */
function refusal(level: keyof typeof ADMITTED, caller: Caller): 401 | 403 {
  if (caller === "none" || caller === "bad key") return 401;
  const isKey = caller.endsWith("key");
  if (level === "write") return isKey ? 403 : 401;
  if (level === "session") return 401;
  return 403;
}

let dir: string;
let store: Store;
let app: FastifyInstance;
const headersOf = new Map<Caller, Record<string, string>>();
const csrfOf = new Map<Caller, string>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-matrix-"));
  store = await DuckdbStore.open(join(dir, "s.duckdb"), { threads: 1 });
  for (const name of ["shop", "other"]) await store.createWorkspace({ name, settings: validateSettings({}) });
  app = await buildApp({
    store,
    admin: { token: "operator-token-of-this-test", runCli: (argv, io) => runCli(argv, { ...io, store }) },
  });
  const key = async (workspace: string, kind: KeyKind) => {
    const made = generateKey(kind);
    await store.saveKey({ id: made.id, workspace, kind, hash: made.hash });
    return made.secret;
  };
  headersOf.set("none", {});
  headersOf.set("bad key", { authorization: "Bearer sxa_made-up-key-that-was-never-issued" });
  headersOf.set("write key", {
    authorization: `Basic ${Buffer.from(`${await key("shop", "write")}:`).toString("base64")}`,
  });
  for (const kind of ["import", "read", "admin"] as const)
    headersOf.set(`${kind} key`, { authorization: `Bearer ${await key("shop", kind)}` });
  headersOf.set("other workspace's admin key", { authorization: `Bearer ${await key("other", "admin")}` });

  const password = "a long enough password for the matrix";
  for (const [name, role] of [
    ["viewer", "viewer"],
    ["boss", "admin"],
  ] as const) {
    await saveUser(store, {
      name,
      role,
      workspaces: ["shop"],
      hash: await hashPassword(password),
      createdAt: new Date().toISOString(),
    });
  }
  headersOf.set("viewer session", { cookie: await signIn("viewer", password) });
  headersOf.set("admin session", { cookie: await signIn("boss", password) });
  const { token } = await createShare(store, "shop", 86_400_000);
  const opened = await app.inject({ method: "GET", url: `/share/${token}` });
  expect(opened.statusCode).toBe(303);
  headersOf.set("share session", { cookie: cookieOf(opened.headers["set-cookie"]) });
  for (const caller of ["viewer session", "admin session", "share session"] as const) {
    const session = await app.inject({
      method: "GET",
      url: "/api/v1/session",
      headers: headersOf.get(caller),
    });
    csrfOf.set(caller, session.json().csrf);
  }
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function cookieOf(header: string | string[] | number | undefined): string {
  const cookies = [header].flat().map(String);
  const session = cookies.find((c) => /^(__Host-)?sx_session=/.test(c));
  if (!session) throw new Error(`no session cookie in ${cookies.join(" | ")}`);
  return session.split(";")[0] ?? "";
}

async function signIn(username: string, password: string): Promise<string> {
  const form = await app.inject({ method: "GET", url: "/login" });
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
  const response = await app.inject({
    method: "POST",
    url: "/login",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: String([form.headers["set-cookie"]].flat()[0]).split(";")[0] ?? "",
    },
    payload: new URLSearchParams({ username, password, csrf, next: "/" }).toString(),
  });
  expect(response.statusCode, response.body).toBe(303);
  return cookieOf(response.headers["set-cookie"]);
}

/** A request to a route as a caller: the workspace `shop` named, path parameters filled in. */
function call(route: RouteRow, caller: Caller, extra: { csrf?: boolean; remoteAddress?: string } = {}) {
  const path = route.path
    .replace(":name", "shop")
    .replace(":token", "not-a-share-token")
    .replace(":file", "none.js")
    .replace(/:\w+/g, "missing");
  const headers: Record<string, string> = { ...headersOf.get(caller) };
  const csrf = csrfOf.get(caller);
  if (csrf && extra.csrf !== false && route.method !== "GET") headers["x-csrf-token"] = csrf;
  const body = route.method === "GET" ? undefined : { workspace: "shop" };
  return app.inject({
    method: route.method,
    url: `${path}?workspace=shop`,
    headers,
    ...(body ? { payload: body } : {}),
    ...(extra.remoteAddress ? { remoteAddress: extra.remoteAddress } : {}),
  });
}

describe("the principal matrix: every route × every caller", () => {
  it("has a row for every route the server registered, and the server has every row", async () => {
    for (const route of ROUTES) {
      expect(app.hasRoute({ method: route.method, url: route.path }), `${route.method} ${route.path}`).toBe(
        true,
      );
    }
  });

  for (const route of ROUTES) {
    const name = `${route.method} ${route.path}`;
    const level = route.access;
    if (level === "public") {
      it(`${name} (public) answers every caller without a server error`, async () => {
        for (const caller of CALLERS) {
          // Without the CSRF token: POST /logout with it would end the sessions the matrix uses.
          const response = await call(route, caller, { csrf: false });
          expect(response.statusCode, `${caller}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
        }
      });
      continue;
    }
    if (level === "operator") {
      it(`${name} (operator) refuses every caller from another machine, whatever it forwards`, async () => {
        for (const caller of CALLERS) {
          const response = await app.inject({
            method: route.method,
            url: route.path,
            headers: { ...headersOf.get(caller), "x-forwarded-for": "127.0.0.1" },
            remoteAddress: "203.0.113.7",
            ...(route.method === "GET" ? {} : { payload: { args: ["workspace", "list"], cwd: "/" } }),
          });
          expect(response.statusCode, caller).toBe(403);
        }
      });
      continue;
    }
    it(`${name} (${level}) admits ${ADMITTED[level].join(", ")} and refuses the rest`, async () => {
      for (const caller of CALLERS) {
        const response = await call(route, caller);
        const status = response.statusCode;
        if (ADMITTED[level].includes(caller)) {
          expect([401, 403], `${caller} is admitted: ${status} ${response.body.slice(0, 200)}`).not.toContain(
            status,
          );
          expect(status, `${caller}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
        } else if (caller === "other workspace's admin key" && level !== "write" && level !== "session") {
          // Naming a workspace the key does not belong to is refused, on every route.
          expect(status, `${caller}: ${response.body.slice(0, 200)}`).toBe(403);
          expect(response.json().details[0].field).toBe("workspace");
        } else {
          expect(status, `${caller}: ${response.body.slice(0, 200)}`).toBe(refusal(level, caller));
          expect(response.json().error, caller).toMatch(/\.$/);
        }
      }
    });
    if (route.method !== "GET" && level !== "write") {
      it(`${name}: a session without the page's CSRF token is refused`, async () => {
        for (const caller of ADMITTED[level].filter((c) => c.endsWith("session"))) {
          const response = await call(route, caller, { csrf: false });
          expect(response.statusCode, caller).toBe(403);
          expect(response.json().details[0].field).toBe("x-csrf-token");
        }
      });
    }
  }

  it("a share link reads its workspace's data but none of the secrets", async () => {
    const get = (url: string) => app.inject({ method: "GET", url, headers: headersOf.get("share session") });
    expect((await get("/api/v1/kpis?kpis=visitors")).statusCode).toBe(200);
    for (const url of [
      "/api/v1/config",
      "/api/v1/workspaces/shop/keys",
      "/api/v1/reports/schedules",
      "/api/v1/reports/history",
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error).toMatch(/read-only|administrator|needs/);
    }
  });
});
