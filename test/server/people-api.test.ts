import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, type KeyKind } from "../../src/model/keys.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import { personHash } from "../../src/people/person.js";
import { buildApp } from "../../src/server/app.js";
import { ensureAdmin } from "../../src/server/dashboard/users.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";

/*
 * GET and DELETE /api/v1/people/{id} and the retention routes, over HTTP as a client does: admin
 * only; an erasure while events stream in loses no acknowledged event of anyone else, and leaves
 * the KPIs of a server that never received the person's events.
 */

interface Side {
  store: DuckdbStore;
  app: FastifyInstance;
  keys: Record<KeyKind, string>;
}

let dir: string;
let erased: Side;
let never: Side;

async function side(name: string): Promise<Side> {
  const store = await DuckdbStore.open(join(dir, `${name}.duckdb`), { threads: 1 });
  await store.createWorkspace({ name: "shop", settings: validateSettings({}) });
  await store.createWorkspace({ name: "other", settings: validateSettings({}) });
  const keys = {} as Record<KeyKind, string>;
  for (const kind of ["read", "write", "admin"] as const) {
    const key = generateKey(kind);
    await store.saveKey({ id: key.id, workspace: "shop", kind, hash: key.hash });
    keys[kind] = key.secret;
  }
  return { store, app: await buildApp({ store }), keys };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sextant-people-api-"));
  erased = await side("erased");
  never = await side("never");
});

