import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdmin } from "../../src/server/dashboard/users.js";
import type { Store } from "../../src/store/store.js";
import { serverOver, sextant, signIn, tempStore } from "./sign-in.js";

let temp: { store: Store; close(): Promise<void> };

beforeAll(async () => {
  temp = await tempStore();
});

afterAll(async () => {
  await temp.close();
});

describe("passwords", () => {
  it("refuse fewer than 12 characters when a user is added, naming the minimum", async () => {
    const short = await sextant(
      temp.store,
      "users",
      "add",
      "kim",
      "--workspace",
      "shop",
      "--password",
      "elevenchars",
    );
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("The password (--password) must have at least 12 characters.");
    expect((await sextant(temp.store, "users", "list", "--format", "json")).stdout).not.toContain('"kim"');
  });

  it("refuse fewer than 12 characters when a password is changed", async () => {
    expect((await sextant(temp.store, "users", "add", "lee", "--workspace", "shop")).code).toBe(0);
    const short = await sextant(temp.store, "users", "add", "lee", "--password", "short pass");
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("at least 12 characters");
  });

  it("count characters, not bytes or UTF-16 units", async () => {
    // Eleven emoji are 22 UTF-16 units and 44 bytes, yet eleven characters.
    const emoji = "🔑".repeat(11);
    expect(
      (await sextant(temp.store, "users", "add", "mo", "--workspace", "shop", "--password", emoji)).code,
    ).toBe(2);
    expect(
      (await sextant(temp.store, "users", "add", "mo", "--workspace", "shop", "--password", `${emoji}!`))
        .code,
    ).toBe(0);
  });

  it("accept 12 characters, which then sign in", async () => {
    expect(
      (await sextant(temp.store, "users", "add", "ned", "--workspace", "shop", "--password", "twelve chars"))
        .code,
    ).toBe(0);
    const app = await serverOver(temp.store);
    try {
      expect(await signIn(app, "ned", "twelve chars")).toMatch(/^sx_session=/);
    } finally {
      await app.close();
    }
  });

  it("refuse a short SEXTANT_ADMIN_PASSWORD on first start", async () => {
    await expect(ensureAdmin(temp.store, "admin-pass1")).rejects.toThrow(
      "The password (SEXTANT_ADMIN_PASSWORD) must have at least 12 characters.",
    );
  });
});
