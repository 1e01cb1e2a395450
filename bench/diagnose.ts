import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KIND_SPECS } from "../src/import/kinds.js";
import { bucketsOf } from "../src/kpi/buckets.js";
import { FACT_MEASURES } from "../src/kpi/measures.js";
import { duckdbDialect as d } from "../src/store/duckdb/dialect.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { newEvents, storedNearby } from "../src/store/duckdb/import.js";
import { typedSelect, urlHostText } from "../src/store/duckdb/import-sql.js";
import { sessionEventsSelect } from "../src/store/duckdb/session-sql.js";
import { measureStatements } from "../src/store/sql/measure-sql.js";
import { validateSettings } from "../src/workspace/parse-setting.js";
import type { Workspace } from "../src/workspace/settings.js";
import { RANGE, sizeLabel } from "./generate.js";
import { SERVE_OPTIONS } from "./query-bench.js";
import { fmtMs, lit, log, RawDuckdb, removeDb, timed } from "./util.js";

// Every base measure, so that every statement a query can emit is listed.
const ALL_MEASURES = Object.values(FACT_MEASURES).flat();

/**
 * `node dist/bench/diagnose.js [--size 1m] [--no-import] [--no-store]`: where the time of the slow paths goes. Replays the
 * steps of `store.importFile(events)` one statement at a time (the same SQL builders as src), then profiles session derivation and
 * the overview's statements on the store `npm run bench` left, printing each statement's time and
 * its most expensive operators (EXPLAIN ANALYZE). Run it after `npm run bench` for that size.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DATA_DIR = join(ROOT, "bench", "data");

interface ProfileNode {
  operator_name?: string;
  operator_timing?: number;
  operator_cardinality?: number;
  extra_info?: Record<string, unknown>;
  children?: ProfileNode[];
  cpu_time?: number;
  latency?: number;
  system_peak_buffer_memory?: number;
  system_peak_temp_dir_size?: number;
}

function flatten(node: ProfileNode, out: ProfileNode[] = []): ProfileNode[] {
  if (node.operator_name) out.push(node);
  for (const child of node.children ?? []) flatten(child, out);
  return out;
}

function describe(extra: Record<string, unknown> | undefined): string {
  if (!extra) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(extra)) {
    if (key === "Estimated Cardinality") continue;
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    parts.push(`${key}: ${text}`);
  }
  const joined = parts.join("; ").replace(/\s+/g, " ");
  return joined.length > 150 ? `${joined.slice(0, 147)}…` : joined;
}

/** Runs a statement under EXPLAIN ANALYZE (it still does its work) and prints its top operators. */
async function profile(raw: RawDuckdb, label: string, sql: string, top = 5): Promise<number> {
  const { ms, cpuMs, value } = await timed(() => raw.all(`EXPLAIN (ANALYZE, FORMAT json) ${sql}`));
  const text = String(
    value.find((r) => r.explain_key === "analyzed_plan")?.explain_value ?? value[0]?.explain_value,
  );
  const tree = JSON.parse(text) as ProfileNode;
  const operators = flatten(tree)
    .filter((n) => n.operator_name !== "EXPLAIN_ANALYZE")
    .sort((a, b) => (b.operator_timing ?? 0) - (a.operator_timing ?? 0));
  const total = operators.reduce((sum, n) => sum + (n.operator_timing ?? 0), 0);
  const mb = (bytes: number | undefined) => `${((bytes ?? 0) / 2 ** 20).toFixed(0)} MiB`;
  log(
    `  ${label}: ${fmtMs(ms)} wall, ${fmtMs(cpuMs)} CPU; operator time ${fmtMs(total * 1000)}; ` +
      `instance peak buffer ${mb(tree.system_peak_buffer_memory)}, peak spill ${mb(tree.system_peak_temp_dir_size)}`,
  );
  for (const n of operators.slice(0, top)) {
    const share = total > 0 ? ((n.operator_timing ?? 0) / total) * 100 : 0;
    log(
      `      ${fmtMs((n.operator_timing ?? 0) * 1000).padStart(9)} ${share.toFixed(0).padStart(3)}%  ` +
        `${(n.operator_name ?? "").padEnd(22)} rows ${String(n.operator_cardinality ?? 0).padStart(9)}  ${describe(n.extra_info)}`,
    );
  }
  return ms;
}

