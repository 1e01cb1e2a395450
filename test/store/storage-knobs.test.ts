import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { DuckdbConnection } from "../../src/store/duckdb/connection.js";

/**
 * The opt-in DuckDB storage knobs (docs/performance.md): a valid row group size and checkpoint
 * threshold shape the file and keep its data across a reopen without them; a bad value stops the
 * store from opening with a message that names the variable.
 */
const saved = { ...process.env };
const dirs: string[] = [];

function freshPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "sextant-knobs-"));
  dirs.push(dir);
  return join(dir, "s.duckdb");
}

afterEach(() => {
  process.env = { ...saved };
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("DuckDB storage knobs", () => {
  it("writes row groups of the size asked for, and the file reopens without the knobs", async () => {
    const path = freshPath();
    process.env.SEXTANT_DUCKDB_ROW_GROUP_SIZE = "8192";
    process.env.SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD = "2MiB";
    const db = await DuckdbConnection.open(path);
    await db.run("CREATE TABLE t AS SELECT range AS n FROM range(20000)", "CHECKPOINT");
    const groups = await db.all(
      "SELECT count(DISTINCT row_group_id)::INTEGER AS groups FROM pragma_storage_info('t')",
    );
    expect(groups[0]?.groups).toBe(3); // 8192 + 8192 + 3616 rows
    await db.close();

    delete process.env.SEXTANT_DUCKDB_ROW_GROUP_SIZE;
    delete process.env.SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD;
    const reopened = await DuckdbConnection.open(path);
    const rows = await reopened.all("SELECT count(*)::INTEGER AS rows, sum(n)::BIGINT AS total FROM t");
    expect(rows[0]).toEqual({ rows: 20000, total: "199990000" });
    await reopened.close();
  });

  it.each([
    ["SEXTANT_DUCKDB_ROW_GROUP_SIZE", "5000", /multiple of 2048/],
    ["SEXTANT_DUCKDB_ROW_GROUP_SIZE", "lots", /multiple of 2048/],
    ["SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD", "2 megabytes", /a size such as 2MiB/],
  ])("refuses %s=%s", async (name, value, message) => {
    process.env[name] = value;
    const opening = DuckdbConnection.open(freshPath());
    await expect(opening).rejects.toBeInstanceOf(UserError);
    await expect(opening).rejects.toThrow(message);
  });
});
