import { lookup } from "node:dns/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forbiddenAddress } from "../../src/delivery/address-policy.js";
import { DeliveryError } from "../../src/delivery/retry.js";
import { postWebhook } from "../../src/delivery/webhook.js";
import { closedPort, WebhookReceiver } from "./receivers.js";

/** The failure of a delivery, as the alert history shows it. */
async function failure(send: Promise<void>): Promise<{ message: string; retryable: boolean }> {
  const error = await send.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  const { message, retryable } = error as DeliveryError;
  return { message, retryable };
}

// This machine's own name: it resolves to a loopback or private address almost everywhere
// (127.0.1.1 on Debian, the container's address under Docker), which only DNS can tell.
const machine = hostname();
const machineAddresses = await lookup(machine, { all: true }).catch(() => []);
const machineIsPrivate =
  machineAddresses.length > 0 && machineAddresses.every((a) => forbiddenAddress(a.address) !== null);

describe("webhook targets", () => {
  let hooks: WebhookReceiver;
  let port: string;
  beforeAll(async () => {
    hooks = await WebhookReceiver.start();
    port = new URL(hooks.url).port;
  });
  afterAll(async () => {
    await hooks?.close();
  });

  it.each([
    ["the decimal form of 127.0.0.1", (p: string) => `http://2130706433:${p}/decimal`],
    ["the unspecified address", (p: string) => `http://0.0.0.0:${p}/zero`],
    ["IPv6 loopback", (p: string) => `http://[::1]:${p}/v6`],
    ["IPv4-mapped loopback", (p: string) => `http://[::ffff:127.0.0.1]:${p}/mapped`],
    ["localhost", (p: string) => `http://localhost:${p}/name`],
    ["the cloud metadata service", () => "http://169.254.169.254/latest/meta-data/"],
    ["a private network address", () => "http://10.0.0.1/hook"],
  ])("refuses %s without the operator's allowance, and sends nothing", async (_what, url) => {
    const { message, retryable } = await failure(postWebhook({ url: url(port) }, { text: "hi" }));
    expect(message).toMatch(/^delivery failed \(refused target/);
    expect(message).toMatch(/SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1/);
    expect(retryable).toBe(false);
    expect(hooks.received).toEqual([]);
  });

  it.runIf(machineIsPrivate)(
    "refuses a name that resolves to a private address, checked on the address DNS gives",
    async () => {
      const { message } = await failure(postWebhook({ url: `http://${machine}:${port}/resolved` }, {}));
      expect(message).toMatch(/^delivery failed \(refused target/);
      expect(hooks.received).toEqual([]);
    },
  );

  it("delivers to loopback names and addresses when the operator allows private targets", async () => {
    const allowed = { allowPrivateTargets: true };
    // Framing headers in the channel's settings cannot break the request.
    const framing = { "Transfer-Encoding": "chunked", "Content-Length": "1", "X-Team": "growth" };
    await postWebhook({ url: `http://127.0.0.1:${port}/ip`, headers: framing }, { text: "a" }, allowed);
    await postWebhook({ url: `http://localhost:${port}/localhost` }, { text: "b" }, allowed);
    expect(hooks.delivered("/ip").map((r) => r.body)).toEqual([{ text: "a" }]);
    expect(hooks.delivered("/localhost").map((r) => r.body)).toEqual([{ text: "b" }]);
    if (machineIsPrivate) {
      await postWebhook({ url: `http://${machine}:${port}/machine` }, { text: "c" }, allowed);
      expect(hooks.delivered("/machine")).toHaveLength(1);
    }
  });

  it("says HTTP status, timeout or connection error, without telling a closed port from a silent one", async () => {
    const allowed = { allowPrivateTargets: true };
    hooks.answer("/down", 503);
    expect(await failure(postWebhook({ url: `${hooks.url}/down` }, {}, allowed))).toEqual({
      message: "delivery failed (HTTP 503)",
      retryable: true,
    });
    hooks.answer("/gone", 404);
    expect(await failure(postWebhook({ url: `${hooks.url}/gone` }, {}, allowed))).toEqual({
      message: "delivery failed (HTTP 404)",
      retryable: false,
    });
    const closed = await closedPort();
    expect(await failure(postWebhook({ url: `http://127.0.0.1:${closed}/` }, {}, allowed))).toEqual({
      message: "delivery failed (connection error)",
      retryable: true,
    });

    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      expect(await failure(postWebhook({ url }, {}, { ...allowed, timeoutMs: 200 }))).toEqual({
        message: "delivery failed (timeout)",
        retryable: true,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("does not follow a redirect", async () => {
    let redirector: Server | undefined;
    try {
      redirector = createServer((_request, response) =>
        response.writeHead(307, { location: `${hooks.url}/redirected` }).end(),
      );
      await new Promise<void>((resolve) => redirector?.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`;
      const { message } = await failure(postWebhook({ url }, {}, { allowPrivateTargets: true }));
      expect(message).toBe("delivery failed (HTTP 307; redirects are not followed)");
      expect(hooks.received.filter((r) => r.path === "/redirected")).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => (redirector ? redirector.close(() => resolve()) : resolve()));
    }
  });
});
