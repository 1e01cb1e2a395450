import { randomBytes } from "node:crypto";
import { UserError } from "../../errors.js";
import { KIND_SPECS } from "../../model/import-kinds.js";
import { type ApiKey, type KeyKind, storedKeyKind } from "../../model/keys.js";
import type { Fact } from "../../model/measures.js";
import { ENGAGEMENT_MEASURES, FACTS } from "../../model/measures.js";
import type { Workspace, WorkspaceSettings } from "../../model/workspace.js";
import { redactUrlPassword } from "../../redact.js";
import { DuckdbConnection, type Transaction } from "../duckdb/connection.js";
import { duckdbDialect } from "../duckdb/dialect.js";
import {
  recordsByWorkspace,
  toCohortRows,
  toDocument,
  toFunnelCounts,
  toMeasureRow,
  toMetricSumsRows,
  toWorkspace,
} from "../rows.js";
import { type MeasureSources, measureStatements } from "../sql/measure-sql.js";
import { personEventsWhere, personOrdersWhere } from "../sql/person-sql.js";
import { dropStaging, type RowKind, STORED_KINDS, stageEventRecords, stageFile } from "../staging/stage.js";
import type {
  AppendResult,
  CohortQuery,
  CohortRow,
  CustomKpiChange,
  DataSpan,
  DocumentChange,
  ErasureRecord,
  ExposureQuery,
  ExposureRow,
  FunnelCounts,
  FunnelQuery,
  ImportRequest,
  ImportSummary,
  IncomingEvent,
  MeasureQuery,
  MeasureRow,
  MetricSumsQuery,
  MetricSumsRow,
  PersonData,
  Store,
  StoredDocument,
} from "../store.js";
import { clickhouseCohortsSql } from "./cohorts-sql.js";
import { ClickhouseConnection } from "./connection.js";
import { clickhouseDialect as d } from "./dialect.js";
import { clickhouseExperimentIdsSql, clickhouseExposuresSql } from "./exposures-sql.js";
import { clickhouseFunnelSql } from "./funnel-sql.js";
import { clickhouseMetricSumsSql } from "./metric-sums-sql.js";
import { clickhouseOrdersSql, ordersFirstSql } from "./orders-sql.js";
import { DEVICE, linksSql, NO_PERSONS, type PersonMap, personMap } from "./persons-sql.js";
import {
  dayGapsInsert,
  eventsRollupStatements,
  ordersSnapshot,
  ordersSnapshotInsert,
  rollupAnswersEvents,
  rollupGeneration,
  visitorDaysInsert,
} from "./rollup-sql.js";
import { schemaStatements } from "./schema.js";
import { sessionEventsSubquery, sessionNeeds } from "./session-sql.js";
import {
  sessionStartsSource,
  sessionSumsAnswerEvents,
  sessionSumsInsert,
  sessionSumsSource,
} from "./session-sums-sql.js";
import {
  eventsExport,
  factExport,
  incomingKeys,
  loadExisting,
  migrationExports,
  withExport,
} from "./staging.js";

/** Rows of these tables are replaced by key: a read sees the newest import of each key. */
const VERSIONED = {
  costs: versioned("costs"),
  email: versioned("email"),
  social: versioned("social"),
};

function versioned(kind: "costs" | "email" | "social"): { table: string; key: readonly string[] } {
  const { table, key } = STORED_KINDS[kind];
  if (key === null) throw new Error(`${kind} rows have no replacement key`);
  return { table, key };
}

/** Keys per statement when asking which incoming ids are already stored. */
const KEYS_PER_QUERY = 10_000;

/** Events derived by one statement at most when building rollups (rollup-sql.ts). */
const EVENTS_PER_SLICE = 1_000_000;

/** A batch begun this long ago and still not derived lost its writer: a reader derives it. */
const ORPHAN_AFTER_MS = 2 * 60_000;

/** A batch of events whose visitors' rollups are to be written (rollup-sql.ts). */
interface Batch {
  readonly id: bigint;
  /** Event times (whole seconds, UTC) the batch spans: its visitors are among those with events then. */
  readonly lo: number;
  readonly hi: number;
}

/**
 * The ClickHouse store, on one server or a cluster. Inputs are staged in an in-memory DuckDB (the
 * embedded store's own typing and checks), then inserted; KPIs are compiled by the same compiler
 * with ClickHouse's dialect; ungrouped event KPIs and orders from rollup snapshots kept as events
 * arrive (rollup-sql.ts), event KPIs by session dimensions from session sums kept alike
 * (session-sums-sql.ts), other event KPIs over sessions derived when the query runs, orders by
 * their own SQL (orders-sql.ts). Nothing is updated in place, so several `sextant serve` processes
 * can share it.
 */
export class ClickhouseStore implements Store {
  /** Each INSERT makes a part on disk that ClickHouse merges later: a few thousand rows a second suit it. */
  readonly commitIntervalMs = 1_000;
  private versionCounter = 0n;
  /** Rollup work queued after inserts, one at a time; `refreshDerived` waits for it. */
  private derivations: Promise<void> = Promise.resolve();
  /** Per workspace, the rollups found complete by the last `refreshDerived`. */
  private readonly rollups = new Map<
    string,
    { generation: string; snapshot: bigint; orders: bigint; persons: PersonMap }
  >();
  /** Per workspace, its persons as of a count of derived batches (`done` marks of any generation). */
  private readonly persons = new Map<string, { done: number; map: PersonMap }>();

  private constructor(
    private readonly ch: ClickhouseConnection,
    private readonly staging: DuckdbConnection,
    /** The server's version, as `SELECT version()` gives it. */
    readonly serverVersion: string,
  ) {}

