import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { generateKey, type KeyKind } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { buildApp } from "../../src/server/app.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";

/** A workspace of the test server with its own keys (secrets and ids). */
export interface TestWorkspace {
  readonly name: string;
  readonly domains: readonly string[];
  readonly write: string;
  readonly read: string;
  readonly writeId: string;
  readonly readId: string;
  readonly writeHash: string;
  readonly readHash: string;
  /** An admin key: the keys listing and the definitions are for administrators only. */
  readonly admin: string;
  readonly adminId: string;
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly store: DuckdbStore;
  /** `http://127.0.0.1:PORT`, or "" when the server does not listen on a socket. */
  readonly url: string;
  readonly workspaces: Readonly<Record<string, TestWorkspace>>;
  ws(name: string): TestWorkspace;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly workspaces: readonly { name: string; domains?: readonly string[] }[];
  readonly rateLimit?: number;
  /** Listen on 127.0.0.1 with a random port so that real clients can connect (default true). */
  readonly listen?: boolean;
}

/**
 * Where the temporary stores live: memory-backed /dev/shm when there is one, so that the many
 * small commits of these tests do not wait on disk syncs (SEXTANT_TEST_TMP overrides).
 */
const TEST_TMP = process.env.SEXTANT_TEST_TMP ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());

async function addKey(store: DuckdbStore, workspace: string, kind: KeyKind) {
  const key = generateKey(kind);
  await store.saveKey({ id: key.id, workspace, kind, hash: key.hash });
  return key;
}

/**
 * A temporary DuckDB store with the given workspaces (one write and one read key each) and a
 * server over it. Workspaces are created before the server starts: the server caches the list of
 * workspaces for a few seconds.
 */
export async function startServer(options: ServerOptions): Promise<TestServer> {
  const dir = mkdtempSync(join(TEST_TMP, "sextant-ingest-"));
  // One DuckDB thread: these stores are tiny, and the suite runs two files at a time on two cores.
  const store = await DuckdbStore.open(join(dir, "s.duckdb"), { threads: 1 });
  const workspaces: Record<string, TestWorkspace> = {};
  for (const { name, domains = [] } of options.workspaces) {
    await store.createWorkspace({ name, settings: validateSettings({ domains: [...domains] }) });
    const write = await addKey(store, name, "write");
    const read = await addKey(store, name, "read");
    const admin = await addKey(store, name, "admin");
    workspaces[name] = {
      name,
      domains,
      write: write.secret,
      read: read.secret,
      writeId: write.id,
      readId: read.id,
      writeHash: write.hash,
      readHash: read.hash,
      admin: admin.secret,
      adminId: admin.id,
    };
  }
  const app = await buildApp({
    store,
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
  });
  let url = "";
  if (options.listen ?? true) {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no TCP address");
    url = `http://127.0.0.1:${address.port}`;
  } else {
    await app.ready();
  }
  return {
    app,
    store,
    url,
    workspaces,
    ws(name) {
      const found = workspaces[name];
      if (!found) throw new Error(`no test workspace ${name}`);
      return found;
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Segment's HTTP Basic header: the write key as user name, an empty password. */
export function basic(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
}

export function bearer(key: string): string {
  return `Bearer ${key}`;
}

export type KpiResponse = {
  workspace: string;
  from: string;
  to: string;
  rows: Record<string, string | number | null>[];
  totals: Record<string, number | null>;
};

export const COUNT_KPIS = ["pageviews", "conversions", "orders", "revenue", "visitors"] as const;

/** GET /api/v1/kpis with the workspace's read key, as a user would; fails the test unless 200. */
export async function kpis(
  server: TestServer,
  workspace: string,
  query: Record<string, string | string[]> = {},
): Promise<KpiResponse> {
  const params = new URLSearchParams();
  params.set("kpis", COUNT_KPIS.join(","));
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) {
      params.delete(name);
      for (const v of value) params.append(name, v);
    } else params.set(name, value);
  }
  const response = await server.app.inject({
    method: "GET",
    url: `/api/v1/kpis?${params.toString()}`,
    headers: { authorization: bearer(server.ws(workspace).read) },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as KpiResponse;
}

/** The totals of the count KPIs (pageviews, conversions, orders, revenue, visitors). */
export async function totals(
  server: TestServer,
  workspace: string,
  query: Record<string, string | string[]> = {},
) {
  return (await kpis(server, workspace, query)).totals;
}

/** Raw rows stored for a workspace (every event, including identify/group/alias calls). */
export async function storedEvents(server: TestServer, workspace?: string): Promise<number> {
  return (await server.store.countRows(workspace)).events;
}

/** Asserts docs/sending-events.md#what-happens-to-an-event's error shape: a JSON `{error, details: [{field, reason}]}` naming `field`. */
export function expectError(
  response: LightMyRequestResponse | { status: number; body: unknown },
  status: number,
  field?: string | RegExp,
) {
  const actualStatus = "statusCode" in response ? response.statusCode : response.status;
  const body = "statusCode" in response ? safeJson(response.body) : response.body;
  expect(actualStatus, JSON.stringify(body)).toBe(status);
  expect(body, "the body is a JSON object").toBeTypeOf("object");
  const error = body as { error?: unknown; details?: unknown };
  expect(typeof error.error, `error is a sentence: ${JSON.stringify(body)}`).toBe("string");
  expect(String(error.error).length).toBeGreaterThan(0);
  expect(Array.isArray(error.details), `details is an array: ${JSON.stringify(body)}`).toBe(true);
  if (field !== undefined) {
    const details = error.details as { field?: unknown; reason?: unknown }[];
    const fields = details.map((d) => d.field);
    const matches = (f: unknown) =>
      typeof f === "string" && (typeof field === "string" ? f === field : field.test(f));
    expect(fields.some(matches), `details name ${String(field)}: ${JSON.stringify(body)}`).toBe(true);
    for (const detail of details) expect(typeof detail.reason, JSON.stringify(detail)).toBe("string");
  }
  return error as { error: string; details: { field?: string; reason: string }[] };
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The value of a Prometheus sample (summed over samples matching every given label). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[3] ?? "";
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) {
      sum += Number(match[4]);
      found = true;
    }
  }
  return found ? sum : 0;
}

export async function metrics(server: TestServer): Promise<string> {
  const response = await server.app.inject({ method: "GET", url: "/metrics" });
  expect(response.statusCode).toBe(200);
  return response.body;
}

/** A UTC calendar day, `YYYY-MM-DD`. */
export function day(time: number | Date): string {
  return new Date(time).toISOString().slice(0, 10);
}

export const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
export const DESKTOP_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
export const MAC_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
export const GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
