import { duckdbOptions, SERVE_MEMORY_LIMIT } from "../src/config.js";
import { type KpiResult, runKpiQuery } from "../src/kpi/run-query.js";
import { bucketsOf } from "../src/model/calendar.js";
import type { Fact } from "../src/model/measures.js";
import { FACT_MEASURES } from "../src/model/measures.js";
import type { Workspace } from "../src/model/workspace.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import { RANGE } from "./generate.js";
import { fmtMs, fmtRatio, lit, log, median, RawDuckdb, timed } from "./util.js";

// Every base measure, so that every statement a query can emit is listed.
const ALL_MEASURES = Object.values(FACT_MEASURES).flat();

/** The overview: every traffic, conversion and sales KPI over the 90 days, by week. */
export const OVERVIEW_KPIS = [
  "visitors",
  "sessions",
  "pageviews",
  "pages_per_session",
  "bounce_rate",
  "avg_visit_duration",
  "conversions",
  "conversion_rate",
  "converted_visitors",
  "leads",
  "orders",
  "revenue",
  "customers",
  "new_customers",
  "aov",
  "spend",
  "roas",
  "cpa",
] as const;

export const OVERVIEW_REQUEST = {
  kpis: [...OVERVIEW_KPIS],
  from: RANGE.from,
  to: RANGE.to,
  interval: "week" as const,
};

/** The overview's KPIs by campaign over the 90 days, without interval: grouped event KPIs read sessions' entry attributes. */
export const GROUPED_REQUEST = {
  kpis: [...OVERVIEW_KPIS],
  from: RANGE.from,
  to: RANGE.to,
  groupBy: ["campaign"],
};

/** Options as `sextant serve` opens the store: the dashboard's setting. */
export const SERVE_OPTIONS = duckdbOptions({}, process.env, SERVE_MEMORY_LIMIT);

type Values = Record<string, number | null>;

export interface Overview {
  readonly rows: Map<string, Values>;
  readonly totals: Values;
}

/** Wall-clock and CPU milliseconds of the cold run (first) and the warm runs. */
export interface Runs {
  readonly coldMs: number;
  readonly warmMs: number;
  readonly warmCpuMs: number;
  readonly runsMs: number[];
  readonly runsCpuMs: number[];
}

export interface QueryResult {
  readonly sextant: Runs;
  readonly baseline: Runs;
  readonly ratio: number;
  /** Whether the baseline ran on the store's own connection, alternating with Sextant's runs. */
  readonly interleaved: boolean;
  readonly numbersMatch: boolean;
  readonly differences: string[];
  /** Sextant's statements for the overview, timed one by one on a raw connection. */
  readonly statements: { label: string; ms: number; sql: string }[];
}

/** What the baseline needs of a connection. */
interface Queryable {
  all(sql: string): Promise<Record<string, unknown>[]>;
}

/**
 * The store's own DuckDB connection, so that the baseline runs on the very same connection and
 * buffer pool, interleaved with Sextant's runs (fair on a machine whose load drifts). It reaches
 * into a private field; when that changes, the baseline falls back to a connection of its own.
 */
function storeConnection(store: DuckdbStore): Queryable | null {
  const db = (store as unknown as { db?: Partial<Queryable> }).db;
  return db && typeof db.all === "function" ? (db as Queryable) : null;
}

export async function benchOverview(
  dbPath: string,
  workspaceName: string,
  runs: number,
): Promise<QueryResult> {
  // The store opened as `serve` opens it; the first query after opening is "cold". Warm runs
  // alternate Sextant and the baseline on the store's connection.
  const store = await DuckdbStore.open(dbPath, SERVE_OPTIONS);
  const sextantRuns: { ms: number; cpuMs: number }[] = [];
  const baselineRuns: { ms: number; cpuMs: number }[] = [];
  let sextantResult: KpiResult;
  let baselineResult: Overview | null = null;
  let workspace: Workspace;
  let interleaved = false;
  let sextantStatements: QueryResult["statements"] = [];
  try {
    const found = (await store.listWorkspaces()).find((w) => w.name === workspaceName);
    if (!found) throw new Error(`no workspace ${workspaceName} in ${dbPath}`);
    workspace = found;
    const sextantOnce = () => timed(() => runKpiQuery(store, workspace, OVERVIEW_REQUEST));
    const cold = await sextantOnce();
    sextantResult = cold.value;
    sextantRuns.push(cold);
    const shared = storeConnection(store);
    interleaved = shared !== null;
    for (let i = 0; i < runs; i++) {
      sextantRuns.push(await sextantOnce());
      if (shared) {
        const run = await timed(() => baselineOverview(shared, workspace));
        baselineResult = run.value;
        baselineRuns.push(run);
      }
    }
    sextantStatements = overviewStatements(store, workspace);
  } finally {
    await store.close();
  }

  // The baseline's cold run: first statements after opening the file, same connection setup.
  const raw = await RawDuckdb.open(dbPath, SERVE_OPTIONS);
  let statements: QueryResult["statements"];
  try {
    const cold = await timed(() => baselineOverview(raw, workspace));
    baselineRuns.unshift(cold);
    baselineResult ??= cold.value;
    if (!interleaved) {
      for (let i = 0; i < runs; i++) baselineRuns.push(await timed(() => baselineOverview(raw, workspace)));
    }
    statements = await timeStatements(raw, sextantStatements);
  } finally {
    raw.close();
  }
  const sextant = summarise(sextantRuns);
  const baseline = summarise(baselineRuns);
  const ratio = sextant.warmMs / baseline.warmMs;
  const how = interleaved ? "interleaved on the store's connection" : "baseline on its own connection";
  log(
    `    sextant overview : cold ${fmtMs(sextant.coldMs)}, warm median ${fmtMs(sextant.warmMs)} (${fmtMs(sextant.warmCpuMs)} CPU; ${runs} runs, ${how})`,
  );
  log(
    `    baseline overview: cold ${fmtMs(baseline.coldMs)}, warm median ${fmtMs(baseline.warmMs)} (${fmtMs(baseline.warmCpuMs)} CPU; ${runs} runs)`,
  );
  log(`    ratio sextant/baseline (warm): ${fmtRatio(ratio)}`);

  const differences = compareOverviews(toOverview(sextantResult), baselineResult);
  if (differences.length === 0) log("    numbers match (every KPI of every week and the totals)");
  else {
    log(`    numbers DIFFER in ${differences.length} places:`);
    for (const line of differences.slice(0, 20)) log(`      ${line}`);
  }
  log("    sextant statements (one warm run each, raw connection):");
  for (const s of statements) log(`      ${fmtMs(s.ms).padStart(9)}  ${s.label}`);
  return {
    sextant,
    baseline,
    ratio,
    interleaved,
    numbersMatch: differences.length === 0,
    differences,
    statements,
  };
}