  get description(): string {
    // Printed by `sextant serve` at start-up and in messages: never with the URL's password.
    return `ClickHouse ${redactUrlPassword(this.ch.url)}${this.ch.cluster ? ` (cluster ${this.ch.cluster})` : ""}`;
  }

  static async open(url: string, cluster: string | null = null): Promise<ClickhouseStore> {
    const ch = await ClickhouseConnection.open(url, cluster);
    let version: string;
    try {
      await ch.ddl(schemaStatements(ch.database, cluster));
      version = String((await ch.all("SELECT version() AS v"))[0]?.v ?? "unknown");
    } catch (error) {
      await ch.close();
      throw error;
    }
    // Staging only: small, and never more than one import or commit at a time.
    const staging = await DuckdbConnection.open(":memory:", { memoryLimit: "2GB" });
    return new ClickhouseStore(ch, staging, version);
  }

  /** A version newer than any this process made before (microseconds, then a counter). */
  private nextVersion(): bigint {
    const now = BigInt(Date.now()) * 1000n;
    this.versionCounter = now > this.versionCounter ? now : this.versionCounter + 1n;
    return this.versionCounter;
  }

  async listWorkspaces(): Promise<Workspace[]> {
    const rows = await this.ch.all(
      "SELECT name, argMax(settings, version) AS settings FROM workspaces GROUP BY name ORDER BY name",
    );
    return rows.map(toWorkspace);
  }

  async createWorkspace(workspace: Workspace): Promise<void> {
    const exists = await this.ch.number(
      `SELECT count() FROM workspaces WHERE name = ${d.literal(workspace.name)}`,
    );
    if (exists > 0) throw new Error(`workspace ${workspace.name} already exists`);
    await this.updateSettings(workspace.name, workspace.settings);
  }

  async updateSettings(name: string, settings: WorkspaceSettings): Promise<void> {
    await this.ch.insert("workspaces", [
      { name, settings: JSON.stringify(settings), version: String(this.nextVersion()) },
    ]);
  }

  async listCustomKpis(workspace: string): Promise<{ id: string; formula: string }[]> {
    const rows = await this.ch.all(`SELECT id, formula FROM (
        SELECT id, argMax(formula, version) AS formula, argMax(deleted, version) AS gone
        FROM custom_kpis WHERE workspace = ${d.literal(workspace)} GROUP BY id
      ) WHERE gone = 0 ORDER BY id`);
    return rows.map((row) => ({ id: String(row.id), formula: String(row.formula) }));
  }

  async saveCustomKpi(workspace: string, id: string, formula: string): Promise<void> {
    await this.ch.insert("custom_kpis", [
      { workspace, id, formula, deleted: 0, version: String(this.nextVersion()) },
    ]);
  }

  async deleteCustomKpi(workspace: string, id: string): Promise<boolean> {
    const found = (await this.listCustomKpis(workspace)).some((kpi) => kpi.id === id);
    if (found) {
      await this.ch.insert("custom_kpis", [
        { workspace, id, formula: "", deleted: 1, version: String(this.nextVersion()) },
      ]);
    }
    return found;
  }

  async saveKey(key: { id: string; workspace: string; kind: KeyKind; hash: string }): Promise<void> {
    await this.ch.insert("api_keys", [
      { ...key, created_at: secondsNow(), revoked_at: null, version: String(this.nextVersion()) },
    ]);
  }

  private async keys(where: string): Promise<(ApiKey & { hash: string })[]> {
    const rows =
      // Aliases differ from column names: in ClickHouse an alias would replace the column everywhere.
      await this.ch.all(`SELECT id, any(workspace) AS key_workspace, any(kind) AS key_kind, any(hash) AS key_hash,
        min(created_at) AS created, toString(created) AS created_text, toString(argMax(revoked_at, version)) AS revoked_text
      FROM (SELECT * FROM api_keys ${where}) GROUP BY id ORDER BY created, id`);
    return rows.flatMap((row) => {
      // A kind this version does not know grants nothing.
      const kind = storedKeyKind(row.key_kind);
      return kind === null
        ? []
        : [
            {
              id: String(row.id),
              workspace: String(row.key_workspace),
              kind,
              hash: String(row.key_hash),
              createdAt: isoSeconds(String(row.created_text)),
              revokedAt:
                row.revoked_text === null || row.revoked_text === "\\N"
                  ? null
                  : isoSeconds(String(row.revoked_text)),
            },
          ];
    });
  }

  async listKeys(workspace?: string): Promise<ApiKey[]> {
    const where = workspace === undefined ? "" : `WHERE workspace = ${d.literal(workspace)}`;
    return (await this.keys(where)).map(({ hash: _, ...key }) => key);
  }

  async revokeKey(id: string): Promise<boolean> {
    const key = (await this.keys(`WHERE id = ${d.literal(id)}`))[0];
    if (!key || key.revokedAt !== null) return false;
    await this.ch.insert("api_keys", [
      {
        id,
        workspace: key.workspace,
        kind: key.kind,
        hash: key.hash,
        created_at: key.createdAt.replace("T", " ").replace("Z", ""),
        revoked_at: secondsNow(),
        version: String(this.nextVersion()),
      },
    ]);
    return true;
  }

  async findKey(hash: string): Promise<ApiKey | null> {
    const found = (await this.keys(`WHERE hash = ${d.literal(hash)}`)).find((key) => key.revokedAt === null);
    if (!found) return null;
    const { hash: _, ...key } = found;
    return key;
  }

  /**
   * The salt of a UTC day. Processes sharing the server may each insert one; every process then
   * uses the oldest, so visitor hashes agree once both inserts are visible.
   */
  async dailySalt(day: string): Promise<string> {
    const read = async () =>
      (
        await this.ch.all(
          `SELECT argMin(salt, (version, salt)) AS salt, count() AS n FROM salts WHERE day = ${d.literal(day)}`,
        )
      )[0];
    const found = await read();
    if (found && Number(found.n) > 0) return String(found.salt);
    await this.ch.insert("salts", [
      { day, salt: randomBytes(32).toString("hex"), version: String(this.nextVersion()) },
    ]);
    return String((await read())?.salt);
  }

