import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { clientInfo } from "../../src/ingest/client-info.js";
import { normalizeSegment } from "../../src/ingest/segment/normalize.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { TextRecord } from "../../src/model/text-record.js";
import type { Workspace } from "../../src/model/workspace.js";
import { Transaction } from "../../src/store/duckdb/connection.js";
import { DUCKDB_SCHEMA } from "../../src/store/duckdb/schema.js";
import { appendEventRecords } from "../../src/store/staging/stage.js";
import { BROWSER_UA, segmentBatch } from "../../test/support/payloads.js";
import { median } from "../stats.js";

/**
 * The statements of one group commit, by phase: the SQL path (appendEventRecords) and the path of
 * events typed in JavaScript (event-appender.ts: one prepared INSERT, rare lookups).
 */
const PHASES: readonly [RegExp, string][] = [
  [/^INSERT INTO events BY NAME\s+SELECT workspace, seq, dedup_key::UHUGEINT/, "INSERT of typed rows (JSON)"],
  [/^SELECT DISTINCT dedup_key::VARCHAR AS k FROM events/, "de-dup lookup of filter hits"],
  [/^SELECT count\(\*\) FILTER/, "key filter catch-up"],
  [/^SELECT \(dedup_key & 4294967295\)/, "key filter catch-up"],
  [/^SELECT name, CAST\(settings/, "read workspaces"],
  [/^BEGIN/, "BEGIN"],
  [/^CREATE TEMP TABLE raw/, "temp table raw + appender"],
  [/^CREATE TEMP TABLE typed/, "typed SELECT"],
  [/^SELECT line, error FROM typed/, "typing error check"],
  [/max\(seq\)/, "max(seq) FROM events"],
  [/^CREATE TEMP TABLE enriched/, "enriched SELECT"],
  [/^SELECT count\(\*\) FROM events/, "count(*) FROM events ×2"],
  [/^INSERT INTO events/, "anti-join INSERT"],
  [/^DROP TABLE/, "DROP temp tables ×3"],
  [/^COMMIT/, "COMMIT"],
];

function phaseOf(sql: string): string {
  const text = sql.trim();
  return PHASES.find(([re]) => re.test(text))?.[1] ?? `other: ${text.slice(0, 40)}`;
}

/**
 * A connection whose statements are timed: each statement's phase runs until the next statement
 * starts, so the JavaScript appender loop after `CREATE TEMP TABLE raw` counts in that phase.
 */
class PhaseClock {
  private marks: { phase: string; at: number }[] = [];

  wrap(connection: DuckDBConnection): DuckDBConnection {
    const mark = (sql: string) => this.marks.push({ phase: phaseOf(sql), at: performance.now() });
    return new Proxy(connection, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "run" || prop === "runAndReadAll") {
          return (sql: string, ...rest: unknown[]) => {
            mark(sql);
            return (value as (...args: unknown[]) => unknown).call(target, sql, ...rest);
          };
        }
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
  }

  /** Milliseconds per phase since the last call. */
  take(end: number): Map<string, number> {
    const out = new Map<string, number>();
    this.marks.forEach((m, i) => {
      const next = this.marks[i + 1]?.at ?? end;
      out.set(m.phase, (out.get(m.phase) ?? 0) + (next - m.at));
    });
    this.marks = [];
    return out;
  }
}

export interface PhaseRow {
  readonly storedEvents: number;
  readonly groupEvents: number;
  readonly commits: number;
  /** Median milliseconds per phase of one commit. */
  readonly phases: Record<string, number>;
  readonly totalMs: number;
  readonly eventsPerSecond: number;
}

export interface PhaseResults {
  /** Median µs of normalizeSegment on one 100-event batch (the route's JavaScript work before the writer). */
  readonly normalizeBatch100Us: number;
  /** µs of clientInfo (ua-parser-js + isbot) for one message, which normalizeSegment runs per message. */
  readonly clientInfoUs: number;
  readonly rows: readonly PhaseRow[];
}

function records(prefix: string, count: number): TextRecord[] {
  const out: TextRecord[] = [];
  for (let i = 0; out.length < count; i++) {
    const { body } = segmentBatch(`${prefix}-${i}`, Math.min(100, count - out.length));
    out.push(...normalizeSegment("batch", JSON.parse(body), new Date(), BROWSER_UA).records);
  }
  return out;
}

/** Stored events spread over the last 60 days in time order, as a live store holds them. */
async function fill(connection: DuckDBConnection, from: number, to: number, total: number): Promise<void> {
  if (to <= from) return;
  await connection.run(`INSERT INTO events BY NAME
    SELECT 'shop' AS workspace, i AS seq, md5_number('m:fill-' || i) AS dedup_key, 'fill-' || i AS message_id,
      to_timestamp(epoch(now()) - 61 * 86400 + i * (60 * 86400.0 / ${total})) AS ts, 'track' AS type,
      'Product Viewed' AS name, 'user-' || (i % 50000) AS visitor_id, 'user-' || (i % 50000) AS user_id,
      'https://shop.example/products/' || (i % 97) AS url, 'shop.example' AS host, '/products/' || (i % 97) AS path,
      'news' AS utm_source, 'email' AS utm_medium, 'Spring Sale' AS utm_campaign, 'spring sale' AS campaign_key,
      'desktop' AS device, 'Chrome' AS browser, 'Windows' AS os, '{"plan":"pro"}'::JSON AS properties
    FROM range(${from + 1}, ${to + 1}) t(i)`);
  await connection.run("CHECKPOINT");
}

/**
 * Times the phases of the group commit on a DuckDB file holding `sizes` stored events, for
 * groups of `groups` events, with the same code the server runs (appendEventRecords) and the same
 * memory limit as `sextant serve`.
 */
export async function benchPhases(options: {
  sizes: readonly number[];
  groups: readonly number[];
  commits: number;
  log?: (line: string) => void;
}): Promise<PhaseResults> {
  const log = options.log ?? (() => undefined);
  // JavaScript side first: the route's validation and normalisation.
  const { body } = segmentBatch("n", 100);
  const parsed = JSON.parse(body) as unknown;
  const normalize: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    normalizeSegment("batch", parsed, new Date(), "analytics-node/3.1.0");
    normalize.push((performance.now() - t) * 1000);
  }
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) clientInfo(i % 2 ? BROWSER_UA : `analytics-node/3.1.${i}`);
  const clientInfoUs = ((performance.now() - t0) * 1000) / 2000;

  const dir = mkdtempSync(join(tmpdir(), "sextant-phases-"));
  const instance = await DuckDBInstance.create(join(dir, "p.duckdb"), {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    memory_limit: "512MB",
  });
  const rows: PhaseRow[] = [];
  try {
    const raw = await instance.connect();
    await raw.run("SET TimeZone = 'UTC'");
    for (const sql of DUCKDB_SCHEMA) await raw.run(sql);
    const settings = validateSettings({ domains: ["shop.example"] });
    await raw.run(`INSERT INTO workspaces (name, settings) VALUES ('shop', '${JSON.stringify(settings)}')`);
    const workspace: Workspace = { name: "shop", settings };
    const clock = new PhaseClock();
    const tx = new Transaction(clock.wrap(raw));
    let stored = 0;
    const sizes = [...options.sizes].sort((a, b) => a - b);
    for (const size of sizes) {
      await fill(raw, stored, size, Math.max(...sizes, 1));
      stored = Math.max(stored, size);
      for (const group of options.groups) {
        const perPhase = new Map<string, number[]>();
        const totals: number[] = [];
        for (let c = 0; c < options.commits; c++) {
          const batch = records(`ph-${size}-${group}-${c}`, group);
          const start = performance.now();
          // As DuckdbStore.appendEvents: read the workspaces, then one transaction.
          await tx.all("SELECT name, CAST(settings AS VARCHAR) AS settings FROM workspaces");
          await tx.run("BEGIN TRANSACTION");
          await appendEventRecords(tx, workspace, batch);
          await tx.run("COMMIT");
          const end = performance.now();
          totals.push(end - start);
          for (const [phase, ms] of clock.take(end))
            perPhase.set(phase, [...(perPhase.get(phase) ?? []), ms]);
        }
        // The test events stay stored: later rows measure a slightly larger table, as a live store grows.
        const phases = Object.fromEntries([...perPhase].map(([phase, ms]) => [phase, median(ms)]));
        const totalMs = median(totals);
        const row = {
          storedEvents: size,
          groupEvents: group,
          commits: options.commits,
          phases,
          totalMs,
          eventsPerSecond: (group / totalMs) * 1000,
        };
        rows.push(row);
        log(
          `    ${size.toLocaleString("en-US")} stored, ${group}-event commits: ${totalMs.toFixed(1)} ms median → ${Math.round(row.eventsPerSecond).toLocaleString("en-US")} events/s`,
        );
      }
    }
    raw.closeSync();
  } finally {
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
  return { normalizeBatch100Us: median(normalize), clientInfoUs, rows };
}