function summarise(runs: { ms: number; cpuMs: number }[]): Runs {
  const runsMs = runs.map((r) => r.ms);
  const runsCpuMs = runs.map((r) => r.cpuMs);
  return {
    coldMs: runsMs[0] ?? Number.NaN,
    warmMs: median(runsMs.slice(1)),
    warmCpuMs: median(runsCpuMs.slice(1)),
    runsMs,
    runsCpuMs,
  };
}

function toOverview(result: KpiResult): Overview {
  const rows = new Map<string, Values>();
  for (const row of result.rows) {
    const { period, ...values } = row;
    rows.set(String(period), values as Values);
  }
  return { rows, totals: result.totals };
}

/** The overview by hand: one query per fact table by week, and one per fact table for the totals. */
export async function baselineOverview(raw: Queryable, workspace: Workspace): Promise<Overview> {
  const ws = lit(workspace.name);
  const tz = lit(workspace.settings.timezone);
  const range = `BETWEEN DATE '${RANGE.from}' AND DATE '${RANGE.to}'`;
  const conversions = workspace.settings.conversion_events.map(lit).join(", ");
  const leads = workspace.settings.lead_events.map(lit).join(", ");
  const week = (date: string) => `CAST(date_trunc('week', ${date}) AS DATE)`;

  const eventMeasures = `count(DISTINCT visitor_id) AS visitors,
      count(*) FILTER (WHERE session_start) AS sessions,
      count(*) FILTER (WHERE type = 'page') AS pageviews,
      count(*) FILTER (WHERE session_start AND session_bounce) AS bounces,
      sum(session_seconds) FILTER (WHERE session_start) AS duration,
      count(*) FILTER (WHERE type = 'track' AND name IN (${conversions})) AS conversions,
      count(DISTINCT visitor_id) FILTER (WHERE type = 'track' AND name IN (${conversions})) AS converted_visitors,
      count(*) FILTER (WHERE type = 'track' AND name IN (${leads})) AS leads`;
  const eventsFrom = `FROM session_events WHERE workspace = ${ws} AND local_date ${range}`;

  const ordersWith = `WITH all_orders AS (
      SELECT order_id, ts, customer_id, revenue FROM orders WHERE workspace = ${ws}
      UNION ALL
      SELECT order_id, ts, coalesce(user_id, visitor_id), revenue FROM session_events
      WHERE workspace = ${ws} AND type = 'track' AND name = 'Order Completed'
        AND order_id NOT IN (SELECT order_id FROM orders WHERE workspace = ${ws})
    ),
    firsts AS (SELECT customer_id, min(ts) AS first_ts FROM all_orders GROUP BY customer_id),
    ranged AS (
      SELECT *, CAST(timezone(${tz}, ts) AS DATE) AS local_date FROM all_orders JOIN firsts USING (customer_id)
    )`;
  const orderMeasures = `count(*) AS orders, sum(revenue) AS revenue, count(DISTINCT customer_id) AS customers,
      count(DISTINCT customer_id) FILTER (WHERE ts = first_ts) AS new_customers`;
  const ordersFrom = `FROM ranged WHERE local_date ${range}`;

  const costsFrom = `FROM ad_costs WHERE workspace = ${ws} AND date ${range}`;

  const byWeek = [
    await raw.all(`SELECT ${week("local_date")} AS week, ${eventMeasures} ${eventsFrom} GROUP BY week`),
    await raw.all(
      `${ordersWith} SELECT ${week("local_date")} AS week, ${orderMeasures} ${ordersFrom} GROUP BY week`,
    ),
    await raw.all(`SELECT ${week("date")} AS week, sum(spend) AS spend ${costsFrom} GROUP BY week`),
  ];
  const totals = [
    await raw.all(`SELECT ${eventMeasures} ${eventsFrom}`),
    await raw.all(`${ordersWith} SELECT ${orderMeasures} ${ordersFrom}`),
    await raw.all(`SELECT sum(spend) AS spend ${costsFrom}`),
  ];

  const measures = new Map<string, Record<string, number>>();
  for (const rows of byWeek) {
    for (const row of rows) {
      const key = String(row.week);
      const bag = measures.get(key) ?? {};
      for (const [name, value] of Object.entries(row)) if (name !== "week") bag[name] = Number(value ?? 0);
      measures.set(key, bag);
    }
  }
  const total: Record<string, number> = {};
  for (const rows of totals) {
    for (const [name, value] of Object.entries(rows[0] ?? {})) total[name] = Number(value ?? 0);
  }
  const rows = new Map<string, Values>();
  for (const [key, bag] of [...measures.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    rows.set(key, overviewKpis(bag));
  }
  return { rows, totals: overviewKpis(total) };
}

/** The overview's KPIs from base measures, written out as docs/kpis.md defines them. */
function overviewKpis(m: Record<string, number>): Values {
  const v = (name: string) => m[name] ?? 0;
  const div = (a: number, b: number) => (b === 0 ? null : a / b);
  const pct = (a: number, b: number) => (b === 0 ? null : (a / b) * 100);
  return {
    visitors: v("visitors"),
    sessions: v("sessions"),
    pageviews: v("pageviews"),
    pages_per_session: div(v("pageviews"), v("sessions")),
    bounce_rate: pct(v("bounces"), v("sessions")),
    avg_visit_duration: div(v("duration"), v("sessions")),
    conversions: v("conversions"),
    conversion_rate: pct(v("conversions"), v("visitors")),
    converted_visitors: v("converted_visitors"),
    leads: v("leads"),
    orders: v("orders"),
    revenue: v("revenue"),
    customers: v("customers"),
    new_customers: v("new_customers"),
    aov: div(v("revenue"), v("orders")),
    spend: v("spend"),
    roas: div(v("revenue"), v("spend")),
    cpa: div(v("spend"), v("new_customers")),
  };
}

function near(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

export function compareOverviews(sextant: Overview, baseline: Overview): string[] {
  const out: string[] = [];
  const periods = new Set([...sextant.rows.keys(), ...baseline.rows.keys()]);
  const compare = (where: string, s: Values | undefined, b: Values | undefined) => {
    for (const kpi of OVERVIEW_KPIS) {
      const x = s?.[kpi];
      const y = b?.[kpi];
      if (!near(x, y)) out.push(`${where} ${kpi}: sextant ${x ?? "null"}, baseline ${y ?? "null"}`);
    }
  };
  for (const period of [...periods].sort())
    compare(`week ${period}`, sextant.rows.get(period), baseline.rows.get(period));
  compare("totals", sextant.totals, baseline.totals);
  return out;
}

/**
 * The statements the store runs for the overview's measures now (rollups when fresh), by week and
 * for the totals, every base measure asked.
 */
function overviewStatements(store: DuckdbStore, workspace: Workspace): QueryResult["statements"] {
  const facts: Fact[] = ["events", "orders", "costs"];
  const base = { workspace, facts, measures: ALL_MEASURES, groupBy: [], filters: [] };
  const queries = [
    {
      name: "by week",
      query: { ...base, interval: "week" as const, buckets: bucketsOf(RANGE.from, RANGE.to, "week") },
    },
    { name: "totals", query: { ...base, interval: null, buckets: bucketsOf(RANGE.from, RANGE.to, null) } },
  ];
  const ws = lit(workspace.name);
  const out: QueryResult["statements"] = [
    {
      label: "refreshDerived check: max(seq) of events",
      ms: 0,
      sql: `SELECT coalesce(max(seq), 0) FROM events WHERE workspace = ${ws}`,
    },
  ];
  for (const { name, query } of queries) {
    for (const sql of store.measureSql(query)) {
      const table = /FROM (rollup_\w+|session_events|ad_costs|orders)\b/.exec(sql)?.[1] ?? "?";
      const what = sql.includes("retained_customers") ? `${table} (retention)` : table;
      out.push({ label: `${what} ${name}`, ms: 0, sql });
    }
  }
  return out;
}

/** Each statement timed on its own: one warm-up, median of 3. */
async function timeStatements(
  raw: RawDuckdb,
  statements: QueryResult["statements"],
): Promise<QueryResult["statements"]> {
  const out = statements.map((s) => ({ ...s }));
  for (const s of out) {
    await raw.all(s.sql);
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push((await timed(() => raw.all(s.sql))).ms);
    s.ms = median(runs);
  }
  return out;
}
