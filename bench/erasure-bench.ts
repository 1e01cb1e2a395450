import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runKpiQuery } from "../src/kpi/run-query.js";
import { validateSettings } from "../src/model/parse-setting.js";
import type { Workspace } from "../src/model/workspace.js";
import { erasePerson, showPerson } from "../src/people/person.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { plainCsvImport } from "../src/store/store.js";
import { ensureData } from "./generate.js";
import { OVERVIEW_REQUEST, SERVE_OPTIONS } from "./query-bench.js";
import { fmtInt, fmtMs, fmtRatio, lit, log, numberFlags, RawDuckdb, timed } from "./util.js";

/**
 * The erasure of one person in a store of the benchmark's generated data (target < 2 s at 10M
 * events on DuckDB), under serve's memory limit, with the derived tables current as a server keeps
 * them. The baseline, in the same run: reading the same person's rows (`people show`), the scan
 * any erasure must make. Then the overview after the erasure (the refresh it leaves to do).
 *
 *   npm run bench -- erasure [--events N] [--people N]
 */
export async function benchErasure(argv: readonly string[]): Promise<number> {
  const { events, people } = numberFlags(argv, { events: 1_000_000, people: 3 });
  const ROOT = fileURLToPath(new URL("../../", import.meta.url));
  const data = await ensureData(join(ROOT, "bench", "data"), events);
  const scratch = join(ROOT, "bench", "data", `erasure-${data.label}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    // Identified customers with most orders: the persons with rows of every kind, spread over the history.
    const raw = await RawDuckdb.open(":memory:");
    const ids = (
      await raw.all(`SELECT customer_id FROM read_csv(${lit(data.orders)}) WHERE customer_id LIKE 'user-%'
      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${people}`)
    ).map((row) => String(row.customer_id));
    raw.close();
    const store = await DuckdbStore.open(join(scratch, "erasure.duckdb"), SERVE_OPTIONS);
    const workspace: Workspace = { name: "bench", settings: validateSettings({ timezone: "Europe/Paris" }) };
    await store.createWorkspace(workspace);
    for (const kind of ["events", "costs", "orders"] as const)
      await store.importFile(plainCsvImport(workspace, kind, data[kind]));
    await runKpiQuery(store, workspace, OVERVIEW_REQUEST);
    log(`erasure of one person, DuckDB, ${fmtInt(data.rows.events)} events (memory limit of serve)`);
    for (const id of ids) {
      const read = await timed(() => showPerson(store, workspace, id));
      const erase = await timed(() => erasePerson(store, workspace, id));
      const after = await timed(() => runKpiQuery(store, workspace, OVERVIEW_REQUEST));
      log(
        `  ${id}: ${read.value.events.length} events, ${read.value.orders.length} orders; ` +
          `erase ${fmtMs(erase.ms)} (cpu ${fmtMs(erase.cpuMs)}), ${fmtRatio(erase.ms / read.ms)} its read ` +
          `(${fmtMs(read.ms)}); overview after ${fmtMs(after.ms)}; removed ${JSON.stringify(erase.value.rows)}`,
      );
    }
    await store.close();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return 0;
}