/** Wall time (start → settled) of a connection's statements by phase, with how many ran. */
export class StatementTimer {
  readonly phases = new Map<string, { count: number; ms: number }>();

  wrap(connection: DuckDBConnection): DuckDBConnection {
    const record = (phase: string, ms: number) => {
      const entry = this.phases.get(phase) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += ms;
      this.phases.set(phase, entry);
    };
    return new Proxy(connection, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "run" || prop === "runAndReadAll") {
          return async (sql: string, ...rest: unknown[]) => {
            const start = performance.now();
            try {
              return await (value as (...args: unknown[]) => Promise<unknown>).call(target, sql, ...rest);
            } finally {
              record(phaseOf(sql), performance.now() - start);
            }
          };
        }
        if (prop === "prepare") {
          // A prepared statement's runs are timed under the phase of its SQL.
          return async (sql: string) => {
            const statement = await target.prepare(sql);
            const run = statement.run.bind(statement);
            statement.run = async () => {
              const start = performance.now();
              try {
                return await run();
              } finally {
                record(phaseOf(sql), performance.now() - start);
              }
            };
            return statement;
          };
        }
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
  }

  /** Mean ms per statement of each phase, and the phases' share of `wallMs`. */
  summary(wallMs: number): { phase: string; count: number; meanMs: number; share: number }[] {
    return [...this.phases].map(([phase, { count, ms }]) => ({
      phase,
      count,
      meanMs: ms / count,
      share: ms / wallMs,
    }));
  }
}

/**
 * Mean wall time of the first statement of a group commit when nothing else runs: the baseline
 * for the same statement inside a loaded server, whose completion waits for the event loop.
 */
export async function idleStatementMs(
  connection: DuckDBConnection,
  sql: string,
  times = 30,
): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < times; i++) await connection.runAndReadAll(sql);
  return (performance.now() - start) / times;
}
