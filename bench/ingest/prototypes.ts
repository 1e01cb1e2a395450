import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  timestampTZValue,
} from "@duckdb/node-api";
import { normalizeSegment } from "../../src/ingest/segment/normalize.js";
import type { TextRecord } from "../../src/model/text-record.js";
import type { Workspace } from "../../src/model/workspace.js";
import { Transaction } from "../../src/store/duckdb/connection.js";
import { DUCKDB_SCHEMA } from "../../src/store/duckdb/schema.js";
import { appendEventRecords } from "../../src/store/staging/stage.js";
import { validateSettings } from "../../src/workspace/parse-setting.js";
import { median } from "../stats.js";
import { BROWSER_UA, segmentBatch } from "./payloads.js";

/**
 * What-if measurements for the report, NOT a proposed implementation: how long one group commit
 * takes when the events are typed and enriched in JavaScript (they are validated there already)
 * and appended with typed values, against the current SQL pipeline, on the same file and rows.
 *
 *  - current: DuckdbStore.appendEvents' statements (appendEventRecords).
 *  - js-typed + anti-join: typed rows appended to a temp staging table that lives as long as the
 *    connection, one INSERT … WHERE NOT EXISTS (the same ±7-day de-duplication), DELETE staging.
 *  - js-typed, no dedup (floor): typed rows appended straight into `events`.
 */

const EVENT_COLUMNS = [
  "workspace",
  "seq",
  "dedup_key",
  "message_id",
  "ts",
  "type",
  "name",
  "visitor_id",
  "user_id",
  "anonymous_id",
  "url",
  "host",
  "path",
  "referrer",
  "referrer_domain",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_content",
  "utm_term",
  "campaign_key",
  "device",
  "browser",
  "os",
  "country",
  "revenue",
  "currency",
  "order_id",
  "properties",
] as const;

function host(url: URL | null): string | null {
  return url ? url.hostname.toLowerCase().replace(/^www\./, "") || null : null;
}

function parseUrl(text: string | null | undefined): URL | null {
  if (!text) return null;
  try {
    return new URL(text, "http://invalid.host");
  } catch {
    return null;
  }
}

/** The enrichment of import-sql.ts, roughly, in JavaScript (enough for a cost estimate). */
function appendTyped(appender: DuckDBAppender, workspace: string, seq: bigint, r: TextRecord): void {
  const url = parseUrl(r.url);
  const utm = (name: string) => r[`utm_${name}`] ?? url?.searchParams.get(`utm_${name}`) ?? null;
  const type = r.type === "page" ? "page" : (r.type ?? "track");
  const key = createHash("md5")
    .update(`m:${r.message_id ?? JSON.stringify(r)}`)
    .digest();
  const values: Record<(typeof EVENT_COLUMNS)[number], unknown> = {
    workspace,
    seq,
    dedup_key: key.readBigUInt64BE(0) * 2n ** 64n + key.readBigUInt64BE(8),
    message_id: r.message_id ?? null,
    ts: timestampTZValue(BigInt(Date.parse(r.timestamp ?? "")) * 1000n),
    type,
    name: type === "page" ? "pageview" : r.event,
    visitor_id: r.visitor_id,
    user_id: r.user_id ?? null,
    anonymous_id: r.anonymous_id ?? null,
    url: r.url ?? null,
    host: host(url),
    path: url ? url.pathname : null,
    referrer: r.referrer ?? null,
    referrer_domain: host(parseUrl(r.referrer)),
    utm_source: utm("source"),
    utm_medium: utm("medium"),
    utm_campaign: utm("campaign"),
    utm_content: utm("content"),
    utm_term: utm("term"),
    campaign_key: utm("campaign")?.trim().toLowerCase() || null,
    device: r.device?.toLowerCase() ?? null,
    browser: r.browser ?? null,
    os: r.os ?? null,
    country: r.country?.toUpperCase() ?? null,
    revenue: r.revenue == null ? null : Number(r.revenue),
    currency: r.currency?.toUpperCase() ?? null,
    order_id: r.order_id ?? null,
    properties: r.properties ?? null,
  };
  for (const column of EVENT_COLUMNS) {
    const v = values[column];
    if (v === null || v === undefined) appender.appendNull();
    else if (column === "seq") appender.appendBigInt(v as bigint);
    else if (column === "dedup_key") appender.appendUHugeInt(v as bigint);
    else if (column === "ts") appender.appendTimestampTZ(v as ReturnType<typeof timestampTZValue>);
    else if (column === "revenue") appender.appendDouble(v as number);
    else appender.appendVarchar(String(v));
  }
  appender.endRow();
}

export interface PrototypeRow {
  readonly storedEvents: number;
  readonly groupEvents: number;
  /** Median ms per commit of each variant, measured interleaved on the same file. */
  readonly currentMs: number;
  readonly jsTypedAntiJoinMs: number;
  readonly jsTypedNoDedupMs: number;
}

