import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  bearer,
  DESKTOP_UA,
  expectError,
  startServer,
  storedEvents,
  type TestServer,
  totals,
} from "./server.js";

/** docs/command-line.md#over-http: "A key of one workspace never reads or writes another's data." */
let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    workspaces: [
      { name: "alpha", domains: ["alpha.example"] },
      { name: "beta", domains: ["beta.example"] },
    ],
    listen: false,
  });
});

afterAll(async () => {
  await server?.close();
});

const A = () => server.ws("alpha");
const B = () => server.ws("beta");

const WRITE_BODIES: Record<string, object> = {
  track: { userId: "iso-u", event: "Signed Up" },
  page: { anonymousId: "iso-a", properties: { url: "https://alpha.example/" } },
  identify: { userId: "iso-u", anonymousId: "iso-a" },
  screen: { userId: "iso-u", name: "Home" },
  group: { userId: "iso-u", groupId: "g" },
  alias: { userId: "iso-u", previousId: "iso-a" },
  batch: {
    batch: [
      { type: "page", anonymousId: "iso-b" },
      { type: "track", userId: "iso-u", event: "Signed Up" },
    ],
  },
};
const eventsIn = (route: string) => (route === "batch" ? 2 : 1);

let sent = 0;
/** Every message gets its own messageId: identical rows without one would be de-duplicated. */
function withIds(route: string, body: object): object {
  if (route !== "batch") return { messageId: `iso-${++sent}`, ...body };
  const { batch, ...rest } = body as { batch: object[] };
  return { ...rest, batch: batch.map((m) => ({ messageId: `iso-${++sent}`, ...m })) };
}

function write(route: string, body: object, headers: Record<string, string> = {}) {
  return server.app.inject({
    method: "POST",
    url: `/v1/${route}`,
    headers: { "content-type": "application/json", "user-agent": DESKTOP_UA, ...headers },
    payload: JSON.stringify(withIds(route, body)),
  });
}

function read(url: string, key: string) {
  return server.app.inject({ method: "GET", url, headers: { authorization: bearer(key) } });
}

const READ_ROUTES = (name: string) => [
  `/api/v1/kpis?kpis=pageviews&workspace=${name}`,
  `/api/v1/workspaces/${name}`,
];

describe("write routes", () => {
  for (const route of Object.keys(WRITE_BODIES)) {
    it(`/v1/${route}: A's write key writes into A only (Basic and body writeKey)`, async () => {
      const body = WRITE_BODIES[route] ?? {};
      const before = { a: await storedEvents(server, "alpha"), b: await storedEvents(server, "beta") };
      const viaHeader = await write(route, body, { authorization: basic(A().write) });
      expect(viaHeader.statusCode, viaHeader.body).toBe(200);
      const viaBody = await write(route, { ...body, writeKey: A().write });
      expect(viaBody.statusCode, viaBody.body).toBe(200);
      expect(await storedEvents(server, "alpha")).toBe(before.a + 2 * eventsIn(route));
      expect(await storedEvents(server, "beta")).toBe(before.b);
    });

    it(`/v1/${route}: A's key in the header wins over B's writeKey in the body; B's read key cannot write`, async () => {
      const body = WRITE_BODIES[route] ?? {};
      const beforeB = await storedEvents(server, "beta");
      const mixed = await write(route, { ...body, writeKey: B().write }, { authorization: basic(A().write) });
      expect(mixed.statusCode).toBeLessThan(500);
      expect(await storedEvents(server, "beta"), "nothing lands in B").toBe(beforeB);
      expectError(await write(route, body, { authorization: basic(B().read) }), 403, "authorization");
      expectError(await write(route, { ...body, writeKey: A().read }), 403, "authorization");
      expect(await storedEvents(server, "beta")).toBe(beforeB);
    });
  }

  it("the KPIs of each workspace show its own events only", async () => {
    const pages = (key: string, n: number, prefix: string) =>
      write(
        "batch",
        {
          batch: Array.from({ length: n }, (_, i) => ({
            type: "page",
            anonymousId: `${prefix}-${i}`,
            messageId: `${prefix}-m-${i}`,
          })),
        },
        { authorization: basic(key) },
      );
    const beforeA = (await totals(server, "alpha")).pageviews ?? 0;
    const beforeB = (await totals(server, "beta")).pageviews ?? 0;
    expect((await pages(A().write, 3, "kpi-a")).statusCode).toBe(200);
    expect((await pages(B().write, 5, "kpi-b")).statusCode).toBe(200);
    expect((await totals(server, "alpha")).pageviews).toBe(beforeA + 3);
    expect((await totals(server, "beta")).pageviews).toBe(beforeB + 5);
    // The same message ids in another workspace are other messages, not duplicates.
    expect((await pages(A().write, 5, "kpi-b")).statusCode).toBe(200);
    expect((await totals(server, "alpha")).pageviews).toBe(beforeA + 8);
    expect((await totals(server, "beta")).pageviews).toBe(beforeB + 5);
  });
});

