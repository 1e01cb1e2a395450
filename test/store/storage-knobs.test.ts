import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { duckdbStorage } from "../../src/config.js";
import { UserError } from "../../src/errors.js";
import { DuckdbConnection } from "../../src/store/duckdb/connection.js";

/**
 * The opt-in DuckDB storage knobs (docs/operations.md): read from the environment at start-up,
 * refused with a sentence that names the variable when DuckDB could not use them; given to the
 * store, they shape the file, which then reopens without them.
 */
const dir = mkdtempSync(join(tmpdir(), "sextant-knobs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("DuckDB storage knobs", () => {
  it("are off unless set, and read as DuckDB takes them", () => {
    expect(duckdbStorage({})).toEqual({});
    expect(
      duckdbStorage({ SEXTANT_DUCKDB_ROW_GROUP_SIZE: "", SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD: " " }),
    ).toEqual({});
    expect(
      duckdbStorage({
        SEXTANT_DUCKDB_ROW_GROUP_SIZE: " 8192 ",
        SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD: "2 MiB",
      }),
    ).toEqual({ rowGroupSize: 8192, checkpointThreshold: "2MiB" });
  });

  it.each([
    ["SEXTANT_DUCKDB_ROW_GROUP_SIZE", "5000", /"5000" is not a whole multiple of 2048 rows/],
    ["SEXTANT_DUCKDB_ROW_GROUP_SIZE", "-8192", /not a whole multiple of 2048 rows/],
    ["SEXTANT_DUCKDB_ROW_GROUP_SIZE", "8192.0", /not a whole multiple of 2048 rows/],
    ["SEXTANT_DUCKDB_ROW_GROUP_SIZE", "lots", /not a whole multiple of 2048 rows/],
    ["SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD", "2 megabytes", /"2 megabytes" is not a size: write it like 2MiB/],
    ["SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD", "0MiB", /is not a size/],
  ])("refuses %s=%s", (name, value, message) => {
    const read = () => duckdbStorage({ [name]: value });
    expect(read).toThrow(UserError);
    expect(read).toThrow(message);
  });

  it("writes row groups of the size asked for, and the file reopens without the knobs", async () => {
    const path = join(dir, "s.duckdb");
    const db = await DuckdbConnection.open(path, { rowGroupSize: 8192, checkpointThreshold: "2MiB" });
    await db.run("CREATE TABLE t AS SELECT range AS n FROM range(20000)", "CHECKPOINT");
    const groups = await db.all(
      "SELECT count(DISTINCT row_group_id)::INTEGER AS groups FROM pragma_storage_info('t')",
    );
    expect(groups[0]?.groups).toBe(3); // 8192 + 8192 + 3616 rows
    await db.close();

    const reopened = await DuckdbConnection.open(path);
    const rows = await reopened.all("SELECT count(*)::INTEGER AS rows, sum(n)::BIGINT AS total FROM t");
    expect(rows[0]).toEqual({ rows: 20000, total: "199990000" });
    await reopened.close();
  });
});