function records(prefix: string, count: number): TextRecord[] {
  const out: TextRecord[] = [];
  for (let i = 0; out.length < count; i++) {
    const { body } = segmentBatch(`${prefix}-${i}`, Math.min(100, count - out.length));
    out.push(...normalizeSegment("batch", JSON.parse(body), new Date(), BROWSER_UA).records);
  }
  return out;
}

async function fill(connection: DuckDBConnection, count: number): Promise<void> {
  if (count === 0) return;
  await connection.run(`INSERT INTO events BY NAME
    SELECT 'shop' AS workspace, i AS seq, md5_number('m:fill-' || i) AS dedup_key, 'fill-' || i AS message_id,
      to_timestamp(epoch(now()) - 61 * 86400 + i * (60 * 86400.0 / ${count})) AS ts, 'track' AS type,
      'Product Viewed' AS name, 'user-' || (i % 50000) AS visitor_id, 'https://shop.example/p/' || (i % 97) AS url,
      '{"plan":"pro"}'::JSON AS properties
    FROM range(1, ${count + 1}) t(i)`);
  await connection.run("CHECKPOINT");
}

/** Interleaves the three variants `commits` times for each stored size and group size. */
export async function benchPrototypes(options: {
  sizes: readonly number[];
  groups: readonly number[];
  commits: number;
  log?: (line: string) => void;
}): Promise<PrototypeRow[]> {
  const log = options.log ?? (() => undefined);
  const rows: PrototypeRow[] = [];
  for (const size of options.sizes) {
    const dir = mkdtempSync(join(tmpdir(), "sextant-proto-"));
    const instance = await DuckDBInstance.create(join(dir, "p.duckdb"), {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      memory_limit: "512MB",
    });
    try {
      const c = await instance.connect();
      await c.run("SET TimeZone = 'UTC'");
      for (const sql of DUCKDB_SCHEMA) await c.run(sql);
      const settings = validateSettings({});
      await c.run(`INSERT INTO workspaces (name, settings) VALUES ('shop', '${JSON.stringify(settings)}')`);
      const workspace: Workspace = { name: "shop", settings };
      await fill(c, size);
      await c.run(`CREATE TEMP TABLE staging AS SELECT * FROM events LIMIT 0`);
      let seq = BigInt(size) + 1_000_000_000n;
      const tx = new Transaction(c);
      const variants: Record<string, (r: TextRecord[]) => Promise<void>> = {
        current: async (r) => {
          await tx.all("SELECT name, CAST(settings AS VARCHAR) AS settings FROM workspaces");
          await tx.run("BEGIN TRANSACTION");
          await appendEventRecords(tx, workspace, r);
          await tx.run("COMMIT");
        },
        antiJoin: async (r) => {
          await c.run("BEGIN TRANSACTION");
          const appender = await c.createAppender("staging", "main", "temp");
          for (const record of r) appendTyped(appender, "shop", seq++, record);
          appender.closeSync();
          await c.run(`INSERT INTO events SELECT s.* FROM staging s WHERE NOT EXISTS (
              SELECT 1 FROM events x WHERE x.workspace = 'shop' AND x.dedup_key = s.dedup_key
                AND x.ts BETWEEN (SELECT min(ts) FROM staging) - INTERVAL 7 DAY AND (SELECT max(ts) FROM staging) + INTERVAL 7 DAY)
            QUALIFY row_number() OVER (PARTITION BY s.dedup_key ORDER BY s.seq) = 1`);
          await c.run("DELETE FROM staging");
          await c.run("COMMIT");
        },
        noDedup: async (r) => {
          await c.run("BEGIN TRANSACTION");
          const appender = await c.createAppender("events");
          for (const record of r) appendTyped(appender, "shop", seq++, record);
          appender.closeSync();
          await c.run("COMMIT");
        },
      };
      for (const group of options.groups) {
        const times: Record<string, number[]> = { current: [], antiJoin: [], noDedup: [] };
        for (let k = 0; k < options.commits; k++) {
          for (const [name, run] of Object.entries(variants)) {
            const batch = records(`pr-${size}-${group}-${k}-${name}`, group);
            const start = performance.now();
            await run(batch);
            times[name]?.push(performance.now() - start);
          }
        }
        const row: PrototypeRow = {
          storedEvents: size,
          groupEvents: group,
          currentMs: median(times.current ?? []),
          jsTypedAntiJoinMs: median(times.antiJoin ?? []),
          jsTypedNoDedupMs: median(times.noDedup ?? []),
        };
        rows.push(row);
        const eps = (ms: number) => `${Math.round((group / ms) * 1000).toLocaleString("en-US")}/s`;
        log(
          `    ${size.toLocaleString("en-US")} stored, ${group}-event commits: current ${row.currentMs.toFixed(1)} ms (${eps(row.currentMs)}), ` +
            `JS-typed + anti-join ${row.jsTypedAntiJoinMs.toFixed(1)} ms (${eps(row.jsTypedAntiJoinMs)}), ` +
            `JS-typed no dedup ${row.jsTypedNoDedupMs.toFixed(1)} ms (${eps(row.jsTypedNoDedupMs)})`,
        );
      }
      c.closeSync();
    } finally {
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