describe("read routes", () => {
  it("A's read key reads A", async () => {
    for (const url of READ_ROUTES("alpha")) {
      const response = await read(url, A().read);
      expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    }
    expect((await read("/api/v1/kpis?kpis=pageviews", A().read)).json().workspace).toBe("alpha");
    expect((await read("/api/v1/workspaces/alpha", A().read)).json()).toMatchObject({
      name: "alpha",
      settings: { domains: ["alpha.example"] },
    });
  });

  it("A's read key naming B, or a workspace that does not exist, is forbidden", async () => {
    for (const name of ["beta", "nope", "ALPHA", "alpha%20", "alpha%00"]) {
      for (const url of READ_ROUTES(name)) expectError(await read(url, A().read), 403, "workspace");
    }
    for (const url of READ_ROUTES("alpha")) expectError(await read(url, B().read), 403, "workspace");
  });

  it("a repeated or odd workspace parameter never reaches B", async () => {
    for (const url of [
      "/api/v1/kpis?kpis=pageviews&workspace=alpha&workspace=beta",
      "/api/v1/kpis?kpis=pageviews&workspace=beta&workspace=alpha",
      "/api/v1/kpis?kpis=pageviews&workspace[]=beta",
      "/api/v1/workspaces/alpha%2F..%2Fbeta",
      "/api/v1/workspaces/..%2Fbeta/keys",
    ]) {
      const response = await read(url, url.endsWith("/keys") ? A().admin : A().read);
      expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(500);
      expect(response.body, url).not.toContain('"beta"');
      // An unknown parameter (workspace[]) may be ignored: then the answer is A's own data.
      if (response.statusCode === 200) expect(response.json().workspace, url).toBe("alpha");
      else expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
    }
  });

  it("/api/v1/workspaces lists the key's workspace only", async () => {
    const response = await read("/api/v1/workspaces", A().read);
    expect(response.statusCode).toBe(200);
    const body = response.json() as { workspaces: { name: string }[] };
    expect(body.workspaces.map((w) => w.name)).toEqual(["alpha"]);
    expect(response.body).not.toContain("beta");
    const other = await read("/api/v1/workspaces", B().read);
    expect((other.json() as typeof body).workspaces.map((w) => w.name)).toEqual(["beta"]);
  });

  it("the keys listing, for an admin key, shows ids and kinds of its workspace, never secrets or hashes", async () => {
    expectError(await read("/api/v1/workspaces/alpha/keys", A().read), 403, "authorization");
    expectError(await read("/api/v1/workspaces/beta/keys", A().admin), 403, "workspace");
    const response = await read("/api/v1/workspaces/alpha/keys", A().admin);
    expect(response.statusCode).toBe(200);
    const keys = (response.json() as { keys: Record<string, unknown>[] }).keys;
    expect(keys.map((k) => k.id).sort()).toEqual([A().writeId, A().readId, A().adminId].sort());
    for (const key of keys) {
      expect(key.workspace).toBe("alpha");
      expect(Object.keys(key)).not.toContain("hash");
      expect(Object.keys(key)).not.toContain("secret");
    }
    for (const secret of [
      A().write,
      A().read,
      A().admin,
      A().writeHash,
      A().readHash,
      B().write,
      B().read,
      B().writeHash,
      B().readHash,
      B().writeId,
      B().readId,
    ]) {
      expect(response.body).not.toContain(secret);
    }
  });

  it("a write key on any read route, and no key, are refused", async () => {
    for (const url of [...READ_ROUTES("alpha"), "/api/v1/workspaces"]) {
      expectError(await read(url, A().write), 403, "authorization");
      expectError(await server.app.inject({ method: "GET", url }), 401, "authorization");
    }
  });
});