/** Times one expression over the raw text table, to split the cost of a big projection. */
async function probe(raw: RawDuckdb, label: string, expr: string): Promise<void> {
  const sql = `SELECT count(${expr}) FROM raw`;
  await raw.all(sql);
  const { ms, cpuMs } = await timed(() => raw.all(sql));
  log(`      ${fmtMs(ms).padStart(9)} wall ${fmtMs(cpuMs).padStart(9)} CPU  ${label}`);
}

async function diagnoseImport(events: string, workspace: Workspace, label: string): Promise<void> {
  log(`== import replay: ${events} ==`);
  const dbPath = join(DATA_DIR, `diagnose-${label}.duckdb`);
  removeDb(dbPath);
  await (await DuckdbStore.open(dbPath)).close(); // the schema, as Sextant creates it
  const raw = await RawDuckdb.open(dbPath);
  try {
    const step = async (name: string, sql: string) => {
      const { ms, cpuMs } = await timed(() => raw.run(sql));
      log(`  ${name}: ${fmtMs(ms)} wall, ${fmtMs(cpuMs)} CPU`);
    };
    await profile(
      raw,
      "1. read_csv → temp raw (all varchar)",
      `CREATE TEMP TABLE raw AS SELECT * FROM read_csv(${lit(events)},
      header = true, delim = ',', quote = '"', escape = '"', all_varchar = true, normalize_names = false,
      null_padding = false, strict_mode = true)`,
    );
    const columns = (await raw.all("SELECT column_name FROM (DESCRIBE raw)")).map((r) =>
      String(r.column_name),
    );
    const known = new Set(KIND_SPECS.events.columns.map((c) => c.name));
    const layout = {
      sources: new Map(columns.filter((c) => known.has(c)).map((c) => [c, c])),
      extras: columns.filter((c) => !known.has(c)),
      lineExpr: "rowid + 2",
    };
    const typed = typedSelect(d, "events", KIND_SPECS.events, layout, {
      timeZone: workspace.settings.timezone,
      strptimeFormat: null,
    });
    await profile(raw, "2. typed + validated temp table", `CREATE TEMP TABLE typed AS ${typed}`);
    log("     parts of step 2, each alone over raw (expressions as src writes them):");
    const text = (c: string) => `nullif(trim("${c}"), '')`;
    await probe(
      raw,
      `trim/nullif of all ${columns.length} columns`,
      `concat(${columns.map(text).join(", ")})`,
    );
    await probe(
      raw,
      "timestamp: regexp_matches + TRY_CAST TIMESTAMPTZ",
      `CASE WHEN regexp_matches(${text("timestamp")}, '[T ]\\d{1,2}:\\d\\d(:\\d\\d(\\.\\d+)?)?\\s*([Zz]|[+-]\\d\\d(:?\\d\\d)?)$')
        THEN TRY_CAST(${text("timestamp")} AS TIMESTAMPTZ) ELSE timezone('UTC', TRY_CAST(${text("timestamp")} AS TIMESTAMP)) END`,
    );
    await probe(
      raw,
      "timestamp: plain TRY_CAST TIMESTAMPTZ",
      `TRY_CAST(${text("timestamp")} AS TIMESTAMPTZ)`,
    );
    await probe(
      raw,
      "row_hash: md5_number(concat_ws(all columns))",
      `md5_number(concat_ws(chr(31), ${columns.map((c) => `coalesce("${c}", '')`).join(", ")}))`,
    );
    await probe(
      raw,
      "properties: json_valid + json_type",
      `CASE WHEN ${text("properties")} IS NULL THEN NULL WHEN NOT json_valid(${text("properties")}) THEN 'x'
        WHEN json_type(${text("properties")}::JSON) <> 'OBJECT' THEN 'y' END`,
    );
    await step("3. count(*) typed", "SELECT count(*) FROM typed");
    await step(
      "4. bad rows (ORDER BY line)",
      "SELECT line, error FROM typed WHERE error IS NOT NULL ORDER BY line",
    );
    await step("5. count valid", "SELECT count(*) FROM typed WHERE error IS NULL");
    await raw.run("BEGIN TRANSACTION");
    const base = BigInt(await raw.number("SELECT coalesce(max(seq), 0) FROM events"));
    await profile(
      raw,
      "6. merge: INSERT enriched new events (anti-join, first row of repeated keys)",
      `INSERT INTO events BY NAME ${newEvents(workspace.name, base, storedNearby(lit(workspace.name)))}`,
      8,
    );
    log("     parts of step 6, each alone over raw:");
    const url = text("url");
    await probe(
      raw,
      "host of url and referrer (as enrichedEvents reads them)",
      `concat(${urlHostText(url)}, ${urlHostText(text("referrer"))})`,
    );
    await probe(
      raw,
      "path of url (regexp_extract)",
      `regexp_extract(${url}, '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1)`,
    );
    await probe(
      raw,
      "utm_* from url when the column is empty (5 × url_decode(regexp_extract))",
      `concat(${["source", "medium", "campaign", "content", "term"]
        .map(
          (n) =>
            `coalesce(${text(`utm_${n}`)}, nullif(trim(url_decode(replace(regexp_extract(${url}, '[?&]utm_${n}=([^&#]*)', 1), '+', ' '))), ''))`,
        )
        .join(", ")})`,
    );
    await probe(
      raw,
      "dedup key: md5_number('m:' || message_id)",
      `md5_number('m:' || ${text("message_id")})`,
    );
    const commit = await timed(() => raw.run("COMMIT"));
    log(`  7. commit: ${fmtMs(commit.ms)} wall, ${fmtMs(commit.cpuMs)} CPU`);
  } finally {
    raw.close();
    removeDb(dbPath);
  }
}

