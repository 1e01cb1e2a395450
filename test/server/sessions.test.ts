import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import {
  postLogin,
  serverOver,
  setCookies,
  sextant,
  signIn,
  TestClock,
  tempStore,
  whoAmI,
} from "./sign-in.js";

let temp: { store: Store; close(): Promise<void> };
let app: FastifyInstance;
const clock = new TestClock();

beforeAll(async () => {
  temp = await tempStore();
  app = await serverOver(temp.store, { now: clock.now });
});

afterAll(async () => {
  await app.close();
  await temp.close();
});

async function addViewer(name: string): Promise<string> {
  const added = await sextant(temp.store, "users", "add", name, "--workspace", "shop");
  expect(added.code).toBe(0);
  return added.stdout.trim().split("\n").at(-1) ?? "";
}

async function mustSignIn(target: FastifyInstance, name: string, password: string): Promise<string> {
  const cookie = await signIn(target, name, password);
  if (!cookie) throw new Error(`${name} could not sign in`);
  return cookie;
}

describe("dashboard sessions", () => {
  it("end when the user's password changes, on every open session", async () => {
    const password = await addViewer("dora");
    const first = await mustSignIn(app, "dora", password);
    const second = await mustSignIn(app, "dora", password);
    expect(await whoAmI(app, first)).toBe("dora");
    const changed = await sextant(temp.store, "users", "add", "dora", "--password", "a new long secret");
    expect(changed.code).toBe(0);
    expect(await whoAmI(app, first)).toBe(401);
    expect(await whoAmI(app, second)).toBe(401);
    expect(await signIn(app, "dora", password)).toBeNull();
    expect(await whoAmI(app, await mustSignIn(app, "dora", "a new long secret"))).toBe("dora");
  });

  it("end after 30 minutes without a request, and last while used", async () => {
    const password = await addViewer("emil");
    const cookie = await mustSignIn(app, "emil", password);
    // Used every 20 minutes for an hour: still signed in.
    for (let i = 0; i < 3; i++) {
      clock.advance(20 * 60_000);
      expect(await whoAmI(app, cookie)).toBe("emil");
    }
    clock.advance(30 * 60_000);
    expect(await whoAmI(app, cookie)).toBe(401);
    // Dead for good: being used again does not revive it.
    expect(await whoAmI(app, cookie)).toBe(401);
  });

  it("end 12 hours after sign-in however busy", async () => {
    const password = await addViewer("fern");
    const cookie = await mustSignIn(app, "fern", password);
    // A request every 20 minutes for 11 h 40 min: still signed in.
    for (let i = 0; i < 35; i++) {
      clock.advance(20 * 60_000);
      expect(await whoAmI(app, cookie)).toBe("fern");
    }
    clock.advance(20 * 60_000);
    expect(await whoAmI(app, cookie)).toBe(401);
  });

  it("set a cookie that lasts as long as the session may", async () => {
    const password = await addViewer("gus");
    const response = await postLogin(app, { username: "gus", password });
    expect(setCookies(response).get("sx_session")).toMatch(/Max-Age=43200(;|$)/);
  });

  it("take the serve options for their lifetimes", async () => {
    const short = await serverOver(temp.store, {
      now: clock.now,
      sessions: { idleMs: 5 * 60_000, absoluteMs: 3_600_000 },
    });
    try {
      const password = await addViewer("hana");
      const cookie = await mustSignIn(short, "hana", password);
      clock.advance(4 * 60_000);
      expect(await whoAmI(short, cookie)).toBe("hana");
      clock.advance(5 * 60_000);
      expect(await whoAmI(short, cookie)).toBe(401);
      // A shorter lifetime applies to a session opened under a longer one.
      const opened = await mustSignIn(app, "hana", password);
      clock.advance(6 * 60_000);
      expect(await whoAmI(short, opened)).toBe(401);
    } finally {
      await short.close();
    }
  });

  it("signed out on one server are refused by another server of the same store within seconds", async () => {
    const other = await serverOver(temp.store, { now: clock.now });
    try {
      const password = await addViewer("ines");
      const cookie = await mustSignIn(app, "ines", password);
      expect(await whoAmI(other, cookie)).toBe("ines");
      const csrf = (await app.inject({ method: "GET", url: "/api/v1/session", headers: { cookie } })).json()
        .csrf;
      const out = await app.inject({
        method: "POST",
        url: "/logout",
        headers: { cookie, "x-csrf-token": csrf },
      });
      expect(out.statusCode).toBe(303);
      expect(await whoAmI(app, cookie)).toBe(401);
      // The other server's copy of the sessions lasts a few seconds, then it reads the store again.
      clock.advance(5_001);
      expect(await whoAmI(other, cookie)).toBe(401);
    } finally {
      await other.close();
    }
  });
});
