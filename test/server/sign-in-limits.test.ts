import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { postLogin, serverOver, sextant, signIn, TestClock, tempStore } from "./sign-in.js";

let temp: { store: Store; close(): Promise<void> };
let password: string;

beforeAll(async () => {
  temp = await tempStore();
  const added = await sextant(temp.store, "users", "add", "carol", "--workspace", "shop");
  password = added.stdout.trim().split("\n").at(-1) ?? "";
});

afterAll(async () => {
  await temp.close();
});

/** Posts the sign-in form without its token: cheap (no bcrypt), and still counted per address. */
function bareLogin(app: FastifyInstance, remoteAddress: string, forwardedFor?: string) {
  return app.inject({
    method: "POST",
    url: "/login",
    remoteAddress,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
    },
    payload: "username=carol&password=guess",
  });
}

const isRateLimited = (r: LightMyRequestResponse) =>
  r.statusCode === 429 && String(r.json().error).startsWith("Too many requests");

describe("the sign-in limit per address, behind a proxy", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    // A proxy on this machine that appends the client's address (nginx's $proxy_add_x_forwarded_for).
    app = await serverOver(temp.store, { trustProxy: ["loopback"] });
  });
  afterAll(async () => {
    await app.close();
  });

  it("counts the address the proxy appended, not the ones the client wrote before it", async () => {
    const answers: LightMyRequestResponse[] = [];
    for (let i = 0; i < 25; i++)
      answers.push(await bareLogin(app, "127.0.0.1", `198.18.${i}.1, 203.0.113.7`));
    expect(answers.slice(0, 20).some(isRateLimited)).toBe(false);
    expect(answers.slice(20).every(isRateLimited)).toBe(true);
  });

  it("tells apart clients the proxy names", async () => {
    const answers: LightMyRequestResponse[] = [];
    for (let i = 0; i < 25; i++) answers.push(await bareLogin(app, "127.0.0.1", `203.0.114.${i}`));
    expect(answers.some(isRateLimited)).toBe(false);
  });

  it("ignores X-Forwarded-For from a client that is not a trusted proxy", async () => {
    const answers: LightMyRequestResponse[] = [];
    for (let i = 0; i < 25; i++) answers.push(await bareLogin(app, "198.51.100.9", `198.18.${i}.1`));
    expect(answers.slice(20).every(isRateLimited)).toBe(true);
  });
});

describe("the back-off per user name", () => {
  let app: FastifyInstance;
  const clock = new TestClock();
  beforeAll(async () => {
    app = await serverOver(temp.store, { now: clock.now });
  });
  afterAll(async () => {
    await app.close();
  });

  it("stops guesses from rotating addresses, yet lets the real user in once the lock ends", async () => {
    // Five free failures, each from another address (so the limit per address never applies).
    for (let i = 0; i < 5; i++) {
      const r = await postLogin(
        app,
        { username: "carol", password: `guess-${i}` },
        { remoteAddress: `198.18.0.${i}` },
      );
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain("Wrong user name or password.");
    }
    // The sixth locks the name for a minute: later guesses are refused unchecked, the right password too.
    expect(
      (await postLogin(app, { username: "carol", password: "guess-5" }, { remoteAddress: "198.18.0.5" }))
        .statusCode,
    ).toBe(200);
    const locked = await postLogin(app, { username: "carol", password }, { remoteAddress: "198.18.0.6" });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers["retry-after"]).toBe("60");
    expect(locked.body).toContain("Too many failed sign-ins for this user name: try again in 1 minute.");
    // Refused attempts do not lengthen the lock.
    clock.advance(30_000);
    expect(
      (await postLogin(app, { username: "carol", password: "x" }, { remoteAddress: "198.18.0.7" }))
        .statusCode,
    ).toBe(429);
    clock.advance(30_001);
    // The next failure doubles the lock (2 minutes); the real user waits it out, and gets in.
    expect(
      (await postLogin(app, { username: "carol", password: "guess-6" }, { remoteAddress: "198.18.0.8" }))
        .statusCode,
    ).toBe(200);
    const again = await postLogin(app, { username: "carol", password }, { remoteAddress: "198.18.0.9" });
    expect(again.statusCode).toBe(429);
    expect(again.headers["retry-after"]).toBe("120");
    clock.advance(120_001);
    expect(await signIn(app, "carol", password, { remoteAddress: "192.0.2.10" })).toMatch(/^sx_session=/);
    // A successful sign-in resets the count: one more failure is free again.
    expect(
      (await postLogin(app, { username: "carol", password: "guess-7" }, { remoteAddress: "198.18.0.10" }))
        .statusCode,
    ).toBe(200);
    expect(await signIn(app, "carol", password, { remoteAddress: "192.0.2.10" })).toMatch(/^sx_session=/);
  });

  it("counts guesses sent side by side before their passwords are checked", async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        postLogin(app, { username: "burst", password: `guess-${i}` }, { remoteAddress: `198.20.0.${i}` }),
      ),
    );
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
  });

  it("never locks a name for longer than 15 minutes, however many failures", async () => {
    for (let i = 0; i < 12; i++) {
      await postLogin(
        app,
        { username: "nobody", password: `guess-${i}` },
        { remoteAddress: `198.19.0.${i}` },
      );
      clock.advance(16 * 60_000);
    }
    clock.advance(-16 * 60_000);
    const locked = await postLogin(
      app,
      { username: "nobody", password: "x" },
      { remoteAddress: "198.19.1.1" },
    );
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBe(15 * 60);
    // Another name is not affected.
    expect(await signIn(app, "carol", password, { remoteAddress: "198.19.1.2" })).toMatch(/^sx_session=/);
  });
});