afterAll(async () => {
  for (const s of [erased, never]) {
    await s.app.close();
    await s.store.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

let messages = 0;
/** A Segment batch: a page view and a sign-up for each of `people` ({userId?, anonymousId}). */
function batch(people: readonly { userId?: string; anonymousId: string }[], minute: number) {
  return {
    batch: people.flatMap((p) =>
      ["page", "track"].map((type) => ({
        type,
        ...(type === "track" ? { event: "Signed Up" } : { name: "Home" }),
        ...p,
        messageId: `m${++messages}`,
        timestamp: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(),
        context: { page: { url: `https://shop.example/p${minute % 4}?utm_campaign=c${minute % 3}` } },
      })),
    ),
  };
}

async function send(s: Side, body: unknown): Promise<void> {
  const response = await s.app.inject({
    method: "POST",
    url: "/v1/batch",
    headers: { authorization: `Basic ${Buffer.from(`${s.keys.write}:`).toString("base64")}` },
    payload: body as Record<string, unknown>,
  });
  expect(response.statusCode, response.body).toBe(200);
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describe("/api/v1/people/{id}", () => {
  it("is for admins only", async () => {
    for (const method of ["GET", "DELETE"] as const) {
      const anonymous = await erased.app.inject({ method, url: "/api/v1/people/u1" });
      expect(anonymous.statusCode).toBe(401);
      for (const kind of ["read", "write"] as const) {
        const response = await erased.app.inject({
          method,
          url: "/api/v1/people/u1",
          headers: bearer(erased.keys[kind]),
        });
        expect(response.statusCode, `${method} with a ${kind} key`).toBe(403);
      }
      const elsewhere = await erased.app.inject({
        method,
        url: "/api/v1/people/u1?workspace=other",
        headers: bearer(erased.keys.admin),
      });
      expect(elsewhere.statusCode).toBe(403);
    }
  });

  it("shows a person, then erases them while events stream in, losing no one else's", async () => {
    const person = { userId: "u1", anonymousId: "a1" };
    // The person, and two others, before; the same others only on the server that never had u1.
    for (let minute = 0; minute < 6; minute++) {
      const others = [
        { anonymousId: `x${minute % 2}` },
        { userId: `u${10 + minute}`, anonymousId: `y${minute}` },
      ];
      await send(erased, batch([person, ...others], minute));
      await send(never, batch(others, minute));
    }
    const shown = await erased.app.inject({
      method: "GET",
      url: "/api/v1/people/u1",
      headers: bearer(erased.keys.admin),
    });
    expect(shown.statusCode).toBe(200);
    const body = shown.json() as {
      id: string;
      ids: string[];
      events: { user_id: string }[];
      orders: unknown[];
    };
    expect(body).toMatchObject({ id: "u1", ids: ["a1", "u1"] });
    expect(body.events).toHaveLength(12);
    expect(body.events.every((e) => e.user_id === "u1")).toBe(true);
    // Derived tables are current before the erasure (the incremental path).
    await erased.app.inject({ method: "GET", url: "/api/v1/kpis", headers: bearer(erased.keys.read) });

    // Others' events stream in while the erasure runs; each is acknowledged (200) before the check.
    const streamed: Promise<void>[] = [];
    let erasure: Promise<{ statusCode: number; body: string }> | null = null;
    for (let i = 0; i < 40; i++) {
      const others = [{ anonymousId: `s${i % 7}` }, { userId: `w${i % 5}`, anonymousId: `z${i}` }];
      const body = batch(others, 10 + (i % 30));
      streamed.push(send(erased, body), send(never, body));
      if (i === 15) {
        erasure = erased.app.inject({
          method: "DELETE",
          url: "/api/v1/people/u1",
          headers: bearer(erased.keys.admin),
        });
      }
      if (i % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(streamed);
    const response = await erasure;
    expect(response?.statusCode, response?.body).toBe(200);
    const record = JSON.parse(response?.body ?? "{}");
    expect(record).toMatchObject({
      kind: "erasure",
      idHash: personHash("shop", "u1"),
      rows: { events: 12, orders: 0 },
    });
    expect(response?.body).not.toContain('"u1"');

    // Every acknowledged event of the others is stored, on both servers alike, and u1's are gone.
    expect((await erased.store.countRows("shop")).events).toBe((await never.store.countRows("shop")).events);
    expect((await erased.store.countRows("shop")).events).toBe(6 * 4 + 40 * 4);
    const after = await erased.app.inject({
      method: "GET",
      url: "/api/v1/people/u1",
      headers: bearer(erased.keys.admin),
    });
    expect(after.json()).toMatchObject({ events: [], orders: [] });
    const anonymous = await erased.app.inject({
      method: "GET",
      url: "/api/v1/people/a1",
      headers: bearer(erased.keys.admin),
    });
    expect(anonymous.json()).toMatchObject({ events: [], orders: [] });

    for (const query of [
      "kpis=visitors,sessions,pageviews,bounce_rate,conversions,converted_visitors,leads&from=2026-03-01&to=2026-03-01",
      "kpis=visitors,sessions,conversion_rate&from=2026-02-20&to=2026-03-05&interval=day",
      "kpis=visitors,sessions,pageviews&from=2026-03-01&to=2026-03-01&group_by=campaign,landing_page",
    ]) {
      const got = await erased.app.inject({
        method: "GET",
        url: `/api/v1/kpis?${query}`,
        headers: bearer(erased.keys.read),
      });
      const want = await never.app.inject({
        method: "GET",
        url: `/api/v1/kpis?${query}`,
        headers: bearer(never.keys.read),
      });
      expect(got.statusCode).toBe(200);
      expect(got.json(), query).toEqual(want.json());
    }
  });
});

describe("/api/v1/people/{id} from the dashboard", () => {
  it("lets an admin's session erase, with the page's CSRF token only", async () => {
    const admin = await ensureAdmin(never.store, "a long admin password 1");
    if (!admin) throw new Error("no admin was made");
    const form = await never.app.inject({ method: "GET", url: "/login" });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
    const login = await never.app.inject({
      method: "POST",
      url: "/login",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: String(form.headers["set-cookie"]).split(";")[0],
      },
      payload: new URLSearchParams({
        username: "admin",
        password: admin.password,
        csrf,
        next: "/",
      }).toString(),
    });
    expect(login.statusCode).toBe(303);
    const cookie =
      [login.headers["set-cookie"]]
        .flat()
        .map(String)
        .find((c) => c.startsWith("sx_session="))
        ?.split(";")[0] ?? "";
    const session = (
      await never.app.inject({ method: "GET", url: "/api/v1/session", headers: { cookie } })
    ).json();
    await send(never, batch([{ userId: "u9", anonymousId: "a9" }], 50));
    const url = "/api/v1/people/u9?workspace=shop";
    expect((await never.app.inject({ method: "GET", url, headers: { cookie } })).json().events).toHaveLength(
      2,
    );
    const forged = await never.app.inject({ method: "DELETE", url, headers: { cookie } });
    expect(forged.statusCode).toBe(403);
    const erasedBySession = await never.app.inject({
      method: "DELETE",
      url,
      headers: { cookie, "x-csrf-token": session.csrf },
    });
    expect(erasedBySession.statusCode, erasedBySession.body).toBe(200);
    expect(erasedBySession.json().rows.events).toBe(2);
  });
});

describe("/api/v1/retention", () => {
  it("sets retention_days and applies it, admin only", async () => {
    const refused = await erased.app.inject({
      method: "PUT",
      url: "/api/v1/retention",
      headers: bearer(erased.keys.read),
      payload: { retention_days: 30 },
    });
    expect(refused.statusCode).toBe(403);
    const bad = await erased.app.inject({
      method: "PUT",
      url: "/api/v1/retention",
      headers: bearer(erased.keys.admin),
      payload: { retention_days: 0 },
    });
    expect(bad.statusCode).toBe(400);
    const set = await erased.app.inject({
      method: "PUT",
      url: "/api/v1/retention",
      headers: bearer(erased.keys.admin),
      payload: { retention_days: 30 },
    });
    expect(set.json()).toEqual({ workspace: "shop", retention_days: 30 });
    expect(
      (await erased.store.listWorkspaces()).find((w) => w.name === "shop")?.settings.retention_days,
    ).toBe(30);
    // Every event is from March 2026, long before today minus 30 days.
    const applied = await erased.app.inject({
      method: "POST",
      url: "/api/v1/retention/apply",
      headers: bearer(erased.keys.admin),
    });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({
      workspace: "shop",
      removal: { kind: "retention", rows: { events: 184 } },
    });
    expect((await erased.store.countRows("shop")).events).toBe(0);
    expect((await erased.store.listErasures("shop")).map((r) => r.kind)).toEqual(["erasure", "retention"]);
  });
});
