import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox } from "./run-cli.js";

// Each of these stops before the store opens, so no server starts.
describe("sextant serve refuses unsafe or unreadable security options", () => {
  let sandbox: CliSandbox;
  beforeAll(async () => {
    sandbox = await CliSandbox.create();
  });
  afterAll(async () => {
    await sandbox.cleanup();
  });

  it("a bare --trust-proxy, naming the forms it takes", async () => {
    const stderr = await sandbox.fails(["serve", "--no-demo", "--trust-proxy"]);
    expect(stderr).toContain("--trust-proxy needs a value");
    expect(stderr).toContain("--trust-proxy 10.0.0.5,10.1.0.0/16");
    expect(stderr).toContain("loopback");
  });

  it("a hop count, saying why", async () => {
    const stderr = await sandbox.fails(["serve", "--no-demo", "--trust-proxy", "1"]);
    expect(stderr).toContain("a hop count cannot tell a proxy from a client that connects directly");
  });

  it("an address it cannot read", async () => {
    const stderr = await sandbox.fails(["serve", "--no-demo", "--trust-proxy", "10.0.0.0/33"]);
    expect(stderr).toContain('"10.0.0.0/33" needs a prefix length from 0 to 32');
  });

  it("a short metrics token, from the flag or the environment", async () => {
    expect(await sandbox.fails(["serve", "--no-demo", "--metrics-token", "short"])).toContain(
      "at least 16 characters",
    );
    expect(
      await sandbox.fails(["serve", "--no-demo"], { env: { SEXTANT_METRICS_TOKEN: "short" } }),
    ).toContain("at least 16 characters");
  });

  it("a session timeout that is not a whole number of minutes or hours", async () => {
    expect(await sandbox.fails(["serve", "--no-demo", "--session-idle-minutes", "0"])).toContain(
      "--session-idle-minutes 0 must be a whole number from 1",
    );
    expect(
      await sandbox.fails(["serve", "--no-demo"], { env: { SEXTANT_SESSION_MAX_HOURS: "soon" } }),
    ).toContain("--session-max-hours soon must be a whole number");
  });
});