  async importFile(request: ImportRequest): Promise<ImportSummary> {
    return this.staging.session(async (tx) => {
      try {
        const { rowsRead, rejected } = await stageFile(tx, request, KIND_SPECS[request.kind]);
        const valid = await tx.number("SELECT count(*) FROM typed WHERE error IS NULL");
        const merged =
          request.kind === "events"
            ? await this.insertEvents(tx, request.workspace, valid, true)
            : await this.insertFacts(tx, request.kind, request.workspace.name, valid);
        return { kind: request.kind, rowsRead, rejected, ...merged };
      } finally {
        await dropStaging(tx);
        await tx.run("DROP TABLE IF EXISTS temp.existing").catch(() => undefined);
      }
    });
  }

  async appendEvents(events: readonly IncomingEvent[]): Promise<AppendResult> {
    const byWorkspace = recordsByWorkspace(events);
    const workspaces = new Map((await this.listWorkspaces()).map((w) => [w.name, w.settings]));
    let stored = 0;
    let duplicates = 0;
    for (const [name, records] of byWorkspace) {
      const settings = workspaces.get(name);
      if (!settings) throw new Error(`no workspace ${name}`);
      const merged = await this.staging.session(async (tx) => {
        try {
          await stageEventRecords(tx, { name, settings }, records);
          return await this.insertEvents(tx, { name, settings }, records.length, false);
        } finally {
          await dropStaging(tx);
        }
      });
      stored += merged.rowsStored;
      duplicates += merged.rowsDuplicate;
    }
    return { stored, duplicates };
  }

  /**
   * Events of temp table `typed` not stored yet (by message id or row hash, compared with stored
   * events within a week, as the embedded store does), in one INSERT.
   */
  private async insertEvents(tx: Transaction, workspace: Workspace, valid: number, bulk: boolean) {
    const ws = d.literal(workspace.name);
    const base = BigInt(await this.ch.number(`SELECT max(seq) FROM events WHERE workspace = ${ws}`));
    const span = (
      await tx.all(
        "SELECT epoch(min(timestamp)) AS lo, epoch(max(timestamp)) AS hi FROM typed WHERE error IS NULL",
      )
    )[0];
    let existing: string[] = [];
    if (span && span.lo !== null) {
      const week = 7 * 86_400;
      const range = `ts BETWEEN toDateTime(${Math.floor(Number(span.lo)) - week}) AND toDateTime(${Math.ceil(Number(span.hi)) + week})`;
      if (bulk) {
        // A file: every stored key of those weeks, compared in DuckDB.
        existing = (
          await this.ch.all(`SELECT DISTINCT dedup_key FROM events WHERE workspace = ${ws} AND ${range}`)
        ).map((r) => String(r.dedup_key));
      } else {
        const keys = (await tx.all("SELECT DISTINCT hex(dedup_key) AS k FROM typed WHERE error IS NULL")).map(
          (r) => String(r.k),
        );
        existing = await this.storedKeys("events", "dedup_key", keys, `workspace = ${ws} AND ${range}`);
      }
    }
    await loadExisting(tx, existing);
    const stored = await withExport(tx, eventsExport(workspace.name, base), async (path, rows) => {
      if (rows === 0 || !span || span.lo === null) return rows;
      // Announced before the insert: a writer stopping between leaves a mark a reader acts on.
      const batch = {
        id: this.nextVersion(),
        lo: Math.floor(Number(span.lo)),
        hi: Math.ceil(Number(span.hi)),
      };
      await this.markBatch(workspace.name, batch);
      await this.ch.insertFile("events", path);
      this.queueDerivation(workspace, [batch]);
      return rows;
    });
    return { rowsStored: stored, rowsReplaced: 0, rowsDuplicate: valid - stored };
  }

