import type { DuckDBConnection, DuckDBPreparedStatement } from "@duckdb/node-api";
import type { Transaction } from "./connection.js";
import { duckdbDialect as d } from "./dialect.js";
import type { EventRow } from "./event-row.js";
import { KEY_HASHES_SQL, KeyFilter, keyHashes } from "./key-filter.js";

const DAY_MICROS = 86_400_000_000n;
/** docs/sending-events.md#what-happens-to-an-event: the same messageId is stored once within 7 days. */
const DEDUP_WINDOW_MICROS = 7n * DAY_MICROS;
/**
 * Keys of events this recent are held in the filter (the 7-day window and 2 days for late
 * events); events older than that are checked in the database. Few days keep the first commit
 * after a start, which reads them all, short.
 */
const COVERED_DAYS = 9n;
const MIN_CAPACITY = 1_000_000;
const MAX_CAPACITY = 100_000_000;

/**
 * Appends typed events (event-row.ts) straight into `events` in one INSERT, inside the caller's
 * transaction: no temporary tables, and the de-duplication of import.ts' anti-join without its scan — a key filter of every event stored since `coverFrom` says which keys are
 * new for certain, and only the others are looked up. This process is the only writer of the
 * file; writes that bypass it (imports, the SQL path) must call `markStale`.
 */
export class EventAppender {
  private filter = new KeyFilter(MIN_CAPACITY);
  private coverFrom = 0n;
  /** Every event with seq ≤ coveredSeq and ts ≥ coverFrom has its key in the filter. */
  private coveredSeq = -1n;
  private nextSeq = 1n;
  private stale = true;
  private insert: { connection: DuckDBConnection; statement: DuckDBPreparedStatement } | null = null;

  /** Events were written another way: read their keys and sequence numbers before the next append. */
  markStale(): void {
    this.stale = true;
  }

  /**
   * A transaction holding appended or caught-up rows was rolled back: what this remembers may
   * describe rows that do not exist, so everything is read again before the next append.
   */
  forget(): void {
    this.coveredSeq = -1n;
    this.stale = true;
  }

  /**
   * Stores, for each workspace, the rows whose key is new (neither in the rows before it nor
   * stored within 7 days), in one INSERT: outside a transaction it commits on its own.
   */
  async append(
    tx: Transaction,
    byWorkspace: ReadonlyMap<string, readonly EventRow[]>,
  ): Promise<{ stored: number; duplicates: number }> {
    if (this.stale) await this.catchUp(tx);
    const workspaces: string[] = [];
    const seqs: number[] = [];
    const fresh: EventRow[] = [];
    let duplicates = 0;
    for (const [workspace, rows] of byWorkspace) {
      const hashes = rows.map((row) => keyHashes(row.dedupKey));
      const taken = await this.takenKeys(tx, workspace, rows, hashes);
      rows.forEach((row, i) => {
        if (taken.has(row.dedupKey)) {
          duplicates++;
          return;
        }
        taken.add(row.dedupKey);
        workspaces.push(workspace);
        seqs.push(Number(this.nextSeq++));
        fresh.push(row);
        const [h1, h2] = hashes[i] as [number, number];
        // Added before the commit: if it fails, the filter only errs on the safe side.
        this.filter.add(h1, h2);
      });
    }
    if (fresh.length > 0) {
      const statement = await this.insertStatement(tx.connection);
      statement.bindVarchar(1, columnsJson(workspaces, seqs, fresh));
      await statement.run();
    }
    this.coveredSeq = this.nextSeq - 1n;
    if (this.filter.full) this.stale = true;
    return { stored: fresh.length, duplicates };
  }

  /**
   * The keys of `rows` already stored in the workspace with a time within 7 days of the rows'
   * (as import.ts' anti-join): looked up only for keys the filter cannot rule out.
   */
  private async takenKeys(
    tx: Transaction,
    workspace: string,
    rows: readonly EventRow[],
    hashes: readonly (readonly [number, number])[],
  ): Promise<Set<bigint>> {
    let min = rows[0]?.tsMicros ?? 0n;
    let max = min;
    for (const row of rows) {
      if (row.tsMicros < min) min = row.tsMicros;
      if (row.tsMicros > max) max = row.tsMicros;
    }
    const from = min - DEDUP_WINDOW_MICROS;
    const to = max + DEDUP_WINDOW_MICROS;
    const uncovered = from < this.coverFrom;
    const suspects: bigint[] = [];
    rows.forEach((row, i) => {
      const [h1, h2] = hashes[i] as [number, number];
      if (uncovered || this.filter.mightContain(h1, h2)) suspects.push(row.dedupKey);
    });
    return this.storedKeys(tx, workspace, suspects, from, to);
  }

  /** Prepared once per connection; DuckDB parses the rows off the JavaScript thread. */
  private async insertStatement(connection: DuckDBConnection): Promise<DuckDBPreparedStatement> {
    if (this.insert?.connection !== connection) {
      this.insert = { connection, statement: await connection.prepare(INSERT_SQL) };
    }
    return this.insert.statement;
  }

  private async storedKeys(
    tx: Transaction,
    workspace: string,
    keys: readonly bigint[],
    from: bigint,
    to: bigint,
  ): Promise<Set<bigint>> {
    if (keys.length === 0) return new Set();
    const rows = await tx.all(`SELECT DISTINCT dedup_key::VARCHAR AS k FROM events
      WHERE workspace = ${d.literal(workspace)} AND dedup_key IN (${keys.map((k) => `${k}::UHUGEINT`).join(", ")})
        AND ts BETWEEN make_timestamp(${from})::TIMESTAMPTZ AND make_timestamp(${to})::TIMESTAMPTZ`);
    return new Set(rows.map((r) => BigInt(String(r.k))));
  }

