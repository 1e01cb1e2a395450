import { describe, expect, it } from "vitest";
import { formatBytes, memorySizeBytes, normalizeSize } from "./sizes.js";

describe("memory sizes", () => {
  it("reads KB…TB as powers of 1000 and KiB…TiB as powers of 1024, as DuckDB does", () => {
    expect(memorySizeBytes("512MB")).toBe(512e6);
    expect(memorySizeBytes("6026MiB")).toBe(6026 * 1024 ** 2);
    expect(memorySizeBytes("1.5GB")).toBe(1.5e9);
    expect(memorySizeBytes("2 TiB")).toBe(2 * 1024 ** 4);
    expect(memorySizeBytes("800kb")).toBe(800e3);
    // As DuckDB prints its own memory_limit.
    expect(memorySizeBytes("366.2 MiB")).toBeCloseTo(366.2 * 1024 ** 2);
    expect(memorySizeBytes("lots")).toBeNull();
    expect(memorySizeBytes("4G")).toBeNull();
  });

  it("keeps a positive size as written, without its spaces", () => {
    expect(normalizeSize(" 2 MiB ")).toBe("2MiB");
    expect(normalizeSize("512mb")).toBe("512mb");
    expect(normalizeSize("0GB")).toBeNull();
    expect(normalizeSize("80%")).toBeNull();
  });

  it("prints binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(23.5 * 1024 ** 3)).toBe("23.5 GiB");
  });
});