async function diagnoseStore(dbPath: string, workspace: Workspace): Promise<void> {
  log(`== session derivation and overview on ${dbPath} ==`);
  const raw = await RawDuckdb.open(dbPath, SERVE_OPTIONS);
  try {
    await raw.run("BEGIN TRANSACTION");
    await profile(
      raw,
      "refreshDerived full rebuild: INSERT INTO session_events (rolled back), 512MB limit",
      `INSERT INTO session_events ${sessionEventsSelect(d, workspace.name, workspace.settings, "events")}`,
      8,
    );
    await raw.run("ROLLBACK");
    const facts = ["events", "orders", "costs"] as const;
    const base = { workspace, facts: [...facts], measures: ALL_MEASURES, groupBy: [], filters: [] };
    const queries = [
      {
        name: "by week",
        query: { ...base, interval: "week" as const, buckets: bucketsOf(RANGE.from, RANGE.to, "week") },
      },
      { name: "totals", query: { ...base, interval: null, buckets: bucketsOf(RANGE.from, RANGE.to, null) } },
    ];
    for (const { name, query } of queries) {
      for (const [fact, statements] of measureStatements(d, query)) {
        for (const [i, sql] of statements.entries()) {
          await raw.all(sql); // warm
          const what = fact === "orders" ? (i === 0 ? "orders" : "orders retention") : fact;
          await profile(raw, `overview ${what} ${name}`, sql);
        }
      }
    }
  } finally {
    raw.close();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const sizeArg = args[args.indexOf("--size") + 1];
  const size = args.includes("--size") && sizeArg ? sizeArg : "1m";
  const events = Number(size.replace(/m$/i, "")) * (/m$/i.test(size) ? 1e6 : 1);
  const label = sizeLabel(events);
  const csv = join(DATA_DIR, `events-${label}.csv`);
  const store = join(DATA_DIR, `sextant-${label}.duckdb`);
  if (!existsSync(csv) || !existsSync(store)) {
    log(`diagnose: run \`npm run bench -- --sizes ${label}\` first (needs ${csv} and ${store})`);
    return 2;
  }
  const workspace: Workspace = { name: "bench", settings: validateSettings({ timezone: "Europe/Paris" }) };
  if (!args.includes("--no-import")) await diagnoseImport(csv, workspace, label);
  if (!args.includes("--no-store")) await diagnoseStore(store, workspace);
  return 0;
}

process.exitCode = await main();