  /** Which of `keys` are stored in `column` of `table` (rows matching `where`), asked in slices. */
  private async storedKeys(
    table: string,
    column: string,
    keys: readonly string[],
    where: string,
  ): Promise<string[]> {
    const found: string[] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const slice = keys.slice(i, i + KEYS_PER_QUERY).map((k) => d.literal(k));
      const rows = await this.ch.all(
        `SELECT DISTINCT ${column} AS k FROM ${table} WHERE ${where} AND ${column} IN (${slice.join(", ")})`,
      );
      for (const row of rows) found.push(String(row.k));
    }
    return found;
  }

  private async insertFacts(tx: Transaction, kind: RowKind, workspace: string, valid: number) {
    const ws = d.literal(workspace);
    let replaced = 0;
    if (kind === "orders") {
      const ids = (await tx.all("SELECT DISTINCT order_id FROM typed WHERE error IS NULL")).map((r) =>
        String(r.order_id),
      );
      await loadExisting(tx, await this.storedKeys("orders", "order_id", ids, `workspace = ${ws}`));
    } else {
      await loadExisting(tx, []);
      const { table, key } = VERSIONED[kind];
      const incoming = await tx.all(incomingKeys(kind, workspace));
      for (let i = 0; i < incoming.length; i += KEYS_PER_QUERY) {
        const tuples = incoming
          .slice(i, i + KEYS_PER_QUERY)
          .map(
            (row) =>
              `(${key.map((k) => (k === "date" ? d.date(String(row[k])) : d.literal(String(row[k])))).join(", ")})`,
          );
        replaced += await this.ch.number(
          `SELECT count() FROM ${currentRows(table, key, ws)} WHERE (${key.join(", ")}) IN (${tuples.join(", ")})`,
        );
      }
    }
    const stored = await withExport(
      tx,
      factExport(kind, workspace, this.nextVersion()),
      async (path, rows) => {
        if (rows > 0) await this.ch.insertFile(STORED_KINDS[kind].table, path);
        // Orders snapshots (rollup-sql.ts) are taken again after this mark.
        if (rows > 0 && kind === "orders") await this.mark(workspace, "", "orders", this.nextVersion());
        return rows;
      },
    );
    return { rowsStored: stored, rowsReplaced: replaced, rowsDuplicate: valid - stored };
  }

  /**
   * Copies an embedded store (a DuckDB file, opened read-only) into this one, table by table, rows
   * exactly as stored. Refuses when a workspace of the file already exists here, so a second run
   * cannot double anything.
   */
  async migrateFrom(duckdbFile: string): Promise<{ table: string; rows: number }[]> {
    return this.staging.session(async (tx) => {
      try {
        await tx.run(`ATTACH ${duckdbDialect.literal(duckdbFile)} AS src (READ_ONLY)`);
      } catch (error) {
        throw new UserError(
          `Sextant could not open the store ${duckdbFile} to migrate it: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}. Stop \`sextant serve\` on it first.`,
          [{ field: "db", reason: "cannot open" }],
          409,
          3,
        );
      }
      try {
        const names = (await tx.all("SELECT name FROM src.workspaces ORDER BY name")).map((r) =>
          String(r.name),
        );
        const taken = (await this.listWorkspaces()).map((w) => w.name).filter((name) => names.includes(name));
        if (taken.length > 0) {
          throw new UserError(
            `${this.description} already has the workspace${taken.length > 1 ? "s" : ""} ${taken.join(", ")}; migrate into an empty ClickHouse database (name one in the URL, e.g. http://host:8123/sextant).`,
            [{ field: "to", reason: "workspace exists" }],
            409,
          );
        }
        const copied: { table: string; rows: number }[] = [];
        for (const { table, select, since } of migrationExports()) {
          // A table newer than the file: nothing of it to copy.
          if (
            since !== undefined &&
            (await tx.number(`SELECT count(*) FROM duckdb_tables()
              WHERE database_name = 'src' AND table_name = ${duckdbDialect.literal(since)}`)) === 0
          )
            continue;
          const rows = await withExport(tx, select, async (path, count) => {
            if (count > 0) await this.ch.insertFile(table, path);
            return count;
          });
          copied.push({ table, rows });
        }
        // The migrated workspaces' rollups are built now, not by their first query.
        for (const workspace of await this.listWorkspaces())
          if (names.includes(workspace.name)) await this.refreshDerived(workspace);
        return copied;
      } finally {
        await tx.run("DETACH src").catch(() => undefined);
      }
    });
  }

  /** ClickHouse merges its parts in the background: nothing to do in a quiet moment. */
  async tidy(): Promise<void> {}

  private async markBatch(workspace: string, batch: Batch): Promise<void> {
    await this.ch.insert("rollup_marks", [
      {
        workspace,
        generation: "",
        kind: "begin",
        id: String(batch.id),
        covered: 0,
        lo: batch.lo,
        hi: batch.hi,
        version: String(this.nextVersion()),
      },
    ]);
  }

  private async mark(workspace: string, generation: string, kind: string, id: bigint, covered = 0) {
    await this.ch.insert("rollup_marks", [
      {
        workspace,
        generation,
        kind,
        id: String(id),
        covered,
        lo: 0,
        hi: 0,
        version: String(this.nextVersion()),
      },
    ]);
  }

  /**
   * Writes the rollups of the visitors of these batches after the insert returned, behind any
   * earlier derivation. A failure leaves the batches begun and not done: a later reader derives them.
   */
  private queueDerivation(workspace: Workspace, batches: readonly Batch[]): void {
    this.derivations = this.derivations.then(() => this.derive(workspace, batches)).catch(() => undefined);
  }

  /**
   * The visitors of `batches` derived into the session rows, then the visitor-days summed from
   * them, of the workspace's current generation, or every visitor when that generation was never
   * built; then a `done` mark for each batch.
   */
  private async derive(workspace: Workspace, batches: readonly Batch[]): Promise<void> {
    const generation = rollupGeneration(workspace);
    const ws = d.literal(workspace.name);
    const built = await this.ch.number(`SELECT count() FROM rollup_marks
      WHERE workspace = ${ws} AND kind = 'built' AND generation = ${d.literal(generation)}`);
    const span =
      built === 0
        ? "1"
        : `(${batches.map((b) => `ts BETWEEN toDateTime(${b.lo}, 'UTC') AND toDateTime(${b.hi}, 'UTC')`).join(" OR ")})`;
    // A build or an import derives its visitors in slices (by hash) of about EVENTS_PER_SLICE
    // events: a visitor's events are gathered into one array, and all of them at once would
    // exceed the server's memory per query.
    const wide = built === 0 || batches.some((b) => b.hi - b.lo > 3_600);
    const slices = wide
      ? Math.max(
          1,
          Math.ceil(
            (await this.ch.number(`SELECT count() FROM events WHERE workspace = ${ws}`)) / EVENTS_PER_SLICE,
          ),
        )
      : 1;
    for (let k = 0; k < slices; k++) {
      // Sliced by device, the key of sessions and rollups (persons-sql.ts).
      const where = slices === 1 ? span : `${span} AND cityHash64(${DEVICE}) % ${slices} = ${k}`;
      const salt = randomBytes(4).readUInt32BE(0);
      await this.ch.onEachNode((local) => sessionSumsInsert(workspace, generation, where, local, salt));
      await this.ch.onEachNode((local) => visitorDaysInsert(workspace, generation, where, local));
    }
    for (const batch of batches) await this.mark(workspace.name, generation, "done", batch.id);
    if (built === 0) await this.mark(workspace.name, generation, "built", this.nextVersion());
  }

  /**
   * Brings the workspace's rollups up to date for its settings: waits for this process's queued
   * derivations, derives batches whose writer stopped, builds a new generation (settings that
   * shape sessions changed, or a migrated store), and takes a snapshot of the day gaps when the
   * visitor-days changed since the newest one.
   */
  async refreshDerived(workspace: Workspace): Promise<void> {
    await this.derivations;
    const ws = d.literal(workspace.name);
    const generation = rollupGeneration(workspace);
    const orphans = (
      await this.ch.all(`SELECT toString(id) AS batch, lo, hi FROM rollup_marks
        WHERE workspace = ${ws} AND kind = 'begin' AND version < ${BigInt(Date.now() - ORPHAN_AFTER_MS) * 1000n}
          AND id NOT IN (SELECT id FROM rollup_marks WHERE workspace = ${ws} AND kind = 'done')`)
    ).map((row) => ({ id: BigInt(String(row.batch)), lo: Number(row.lo), hi: Number(row.hi) }));
    const g = `generation = ${d.literal(generation)}`;
    const state = async () =>
      (
        await this.ch.all(`SELECT countIf(kind = 'built' AND ${g}) AS built, countIf(kind = 'done' AND ${g}) AS done,
            countIf(kind = 'done') AS done_any,
            countIf(kind = 'orders') AS orders,
            toString(maxIf(id, kind = 'snapshot' AND ${g})) AS newest,
            argMaxIf(covered, id, kind = 'snapshot' AND ${g}) AS newest_covered,
            toString(maxIf(id, kind = 'orders_snapshot' AND ${g})) AS newest_orders,
            argMaxIf(covered, id, kind = 'orders_snapshot' AND ${g}) AS newest_orders_covered
          FROM rollup_marks WHERE workspace = ${ws}`)
      )[0] ?? {};
    let now = await state();
    if (Number(now.built) === 0 || orphans.length > 0) {
      await this.derive(workspace, orphans.length > 0 ? orphans : [{ id: this.nextVersion(), lo: 0, hi: 0 }]);
      now = await state();
    }
    // Links come with events: the persons are resolved again when batches were derived since.
    const persons = await this.personsOf(workspace.name, Number(now.done_any));
    let snapshot = BigInt(String(now.newest ?? "0"));
    if (snapshot === 0n || Number(now.newest_covered) !== Number(now.done)) {
      snapshot = this.nextVersion();
      await this.ch.run(dayGapsInsert(workspace.name, generation, snapshot, persons));
      await this.mark(workspace.name, generation, "snapshot", snapshot, Number(now.done));
    }
    // Orders change with events (Order Completed) and with imported orders: both counts only grow.
    let orders = BigInt(String(now.newest_orders ?? "0"));
    const ordersCovered = Number(now.done) + Number(now.orders);
    if (orders === 0n || Number(now.newest_orders_covered) !== ordersCovered) {
      orders = this.nextVersion();
      const first = ordersFirstSql(workspace, { ...this.ordersSources(ws), persons });
      await this.ch.run(ordersSnapshotInsert(workspace.name, generation, orders, first));
      await this.mark(workspace.name, generation, "orders_snapshot", orders, ordersCovered);
    }
    this.rollups.set(workspace.name, { generation, snapshot, orders, persons });
  }

  /**
   * The workspace's persons (persons-sql.ts), resolved from the links of all its events again
   * when batches were derived since they last were (`done`).
   */
  private async personsOf(workspace: string, done: number): Promise<PersonMap> {
    const known = this.persons.get(workspace);
    if (known !== undefined && known.done === done) return known.map;
    const map = personMap(await this.ch.all(linksSql(workspace)));
    this.persons.set(workspace, { done, map });
    return map;
  }

  async queryMeasures(query: MeasureQuery): Promise<MeasureRow[]> {
    const rows: MeasureRow[] = [];
    for (const sql of this.measureSql(query)) {
      const result = await this.ch.allWithTotals(sql);
      for (const row of result.rows) rows.push(toMeasureRow(row, query.groupBy.length));
      if (result.totals) rows.push(toMeasureRow({ ...result.totals, is_total: 1 }, query.groupBy.length));
    }
    return rows;
  }

  /**
   * The statements `queryMeasures` runs, when `refreshDerived` found the rollups complete for the
   * workspace's settings: ungrouped, unfiltered event measures from the day gaps, those grouped or
   * filtered by session dimensions from the session sums; the rest (by page or property, and
   * engagement) from events with sessions derived when the query runs.
   */
  measureSql(query: MeasureQuery): string[] {
    const known = this.rollups.get(query.workspace.name);
    const rollup =
      known !== undefined && known.generation === rollupGeneration(query.workspace) ? known : null;
    const fromRollups = rollup !== null && rollupAnswersEvents(query);
    const fromSums = rollup !== null && !fromRollups && sessionSumsAnswerEvents(query);
    const persons = this.persons.get(query.workspace.name)?.map ?? NO_PERSONS;
    const statements = fromRollups ? eventsRollupStatements(query, rollup.generation, rollup.snapshot) : [];
    const rest = fromRollups ? { ...query, facts: query.facts.filter((f) => f !== "events") } : query;
    const sources = this.querySources(query, rollup, persons);
    const sums = fromSums
      ? { sessionSums: sessionSumsSource(query, rollup.generation, (t) => this.local(t), persons) }
      : {};
    for (const list of measureStatements(d, rest, { ...sources, ...sums }).values()) statements.push(...list);
    // The rollups keep no engagement: time on page and scroll depth come from derived sessions.
    if ((fromRollups || fromSums) && query.measures.some((m) => ENGAGEMENT_MEASURES.has(m))) {
      const engagement = { ...query, facts: ["events" as const] };
      for (const list of measureStatements(d, engagement, { ...sources, engagementOnly: true }).values())
        statements.push(...list);
    }
    return statements;
  }

  /**
   * A node's own table, for a subquery of IN that each shard runs over its own data; named with
   * its database, as a shard runs it in its own default database.
   */
  private local(table: string): string {
    return this.ch.cluster === null ? table : `${d.identifier(this.ch.database)}.${table}_local`;
  }

  private ordersSources(ws: string): { orders: string; events: string } {
    return { orders: `(SELECT * FROM orders WHERE workspace = ${ws})`, events: "events" };
  }

  /** Where the compiler reads; orders from the newest snapshot when `rollup` is current. */
  private querySources(
    query: MeasureQuery,
    rollup: { generation: string; orders: bigint } | null,
    persons: PersonMap,
  ): MeasureSources {
    const ws = d.literal(query.workspace.name);
    const first = query.buckets[0];
    const last = query.buckets[query.buckets.length - 1];
    if (!first || !last) throw new Error("a measure query needs at least one bucket");
    return {
      sessionEvents: sessionEventsSubquery(
        "events",
        query.workspace,
        { from: first.from, to: last.to },
        sessionNeeds(query),
        persons,
      ),
      costs: currentRows("ad_costs", VERSIONED.costs.key, ws),
      email: currentRows("email_campaigns", VERSIONED.email.key, ws),
      social: currentRows("social_metrics", VERSIONED.social.key, ws),
      orders: (_, q) =>
        clickhouseOrdersSql(q, {
          ...this.ordersSources(ws),
          persons,
          ...(rollup
            ? {
                ordersFirst: ordersSnapshot(q.workspace.name, rollup.generation, rollup.orders),
                sessionStarts: (from: string, to: string) =>
                  sessionStartsSource(
                    q.workspace.name,
                    rollup.generation,
                    from,
                    to,
                    (t) => this.local(t),
                    persons,
                  ),
              }
            : {}),
        }),
    };
  }

  async queryFunnel(query: FunnelQuery): Promise<FunnelCounts> {
    // Funnels count persons: resolved from the links of every event first.
    const persons = await this.currentPersons(query.workspace);
    const { groupBy, ...overall } = query;
    const row = (await this.ch.all(clickhouseFunnelSql(overall, persons)))[0];
    const groups = groupBy ? await this.ch.all(clickhouseFunnelSql(query, persons)) : undefined;
    return toFunnelCounts(query.steps.length, row, groups);
  }

  async queryExposures(query: ExposureQuery): Promise<ExposureRow[]> {
    // Exposures count persons: resolved from the links of every event first.
    const rows = await this.ch.all(clickhouseExposuresSql(query, await this.currentPersons(query.workspace)));
    return rows.map((row) => ({
      variation: String(row.variation),
      visitors: Number(row.visitors),
      conversions: Number(row.conversions),
    }));
  }

  /** Every id of the person holding `id`, from the persons resolved by `refreshDerived`. */
  async personIdentities(workspace: Workspace, id: string): Promise<string[]> {
    const { ids, persons } = await this.currentPersons(workspace);
    const person = persons[ids.indexOf(id)] ?? id;
    return [...new Set([id, person, ...ids.filter((_, i) => persons[i] === person)])].sort();
  }

  /** The workspace's persons once every stored event was derived (refreshDerived). */
  private async currentPersons(workspace: Workspace): Promise<PersonMap> {
    await this.refreshDerived(workspace);
    return this.persons.get(workspace.name)?.map ?? NO_PERSONS;
  }

  async queryCohorts(query: CohortQuery): Promise<CohortRow[]> {
    // Cohorts follow stored ids (customers, visitors) on both stores, not persons yet (docs/cohorts.md).
    const sources = { ...this.ordersSources(d.literal(query.workspace.name)), persons: NO_PERSONS };
    return toCohortRows(await this.ch.all(clickhouseCohortsSql(query, sources)));
  }

  async queryMetricSums(query: MetricSumsQuery): Promise<MetricSumsRow[]> {
    return toMetricSumsRows(
      await this.ch.all(clickhouseMetricSumsSql(query, await this.currentPersons(query.workspace))),
    );
  }

  async experimentIds(workspace: string): Promise<string[]> {
    return (await this.ch.all(clickhouseExperimentIdsSql(workspace))).map((row) => String(row.id));
  }

  async listDocuments(workspace: string, kind: string): Promise<StoredDocument[]> {
    const rows = await this.ch.all(`SELECT kind, id, body, updated_at FROM (
        SELECT kind, id, argMax(body, version) AS body, argMax(updated_at, version) AS updated_at,
          argMax(deleted, version) AS gone
        FROM documents WHERE workspace = ${d.literal(workspace)} AND kind = ${d.literal(kind)} GROUP BY kind, id
      ) WHERE gone = 0 ORDER BY id`);
    return rows.map(toDocument);
  }

  async writeDocuments(workspace: string, changes: readonly DocumentChange[]): Promise<void> {
    if (changes.length === 0) return;
    // One INSERT into one shard (documents are sharded by workspace): all the versions or none.
    const updated_at = new Date().toISOString();
    const version = this.nextVersion();
    await this.ch.insert(
      "documents",
      changes.map((change, i) => ({
        workspace,
        kind: change.kind,
        id: change.id,
        body: change.body === null ? "null" : JSON.stringify(change.body),
        updated_at,
        deleted: change.body === null ? 1 : 0,
        version: String(version + BigInt(i)),
      })),
    );
    this.versionCounter = version + BigInt(changes.length);
  }

  async writeDefinitions(
    workspace: string,
    documents: readonly DocumentChange[],
    kpis: readonly CustomKpiChange[],
  ): Promise<void> {
    // ClickHouse has no transaction over two tables: the custom KPIs go first, and are put back
    // as they were if the documents' INSERT fails, so that a failed apply leaves both as before.
    const before = kpis.length > 0 ? await this.listCustomKpis(workspace) : [];
    const rows = (changes: readonly CustomKpiChange[]) => {
      const version = this.nextVersion();
      this.versionCounter = version + BigInt(changes.length);
      return changes.map((k, i) => ({
        workspace,
        id: k.id,
        formula: k.formula ?? "",
        deleted: k.formula === null ? 1 : 0,
        version: String(version + BigInt(i)),
      }));
    };
    if (kpis.length > 0) await this.ch.insert("custom_kpis", rows(kpis));
    try {
      await this.writeDocuments(workspace, documents);
    } catch (error) {
      if (kpis.length > 0) {
        const old = new Map(before.map((k) => [k.id, k.formula]));
        await this.ch.insert(
          "custom_kpis",
          rows(kpis.map((k) => ({ id: k.id, formula: old.get(k.id) ?? null }))),
        );
      }
      throw error;
    }
  }

  async costBreakdowns(workspace: string): Promise<string[]> {
    const rows = await this.ch.all(`SELECT DISTINCT arrayJoin(breakdown_keys) AS name
      FROM ${currentRows("ad_costs", VERSIONED.costs.key, d.literal(workspace))} ORDER BY name`);
    return rows.map((row) => String(row.name));
  }

  async dataSpan(workspace: Workspace): Promise<DataSpan | null> {
    const ws = d.literal(workspace.name);
    const local = (column: string) => d.localDate(column, workspace.settings.timezone);
    const span = (table: string, date: string) =>
      `SELECT min(${date}) AS lo, max(${date}) AS hi, count() AS n FROM ${table}`;
    const rows =
      await this.ch.all(`SELECT toString(min(lo)) AS lo, toString(max(hi)) AS hi, count() AS parts FROM (
      ${span(`events WHERE workspace = ${ws}`, local("ts"))}
      UNION ALL ${span(`orders WHERE workspace = ${ws}`, local("ts"))}
      UNION ALL ${span(currentRows("ad_costs", VERSIONED.costs.key, ws), "date")}
      UNION ALL ${span(currentRows("email_campaigns", VERSIONED.email.key, ws), "date")}
      UNION ALL ${span(currentRows("social_metrics", VERSIONED.social.key, ws), "date")}
    ) WHERE n > 0`);
    const row = rows[0];
    return row && Number(row.parts) > 0 ? { from: String(row.lo), to: String(row.hi) } : null;
  }

  async lastEventTime(workspace: string, before: Date): Promise<number | null> {
    const rows = await this.ch.all(
      `SELECT toString(max(ts_us)) AS us, count() AS n FROM events WHERE workspace = ${d.literal(workspace)} AND ts_us < ${Math.floor(before.getTime()) * 1000}`,
    );
    const row = rows[0];
    return row && Number(row.n) > 0 ? Math.floor(Number(row.us) / 1000) : null;
  }

  async personData(workspace: string, ids: readonly string[]): Promise<PersonData> {
    const ws = d.literal(workspace);
    const events = await this.ch.all(`SELECT ${PERSON_EVENT_COLUMNS.join(", ")}, toString(ts_us) AS us
      FROM events WHERE workspace = ${ws} AND ${personEventsWhere(d, ids)} ORDER BY ts_us, seq`);
    const orders = await this.ch.all(`SELECT order_id, toString(ts_us) AS us, customer_id, revenue, currency,
        campaign, campaign_key, visitor_id
      FROM orders WHERE workspace = ${ws} AND ${personOrdersWhere(d, ids)} ORDER BY ts_us, order_id`);
    // The embedded store's shape: ts in ISO 8601 with microseconds, properties as JSON.
    const withTs = ({ us, ...row }: Record<string, unknown>) => ({ ...row, ts: isoMicros(String(us)) });
    return {
      events: events.map((row) => {
        const { us, ...rest } = row;
        const ordered: Record<string, unknown> = {};
        for (const column of PERSON_EVENT_COLUMNS) ordered[column] = rest[column];
        return {
          ...ordered,
          ts: isoMicros(String(us)),
          properties: typeof rest.properties === "string" ? JSON.parse(rest.properties) : null,
        };
      }),
      orders: orders.map(withTs),
    };
  }

  erasePerson(workspace: Workspace, ids: readonly string[], idHash: string): Promise<ErasureRecord> {
    return this.removeRows(workspace, personEventsWhere(d, ids), personOrdersWhere(d, ids), {
      kind: "erasure",
      idHash,
      before: null,
    });
  }

  removeBefore(workspace: Workspace, before: Date): Promise<ErasureRecord> {
    const us = `${BigInt(before.getTime()) * 1000n}`;
    return this.removeRows(workspace, `ts_us < ${us}`, `ts_us < ${us}`, {
      kind: "retention",
      idHash: null,
      before: before.toISOString(),
    });
  }

  async listErasures(workspace: string): Promise<ErasureRecord[]> {
    const rows = await this.ch.all(`SELECT kind, erased_at, id_hash, before_ts, removed FROM erasures
      WHERE workspace = ${d.literal(workspace)} ORDER BY erased_at`);
    return rows.map((row) => ({
      kind: row.kind === "retention" ? "retention" : "erasure",
      at: String(row.erased_at),
      idHash: row.id_hash === null ? null : String(row.id_hash),
      before: row.before_ts === null ? null : String(row.before_ts),
      rows: JSON.parse(String(row.removed)) as Record<string, number>,
    }));
  }

  /**
   * Deletes the events and orders chosen by two conditions by mutations, which touch only the
   * parts that exist when they start: events inserted meanwhile are kept. Behind this process's
   * queued derivations, the rollup rows of the visitors concerned go too (all generations) and
   * are derived again from the events left; a retention run, whose visitors are many, drops the
   * workspace's rollups instead for the refresh to build them again. Then new snapshots of the
   * day gaps and orders are taken and the older ones (orders name customers) deleted.
   */
  private async removeRows(
    workspace: Workspace,
    eventsWhere: string,
    ordersWhere: string,
    record: Pick<ErasureRecord, "kind" | "idHash" | "before">,
  ): Promise<ErasureRecord> {
    const ws = d.literal(workspace.name);
    const generation = rollupGeneration(workspace);
    const removal = this.derivations.then(async () => {
      const visitors = (
        await this.ch.all(`SELECT DISTINCT visitor_id FROM events WHERE workspace = ${ws} AND ${eventsWhere}`)
      ).map((row) => d.literal(String(row.visitor_id)));
      const events = await this.ch.number(
        `SELECT count() FROM events WHERE workspace = ${ws} AND ${eventsWhere}`,
      );
      const orders = await this.ch.number(
        `SELECT count() FROM orders WHERE workspace = ${ws} AND ${ordersWhere}`,
      );
      const rollupWhere =
        record.kind === "retention"
          ? `workspace = ${ws}`
          : `workspace = ${ws} AND visitor_id IN (${visitors.join(", ") || "''"})`;
      const removed: Record<string, number> = { events, orders, identity_links: 0 };
      for (const table of ["rollup_sessions", "rollup_visitor_days"])
        removed[table] = await this.ch.number(`SELECT count() FROM ${table} WHERE ${rollupWhere}`);
      await this.ch.deleteWhere("events", `workspace = ${ws} AND ${eventsWhere}`);
      await this.ch.deleteWhere("orders", `workspace = ${ws} AND ${ordersWhere}`);
      await this.ch.deleteWhere("rollup_sessions", rollupWhere);
      await this.ch.deleteWhere("rollup_visitor_days", rollupWhere);
      if (record.kind === "retention") {
        await this.ch.deleteWhere("rollup_marks", `workspace = ${ws} AND kind = 'built'`);
      } else if (visitors.length > 0) {
        const built = await this.ch.number(`SELECT count() FROM rollup_marks
          WHERE workspace = ${ws} AND kind = 'built' AND generation = ${d.literal(generation)}`);
        if (built > 0) {
          const where = `visitor_id IN (${visitors.join(", ")})`;
          const salt = randomBytes(4).readUInt32BE(0);
          await this.ch.onEachNode((local) => sessionSumsInsert(workspace, generation, where, local, salt));
          await this.ch.onEachNode((local) => visitorDaysInsert(workspace, generation, where, local));
        }
      }
      // A done mark of no batch: the snapshots no longer cover the visitor-days, so new ones are taken.
      await this.mark(workspace.name, generation, "done", this.nextVersion());
      return removed;
    });
    this.derivations = removal.then(
      () => undefined,
      () => undefined,
    );
    const removed = await removal;
    await this.refreshDerived(workspace);
    const current = this.rollups.get(workspace.name);
    if (current) {
      await this.ch.deleteWhere(
        "rollup_day_gaps",
        `workspace = ${ws} AND NOT (generation = ${d.literal(current.generation)} AND snapshot = ${current.snapshot})`,
      );
      await this.ch.deleteWhere(
        "rollup_orders",
        `workspace = ${ws} AND NOT (generation = ${d.literal(current.generation)} AND snapshot = ${current.orders})`,
      );
    }
    const at = new Date().toISOString();
    await this.ch.insert("erasures", [
      {
        workspace: workspace.name,
        erased_at: at,
        kind: record.kind,
        id_hash: record.idHash,
        before_ts: record.before,
        removed: JSON.stringify(removed),
      },
    ]);
    return { ...record, at, rows: removed };
  }

  async countRows(workspace?: string): Promise<Record<Fact, number>> {
    const ws = workspace === undefined ? null : d.literal(workspace);
    const counts = {} as Record<Fact, number>;
    for (const fact of FACTS) {
      const source =
        fact === "events" || fact === "orders"
          ? `${fact}${ws === null ? "" : ` WHERE workspace = ${ws}`}`
          : currentRows(VERSIONED[fact].table, VERSIONED[fact].key, ws);
      counts[fact] = await this.ch.number(`SELECT count() FROM ${source}`);
    }
    return counts;
  }

  async close(): Promise<void> {
    await this.derivations;
    await this.staging.close();
    await this.ch.close();
  }
}

/**
 * The rows of a replaced-by-key table that are current: those of the newest import of their key.
 * `ws` is a quoted workspace, or null for every workspace.
 */
function currentRows(table: string, key: readonly string[], ws: string | null): string {
  const where = ws === null ? "" : `WHERE workspace = ${ws}`;
  const keys = ["workspace", ...key];
  return `(SELECT * FROM ${table} ${where === "" ? "WHERE" : `${where} AND`} (${[...keys, "version"].join(", ")}) IN (
    SELECT ${keys.join(", ")}, max(version) FROM ${table} ${where} GROUP BY ${keys.join(", ")}))`;
}

function secondsNow(): string {
  return new Date().toISOString().slice(0, 19).replace("T", " ");
}

function isoSeconds(text: string): string {
  return `${text.replace(" ", "T")}Z`;
}

/** The columns of a person's events shown by `people show`, as the embedded store names them. */
const PERSON_EVENT_COLUMNS = [
  "message_id",
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
];

/** Microseconds since the epoch as ISO 8601 with six decimals, as the embedded store prints them. */
function isoMicros(us: string): string {
  const micros = BigInt(us);
  const seconds = new Date(Number(micros / 1_000_000n) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${String(micros % 1_000_000n).padStart(6, "0")}Z`;
}
