import { describe, expect, it } from "vitest";
import {
  CLI_MEMORY_LIMIT,
  duckdbMemoryLimit,
  duckdbOptions,
  memoryLimit,
  quarterOfMemory,
  SERVE_MEMORY_LIMIT,
} from "./config.js";
import { isUserError } from "./errors.js";

describe("memory limit of the embedded store", () => {
  it("takes --memory-limit, then SEXTANT_MEMORY_LIMIT, then the command's default", () => {
    const env = { SEXTANT_MEMORY_LIMIT: "3GB" };
    expect(memoryLimit({ memoryLimit: "1GB" }, env, CLI_MEMORY_LIMIT)).toBe("1GB");
    expect(memoryLimit({}, env, CLI_MEMORY_LIMIT)).toBe("3GB");
    expect(memoryLimit({}, {}, CLI_MEMORY_LIMIT)).toBe(CLI_MEMORY_LIMIT);
    expect(memoryLimit({}, { SEXTANT_MEMORY_LIMIT: "" }, SERVE_MEMORY_LIMIT)).toBe("512MB");
  });

  it("is a quarter of the machine's memory for commands, at least 1 GiB", () => {
    expect(quarterOfMemory(24 * 2 ** 30)).toBe("6144MiB");
    expect(quarterOfMemory(2 * 2 ** 30)).toBe("1024MiB");
    expect(quarterOfMemory(7.5 * 2 ** 30 + 12345)).toBe("1920MiB");
    expect(memoryLimit({}, {}, quarterOfMemory(16 * 2 ** 30))).toBe("4096MiB");
  });

  it.each([
    ["4GB", "4GB"],
    ["512mb", "512mb"],
    [" 1.5 GiB ", "1.5GiB"],
    ["800KB", "800KB"],
    ["2TB", "2TB"],
  ])("reads %j as %j", (value, expected) => {
    expect(memoryLimit({ memoryLimit: value }, {}, CLI_MEMORY_LIMIT)).toBe(expected);
  });

  it.each(["lots", "4", "4G", "0GB", "-1GB", "80%", ""])(
    "refuses %j with a sentence naming the flag",
    (value) => {
      let thrown: unknown;
      try {
        memoryLimit({ memoryLimit: value }, {}, CLI_MEMORY_LIMIT);
      } catch (error) {
        thrown = error;
      }
      expect(isUserError(thrown)).toBe(true);
      expect(String((thrown as Error).message)).toMatch(
        /^--memory-limit ".*" is not a memory size: write it like 4GB/,
      );
    },
  );

  it("names SEXTANT_MEMORY_LIMIT when the variable is wrong", () => {
    expect(() => memoryLimit({}, { SEXTANT_MEMORY_LIMIT: "big" }, CLI_MEMORY_LIMIT)).toThrow(
      /^SEXTANT_MEMORY_LIMIT "big" is not a memory size/,
    );
  });
});

describe("DuckDB's share of the memory limit", () => {
  it("gives DuckDB's buffer pool three quarters of the limit, the rest being the process's own", () => {
    expect(duckdbMemoryLimit("512MB")).toBe("375000KiB"); // 384e6 bytes
    expect(duckdbMemoryLimit("6026MiB")).toBe(`${(6026 * 1024 * 3) / 4}KiB`);
    expect(duckdbMemoryLimit("4GiB")).toBe("3145728KiB"); // 3 GiB
    expect(duckdbMemoryLimit("1KB")).toBe("1KiB");
  });
});

describe("the embedded store's options at start-up", () => {
  it("trace statements only with SEXTANT_TRACE_SQL=1", () => {
    expect(duckdbOptions({}, { SEXTANT_TRACE_SQL: "1" }, "4GB")).toEqual({
      memoryLimit: "2929687KiB",
      traceSql: true,
    });
    expect(duckdbOptions({}, { SEXTANT_TRACE_SQL: "0" }, "4GB").traceSql).toBeUndefined();
  });
});