  /**
   * Brings the filter and the sequence up to date with the stored events: the keys written since
   * `coveredSeq`, or all recent keys again when the filter is full or the window has moved on.
   */
  private async catchUp(tx: Transaction): Promise<void> {
    const nowMicros = BigInt(Date.now()) * 1000n;
    const rebuild =
      this.coveredSeq < 0n || this.filter.full || nowMicros - this.coverFrom > 2n * COVERED_DAYS * DAY_MICROS;
    const coverFrom = rebuild ? nowMicros - COVERED_DAYS * DAY_MICROS : this.coverFrom;
    const stored =
      await tx.all(`SELECT count(*) FILTER (WHERE ts >= make_timestamp(${coverFrom})::TIMESTAMPTZ)::BIGINT AS n,
        coalesce(max(seq), 0)::BIGINT AS s FROM events`);
    if (rebuild) {
      const recent = Number(stored[0]?.n ?? 0);
      this.filter = new KeyFilter(Math.min(MAX_CAPACITY, Math.max(MIN_CAPACITY, 2 * recent)));
      this.coverFrom = coverFrom;
      this.coveredSeq = -1n;
    }
    const result = await tx.connection.run(`SELECT ${KEY_HASHES_SQL} FROM events
      WHERE seq > ${this.coveredSeq} AND ts >= make_timestamp(${this.coverFrom})::TIMESTAMPTZ`);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const h1 = chunk.getColumnVector(0);
      const h2 = chunk.getColumnVector(1);
      for (let i = 0; i < chunk.rowCount; i++) this.filter.add(Number(h1.getItem(i)), Number(h2.getItem(i)));
    }
    const maxSeq = BigInt(String(stored[0]?.s ?? 0));
    this.coveredSeq = maxSeq;
    this.nextSeq = maxSeq + 1n;
    this.stale = false;
  }
}

/**
 * The rows travel as one JSON object of columns (a list per column), a single parameter: building
 * it is one JSON.stringify on the JavaScript thread, where DuckDB's appender takes a native call
 * per value, on that thread, and cost it more in a prototype.
 */
const COLUMNS: readonly [string, string, (r: EventRow) => unknown][] = [
  ["dedup_key", "VARCHAR", (r) => r.dedupKey.toString()],
  ["message_id", "VARCHAR", (r) => r.messageId],
  ["ts", "BIGINT", (r) => Number(r.tsMicros)],
  ["type", "VARCHAR", (r) => r.type],
  ["name", "VARCHAR", (r) => r.name],
  ["visitor_id", "VARCHAR", (r) => r.visitorId],
  ["user_id", "VARCHAR", (r) => r.userId],
  ["anonymous_id", "VARCHAR", (r) => r.anonymousId],
  ["url", "VARCHAR", (r) => r.url],
  ["host", "VARCHAR", (r) => r.host],
  ["path", "VARCHAR", (r) => r.path],
  ["referrer", "VARCHAR", (r) => r.referrer],
  ["referrer_domain", "VARCHAR", (r) => r.referrerDomain],
  ["utm_source", "VARCHAR", (r) => r.utmSource],
  ["utm_medium", "VARCHAR", (r) => r.utmMedium],
  ["utm_campaign", "VARCHAR", (r) => r.utmCampaign],
  ["utm_content", "VARCHAR", (r) => r.utmContent],
  ["utm_term", "VARCHAR", (r) => r.utmTerm],
  ["campaign_key", "VARCHAR", (r) => r.campaignKey],
  ["device", "VARCHAR", (r) => r.device],
  ["browser", "VARCHAR", (r) => r.browser],
  ["os", "VARCHAR", (r) => r.os],
  ["country", "VARCHAR", (r) => r.country],
  ["revenue", "DOUBLE", (r) => r.revenue],
  ["currency", "VARCHAR", (r) => r.currency],
  ["order_id", "VARCHAR", (r) => r.orderId],
  ["properties", "VARCHAR", (r) => r.properties],
];

const SHAPE = JSON.stringify({
  workspace: ["VARCHAR"],
  seq: ["BIGINT"],
  ...Object.fromEntries(COLUMNS.map(([name, type]) => [name, [type]])),
});

const INSERT_SQL = `INSERT INTO events BY NAME
  SELECT workspace, seq, dedup_key::UHUGEINT AS dedup_key, make_timestamp(ts)::TIMESTAMPTZ AS ts,
    properties::JSON AS properties, * EXCLUDE (workspace, seq, dedup_key, ts, properties)
  FROM (SELECT unnest(c.workspace) AS workspace, unnest(c.seq) AS seq, ${COLUMNS.map(([name]) => `unnest(c.${name}) AS ${name}`).join(", ")}
    FROM (SELECT json_transform($1::VARCHAR, ${d.literal(SHAPE)}) AS c))`;

function columnsJson(
  workspace: readonly string[],
  seqs: readonly number[],
  rows: readonly EventRow[],
): string {
  const columns: Record<string, unknown> = { workspace, seq: seqs };
  for (const [name, , value] of COLUMNS) columns[name] = rows.map(value);
  return JSON.stringify(columns);
}
