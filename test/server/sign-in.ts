import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { runCli } from "../../src/cli/run.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { type AppOptions, buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { Store } from "../../src/store/store.js";

const TEST_TMP = process.env.SEXTANT_TEST_TMP ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());

/** A clock the test moves by hand. */
export class TestClock {
  at = Date.parse("2026-03-02T09:00:00Z");
  readonly now = (): number => this.at;
  advance(ms: number): void {
    this.at += ms;
  }
}

/** A temporary DuckDB store with a workspace "shop", for servers built over it. */
export async function tempStore(): Promise<{ store: Store; close(): Promise<void> }> {
  const dir = mkdtempSync(join(TEST_TMP, "sextant-auth-"));
  const store = await DuckdbStore.open(join(dir, "s.duckdb"), { threads: 1 });
  await store.createWorkspace({ name: "shop", settings: validateSettings({}) });
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A server over a store, with a hand-moved clock unless one is given. */
export function serverOver(store: Store, options: Omit<AppOptions, "store"> = {}): Promise<FastifyInstance> {
  return buildApp({ store, ...options });
}

/** Runs a sextant command in this process on the store; returns its exit code and output. */
export async function sextant(
  store: Store,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
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
  return { code, stdout, stderr };
}

export interface ClientOptions {
  /** The socket's peer address (app.inject's default is 127.0.0.1). */
  readonly remoteAddress?: string;
  readonly headers?: Record<string, string>;
}

/** The cookies a response sets, as `name=value` pairs by name, with their attributes. */
export function setCookies(response: LightMyRequestResponse): Map<string, string> {
  const all = [response.headers["set-cookie"] ?? []].flat().map(String);
  return new Map(all.map((c) => [c.slice(0, c.indexOf("=")), c]));
}

/** Posts the sign-in form as a browser would (GET /login for its token first); returns the answer. */
export async function postLogin(
  app: FastifyInstance,
  form: { username: string; password: string; next?: string },
  client: ClientOptions = {},
): Promise<LightMyRequestResponse> {
  const page = await app.inject({
    method: "GET",
    url: "/login",
    headers: client.headers ?? {},
    ...(client.remoteAddress ? { remoteAddress: client.remoteAddress } : {}),
  });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
  const loginCookie = [...setCookies(page).values()][0]?.split(";")[0] ?? "";
  return app.inject({
    method: "POST",
    url: "/login",
    headers: {
      ...client.headers,
      "content-type": "application/x-www-form-urlencoded",
      cookie: loginCookie,
    },
    ...(client.remoteAddress ? { remoteAddress: client.remoteAddress } : {}),
    payload: new URLSearchParams({ next: "/", ...form, csrf }).toString(),
  });
}

/** Signs in; returns the session cookie (`name=value`), or null when sign-in failed. */
export async function signIn(
  app: FastifyInstance,
  username: string,
  password: string,
  client: ClientOptions = {},
): Promise<string | null> {
  const response = await postLogin(app, { username, password }, client);
  if (response.statusCode !== 303) return null;
  const session = [...setCookies(response).entries()].find(([name]) => name.endsWith("sx_session"));
  return session?.[1].split(";")[0] ?? null;
}

/** GET /api/v1/session with a cookie: the user name, or the status when not signed in. */
export async function whoAmI(app: FastifyInstance, cookie: string): Promise<string | number> {
  const response = await app.inject({ method: "GET", url: "/api/v1/session", headers: { cookie } });
  return response.statusCode === 200 ? String(response.json().user) : response.statusCode;
}
