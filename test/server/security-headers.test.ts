import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/model/keys.js";
import { REPORT_CONTENT_SECURITY_POLICY } from "../../src/server/security-headers.js";
import type { Store } from "../../src/store/store.js";
import { postLogin, serverOver, setCookies, sextant, signIn, tempStore, whoAmI } from "./sign-in.js";

let temp: { store: Store; close(): Promise<void> };
let app: FastifyInstance;
let password: string;
let cookie: string;

beforeAll(async () => {
  temp = await tempStore();
  // A proxy on this machine; its X-Forwarded-Proto says whether the browser used https.
  app = await serverOver(temp.store, {
    trustProxy: ["loopback"],
    admin: { token: "t".repeat(43), runCli: async () => 0 },
  });
  password = (await sextant(temp.store, "users", "add", "jo", "--workspace", "shop")).stdout
    .trim()
    .split("\n")
    .at(-1) as string;
  cookie = (await signIn(app, "jo", password)) ?? "";
});

afterAll(async () => {
  await app.close();
  await temp.close();
});

describe("sign-in redirects", () => {
  const hostile = [
    "/\t/evil.invalid/x",
    "//evil.invalid/x",
    "/\\evil.invalid/x",
    "/\\/evil.invalid",
    "https://evil.invalid/x",
    "/\n/evil.invalid",
    "/\r\nset-cookie: x=1",
    "javascript:alert(1)",
    "evil.invalid",
    "",
  ];

  it.each(hostile)("send a signed-in browser home for next=%j", async (next) => {
    const response = await app.inject({
      method: "GET",
      url: `/login?next=${encodeURIComponent(next)}`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/");
  });

  it.each(hostile)("put / in the form for next=%j, and after sign-in go there", async (next) => {
    const form = await app.inject({ method: "GET", url: `/login?next=${encodeURIComponent(next)}` });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="next" value="/"');
    const posted = await postLogin(app, { username: "jo", password, next });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe("/");
  });

  it("answer the raw hostile query strings of the finding without a 500", async () => {
    for (const query of ["next=/%09/evil.invalid/x", "next=/%0A", "next=/%0D%0Ax:1", "next=a&next=b"]) {
      const response = await app.inject({ method: "GET", url: `/login?${query}`, headers: { cookie } });
      expect(response.statusCode, query).toBe(303);
      expect(response.headers.location, query).toBe("/");
    }
  });

  it("keep the path and query of this site", async () => {
    const response = await app.inject({
      method: "GET",
      url: `/login?next=${encodeURIComponent("/campaigns?range=7d&x=%2F#top")}`,
      headers: { cookie },
    });
    expect(response.headers.location).toBe("/campaigns?range=7d&x=%2F");
  });
});

describe("headers on every response", () => {
  it("say nosniff on a 404, an error, JSON and a page", async () => {
    for (const url of ["/no-such-route", "/api/v1/session", "/healthz", "/login", "/api/v1/kpis"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
    }
    expect((await app.inject({ method: "GET", url: "/no-such-route" })).statusCode).toBe(404);
  });

  it("send no HSTS by default, and one year with --hsts", async () => {
    expect((await app.inject({ method: "GET", url: "/healthz" })).headers["strict-transport-security"]).toBe(
      undefined,
    );
    const hsts = await serverOver(temp.store, { hstsMaxAgeSeconds: 31_536_000 });
    try {
      for (const url of ["/healthz", "/no-such-route"]) {
        expect((await hsts.inject({ method: "GET", url })).headers["strict-transport-security"], url).toBe(
          "max-age=31536000; includeSubDomains",
        );
      }
    } finally {
      await hsts.close();
    }
  });

  it("serve HTML reports in a sandbox, and other formats without one", async () => {
    const key = generateKey("read");
    await temp.store.saveKey({ id: key.id, workspace: "shop", kind: "read", hash: key.hash });
    const get = (format: string) =>
      app.inject({
        method: "GET",
        url: `/api/v1/reports/periodic?period=month&as_of=2026-04-30&format=${format}`,
        headers: { authorization: `Bearer ${key.secret}` },
      });
    const html = await get("html");
    expect(html.statusCode).toBe(200);
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.headers["content-security-policy"]).toBe(REPORT_CONTENT_SECURITY_POLICY);
    expect(REPORT_CONTENT_SECURITY_POLICY).toMatch(/^sandbox; default-src 'none'; style-src 'unsafe-inline'/);
    const csv = await get("csv");
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-security-policy"]).toBe(undefined);
  });
});

describe("cookies over https", () => {
  const https = { "x-forwarded-proto": "https" };

  it("carry the __Host- prefix, Secure and Path=/, and no Domain", async () => {
    const response = await postLogin(app, { username: "jo", password }, { headers: https });
    expect(response.statusCode).toBe(303);
    const session = setCookies(response).get("__Host-sx_session") ?? "";
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/Domain=/i);
    expect(setCookies(response).has("sx_session")).toBe(false);
    const secureCookie = session.split(";")[0] ?? "";
    const read = await app.inject({
      method: "GET",
      url: "/api/v1/session",
      headers: { ...https, cookie: secureCookie },
    });
    expect(read.json().user).toBe("jo");
  });

  it("ignore a session cookie without the prefix (one a sibling site or plain http could plant)", async () => {
    const planted = await app.inject({
      method: "GET",
      url: "/api/v1/session",
      headers: { ...https, cookie },
    });
    expect(planted.statusCode).toBe(401);
    expect(await whoAmI(app, cookie)).toBe("jo");
  });
});

describe("/metrics", () => {
  const metrics = (target: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}) =>
    target.inject({ method: "GET", url: "/metrics", remoteAddress, headers });

  it("answers this machine, by the socket's address", async () => {
    expect((await metrics(app, "127.0.0.1")).statusCode).toBe(200);
    expect((await metrics(app, "::1")).statusCode).toBe(200);
  });

  it("refuses another machine, even one that writes 127.0.0.1 in X-Forwarded-For", async () => {
    const forged = await metrics(app, "203.0.113.5", { "x-forwarded-for": "127.0.0.1" });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error).toContain("--metrics-token");
    expect(forged.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("refuses a visitor sent on by a proxy on this machine", async () => {
    expect((await metrics(app, "127.0.0.1", { "x-forwarded-for": "203.0.113.5" })).statusCode).toBe(403);
  });

  it("with a token, answers whoever sends it, and nobody else", async () => {
    const token = "m".repeat(32);
    const guarded = await serverOver(temp.store, { metricsToken: token });
    try {
      expect((await metrics(guarded, "203.0.113.5", { authorization: `Bearer ${token}` })).statusCode).toBe(
        200,
      );
      expect((await metrics(guarded, "203.0.113.5")).statusCode).toBe(401);
      expect(
        (await metrics(guarded, "127.0.0.1", { authorization: `Bearer ${"x".repeat(32)}` })).statusCode,
      ).toBe(401);
    } finally {
      await guarded.close();
    }
  });
});

describe("the admin route for forwarded CLI commands", () => {
  const run = (remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: "POST",
      url: "/api/v1/admin/cli",
      remoteAddress,
      headers: { authorization: `Bearer ${"t".repeat(43)}`, ...headers },
      payload: { args: ["users", "list"], cwd: "/" },
    });

  it("serves the token's holder on this machine", async () => {
    expect((await run("127.0.0.1")).statusCode).toBe(200);
  });

  it("refuses another machine that writes 127.0.0.1 in X-Forwarded-For, even with the token", async () => {
    expect((await run("203.0.113.5", { "x-forwarded-for": "127.0.0.1" })).statusCode).toBe(403);
    expect((await run("127.0.0.1", { "x-forwarded-for": "203.0.113.5" })).statusCode).toBe(403);
  });
});
