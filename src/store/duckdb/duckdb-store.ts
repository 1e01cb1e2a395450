import { randomBytes } from "node:crypto";
import { ENGAGEMENT_NAME, ENGAGEMENT_TYPE } from "../../model/engagement.js";
import { KIND_SPECS } from "../../model/import-kinds.js";
import { type ApiKey, type KeyKind, storedKeyKind } from "../../model/keys.js";
import type { Fact } from "../../model/measures.js";
import { ENGAGEMENT_MEASURES, FACTS } from "../../model/measures.js";
import type { TextRecord } from "../../model/text-record.js";
import type { Workspace, WorkspaceSettings } from "../../model/workspace.js";
import {
  recordsByWorkspace,
  toCohortRows,
  toDocument,
  toFunnelCounts,
  toMeasureRow,
  toMetricSumsRows,
  toWorkspace,
} from "../rows.js";
import { measureStatements, ordersFirstSelect, TABLE_SOURCES } from "../sql/measure-sql.js";
import { personEventsWhere, personOrdersWhere } from "../sql/person-sql.js";
import { appendEventRecords, importIntoDuckdb } from "../staging/stage.js";
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
import { duckdbCohortsSql } from "./cohorts-sql.js";
import { DuckdbConnection, type DuckdbOptions, type Transaction } from "./connection.js";
import { duckdbDialect as d } from "./dialect.js";
import { EventAppender } from "./event-appender.js";
import { type EventRow, eventRow } from "./event-row.js";
import { duckdbExperimentIdsSql, duckdbExposuresSql } from "./exposures-sql.js";
import { duckdbFunnelSql } from "./funnel-sql.js";
import { deviceSql, personIds, personSql, rebuildIdentities, updateIdentities } from "./identities.js";
import { duckdbMetricSumsSql } from "./metric-sums-sql.js";
import {
  dayGapsSelect,
  dayGapsUpdated,
  eventsRollupStatements,
  rollupAnswersEvents,
  rollupSettingsKey,
  visitorDaysSelect,
} from "./rollup-sql.js";
import { DUCKDB_SCHEMA } from "./schema.js";
import {
  changedVisitorsSelect,
  sessionEventsSelect,
  sessionSettingsKey,
  unplacedEngagementsUpdate,
  visitorParts,
} from "./session-sql.js";

const FACT_TABLES: Readonly<Record<Fact, string>> = {
  events: "events",
  orders: "orders",
  costs: "ad_costs",
  email: "email_campaigns",
  social: "social_metrics",
};

/**
 * Bytes of DuckDB's memory limit per event that one sessionizing statement may take. The statement
 * joins and windows every event it derives: 10M events in one statement peaked at 5.0 GiB of RSS
 * under a 4.4 GiB limit, and failed for want of memory under 3.5 GiB, where three parts of visitors
 * took 2.5 and 2.9 GiB in the same time (docs/performance.md, "Derivation in parts of visitors").
 */
const DERIVATION_BYTES_PER_EVENT = 1024;
/** Each part scans the events again: ten parts of 1M events took 1.5× the time of three. */
const MIN_CHUNK_EVENTS = 2_000_000;

/** The most events one sessionizing statement takes under DuckDB's memory limit in force. */
function derivationChunkEvents(memoryLimitBytes: number | null): number {
  if (memoryLimitBytes === null) return MIN_CHUNK_EVENTS;
  return Math.max(MIN_CHUNK_EVENTS, Math.floor(memoryLimitBytes / DERIVATION_BYTES_PER_EVENT));
}

/** The embedded store: one DuckDB file, no server. */
export class DuckdbStore implements Store {
  readonly commitIntervalMs = 0;
  /** Workspace settings for ingestion commits; this process owns the file, so it sees every change. */
  private settingsCache: Map<string, WorkspaceSettings> | null = null;
  /**
   * Workspace → the settings key (rollupSettingsKey) its sessions and rollups are up to date for:
   * nothing else writes this file, so a query need not scan the events to know (40 ms at 10M
   * events). One key per workspace, so that settings changed and changed back are not taken fresh.
   */
  private readonly derivedFresh = new Map<string, string>();
  /** Refreshes waiting for the writer, by workspace and settings (refreshDerived). */
  private readonly queuedRefreshes = new Map<string, Promise<void>>();
  /** The ingestion fast path: typed rows appended, de-duplicated through a key filter. */
  private readonly appender = new EventAppender();

  private constructor(
    private readonly db: DuckdbConnection,
    /** Whether queries may read the rollups; off only to compare with the raw path. */
    private readonly rollups: boolean,
    /** DuckdbOptions.wholeRefreshShare. */
    private readonly wholeRefreshShare: number,
    /** DuckdbOptions.derivationChunkEvents. */
    private readonly chunkEvents: number,
  ) {}

  get description(): string {
    return `DuckDB ${this.db.path}`;
  }

  static async open(path: string, options: DuckdbOptions = {}): Promise<DuckdbStore> {
    const db = await DuckdbConnection.open(path, options);
    await db.run(...DUCKDB_SCHEMA);
    return new DuckdbStore(
      db,
      options.rollups ?? true,
      options.wholeRefreshShare ?? 0.5,
      options.derivationChunkEvents ?? derivationChunkEvents(db.memoryLimitBytes),
    );
  }

  async listWorkspaces(): Promise<Workspace[]> {
    const rows = await this.db.all(
      "SELECT name, CAST(settings AS VARCHAR) AS settings FROM workspaces ORDER BY name",
    );
    return rows.map(toWorkspace);
  }

  async createWorkspace(workspace: Workspace): Promise<void> {
    this.settingsCache = null;
    await this.db.run(
      `INSERT INTO workspaces (name, settings) VALUES (${d.literal(workspace.name)}, ${d.literal(JSON.stringify(workspace.settings))})`,
    );
  }

  async updateSettings(name: string, settings: WorkspaceSettings): Promise<void> {
    this.settingsCache = null;
    await this.db.run(
      `UPDATE workspaces SET settings = ${d.literal(JSON.stringify(settings))} WHERE name = ${d.literal(name)}`,
    );
  }

  async listCustomKpis(workspace: string): Promise<{ id: string; formula: string }[]> {
    const rows = await this.db.all(
      `SELECT id, formula FROM custom_kpis WHERE workspace = ${d.literal(workspace)} ORDER BY id`,
    );
    return rows.map((row) => ({ id: String(row.id), formula: String(row.formula) }));
  }

  async saveCustomKpi(workspace: string, id: string, formula: string): Promise<void> {
    await this.db.run(
      `INSERT OR REPLACE INTO custom_kpis VALUES (${d.literal(workspace)}, ${d.literal(id)}, ${d.literal(formula)})`,
    );
  }

  async deleteCustomKpi(workspace: string, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const where = `workspace = ${d.literal(workspace)} AND id = ${d.literal(id)}`;
      const found = await tx.number(`SELECT count(*) FROM custom_kpis WHERE ${where}`);
      await tx.run(`DELETE FROM custom_kpis WHERE ${where}`);
      return found > 0;
    });
  }

  async saveKey(key: { id: string; workspace: string; kind: KeyKind; hash: string }): Promise<void> {
    await this.db.run(
      `INSERT INTO api_keys (id, workspace, kind, hash) VALUES (${d.literal(key.id)}, ${d.literal(key.workspace)}, ${d.literal(key.kind)}, ${d.literal(key.hash)})`,
    );
  }

  async listKeys(workspace?: string): Promise<ApiKey[]> {
    const where = workspace === undefined ? "" : `WHERE workspace = ${d.literal(workspace)}`;
    return (await this.db.all(`${KEY_COLUMNS} ${where} ORDER BY created_at, id`))
      .map(toApiKey)
      .filter((key) => key !== null);
  }

  revokeKey(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const where = `id = ${d.literal(id)} AND revoked_at IS NULL`;
      const found = await tx.number(`SELECT count(*) FROM api_keys WHERE ${where}`);
      await tx.run(`UPDATE api_keys SET revoked_at = now() WHERE ${where}`);
      return found > 0;
    });
  }

  async findKey(hash: string): Promise<ApiKey | null> {
    const rows = await this.db.all(`${KEY_COLUMNS} WHERE hash = ${d.literal(hash)} AND revoked_at IS NULL`);
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  /**
   * One transaction for a group commit. Records typed in JavaScript (all that the HTTP routes make)
   * are appended directly; any other record takes the SQL path of file imports, which the
   * JavaScript typing mirrors exactly (event-row.ts).
   */
  async appendEvents(events: readonly IncomingEvent[]): Promise<AppendResult> {
    const byWorkspace = recordsByWorkspace(events);
    const result = await this.db
      .session(async (tx) => {
        this.settingsCache ??= new Map((await this.listWorkspaces()).map((w) => [w.name, w.settings]));
        const typed = new Map<string, EventRow[]>();
        const rest = new Map<string, { settings: WorkspaceSettings; records: TextRecord[] }>();
        for (const [name, records] of byWorkspace) {
          const settings = this.settingsCache.get(name);
          if (!settings) throw new Error(`no workspace ${name}`);
          const rows: EventRow[] = [];
          const others: TextRecord[] = [];
          for (const record of records) {
            const row = eventRow(record, settings.timezone);
            if (row) rows.push(row);
            else others.push(record);
          }
          if (others.length > 0) rest.set(name, { settings, records: others });
          typed.set(name, rows);
        }
        // All typed in JavaScript (what the HTTP routes send): one INSERT, its own transaction.
        if (rest.size === 0) return this.appender.append(tx, typed);
        return tx.atomically(async () => {
          const appended = await this.appender.append(tx, typed);
          let { stored, duplicates } = appended;
          this.appender.markStale();
          for (const [name, { settings, records }] of rest) {
            const merged = await appendEventRecords(tx, { name, settings }, records);
            stored += merged.rowsStored;
            duplicates += merged.rowsDuplicate;
          }
          return { stored, duplicates };
        });
      })
      .catch((error: unknown) => {
        this.appender.forget();
        throw error;
      });
    this.derivedFresh.clear();
    return result;
  }

  /**
   * Turns engagement that older versions stored as custom events (track events named
   * `engagement`) into engagement events (model/engagement.ts), in place and in one transaction.
   * Their figures were not kept then: unless the properties hold `sd` or `e`, they convert without
   * figures, so they stop counting as custom events and un-bouncing sessions but add nothing to
   * time on page or scroll depth. Sessions and rollups of the workspaces touched are rebuilt on
   * their next query. Returns the events converted per workspace.
   */
  async convertEngagementEvents(): Promise<{ workspace: string; events: number }[]> {
    const converted = await this.db.transaction(async (tx) => {
      const where = `type = 'track' AND name = ${d.literal(ENGAGEMENT_NAME)}`;
      const rows = await tx.all(
        `SELECT workspace, count(*) AS n FROM events WHERE ${where} GROUP BY workspace ORDER BY workspace`,
      );
      const figure = (key: string) => `TRY_CAST(${d.jsonText("properties", key)} AS DOUBLE)`;
      await tx.run(`UPDATE events SET type = ${d.literal(ENGAGEMENT_TYPE)},
        properties = CASE WHEN ${figure("sd")} IS NOT NULL OR ${figure("e")} IS NOT NULL
          THEN json_object('sd', least(100, greatest(0, round(coalesce(${figure("sd")}, 0)))),
                           'e', greatest(0, round(coalesce(${figure("e")}, 0))))
          END
        WHERE ${where}`);
      // Their sessions change: the next query rebuilds the derived tables of these workspaces.
      for (const row of rows) {
        await tx.run(`DELETE FROM derived_state WHERE workspace = ${d.literal(String(row.workspace))}`);
        await tx.run(`DELETE FROM rollup_state WHERE workspace = ${d.literal(String(row.workspace))}`);
      }
      return rows.map((row) => ({ workspace: String(row.workspace), events: Number(row.n) }));
    });
    this.derivedFresh.clear();
    return converted;
  }

  async tidy(): Promise<void> {
    await this.db.run("CHECKPOINT");
  }

  dailySalt(day: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      const found = await tx.all(`SELECT salt FROM salts WHERE day = ${d.literal(day)}`);
      if (found[0]) return String(found[0].salt);
      const salt = randomBytes(32).toString("hex");
      await tx.run(`INSERT INTO salts VALUES (${d.literal(day)}, ${d.literal(salt)})`);
      // Keep yesterday's salt at most: older ones could only re-identify past visitors.
      await tx.run(
        `DELETE FROM salts WHERE day < ${d.literal(new Date(Date.parse(day) - 86_400_000).toISOString().slice(0, 10))}`,
      );
      return salt;
    });
  }

  async importFile(request: ImportRequest): Promise<ImportSummary> {
    const summary = await this.db.session((tx) => importIntoDuckdb(tx, request, KIND_SPECS[request.kind]));
    if (request.kind === "events" || request.kind === "orders") this.derivedFresh.clear();
    if (request.kind === "events") this.appender.markStale();
    return summary;
  }

  /**
   * Re-derives sessions for the visitors whose events arrived since the last refresh, or for the
   * whole workspace when a setting that shapes sessions changed; then the rollups the same way.
   */
  async refreshDerived(workspace: Workspace): Promise<void> {
    if (this.isFresh(workspace)) return;
    // Reads that arrive while a refresh waits for the writer share it: once it starts it sees
    // every event committed before them. Under ingestion every commit makes the tables stale, and
    // one refresh per concurrent read kept the writers queued behind them (docs/performance.md).
    const id = `${workspace.name}\u0000${rollupSettingsKey(workspace.settings)}`;
    const queued = this.queuedRefreshes.get(id);
    if (queued) return queued;
    const refresh = this.refreshNow(workspace, () => {
      if (this.queuedRefreshes.get(id) === refresh) this.queuedRefreshes.delete(id);
    });
    this.queuedRefreshes.set(id, refresh);
    try {
      await refresh;
    } finally {
      if (this.queuedRefreshes.get(id) === refresh) this.queuedRefreshes.delete(id);
    }
  }

  /** refreshDerived's work, in one write transaction; `started` is called once it holds the writer. */
  private async refreshNow(workspace: Workspace, started: () => void): Promise<void> {
    const ws = d.literal(workspace.name);
    const key = sessionSettingsKey(workspace.settings);
    const rollupKey = rollupSettingsKey(workspace.settings);
    await this.db.transaction(async (tx) => {
      started();
      const state = (
        await tx.all(`SELECT sessions_seq, settings_key FROM derived_state WHERE workspace = ${ws}`)
      )[0];
      const rollups = (
        await tx.all(
          `SELECT sessions_seq, settings_key, orders_rows FROM rollup_state WHERE workspace = ${ws}`,
        )
      )[0];
      const doneSeq = state ? Number(state.sessions_seq) : -1;
      const [seqs] = await tx.all(`SELECT coalesce(max(seq), 0) AS max_seq, count(*) AS events,
        count(*) FILTER (WHERE seq > ${doneSeq}) AS new_events FROM events WHERE workspace = ${ws}`);
      const maxSeq = Number(seqs?.max_seq);
      // Orders are only ever added (import de-duplicates by order_id): their count tells a change.
      const ordersRows = await tx.number(`SELECT count(*) FROM orders WHERE workspace = ${ws}`);
      // When the new events are most of the workspace's (an import into a store first queried
      // while empty), one derivation of everything costs less than the changed visitors' cuts:
      // 1M new events cost 1.15-1.65x the CPU the incremental way (docs/performance.md).
      const full =
        !state ||
        state.settings_key !== key ||
        Number(seqs?.new_events) > Number(seqs?.events) * this.wholeRefreshShare;
      const sessionsChange = full || maxSeq > doneSeq;
      // Rollups follow sessions incrementally only when they matched them before this refresh.
      const rollupsFull =
        full || !rollups || rollups.settings_key !== rollupKey || Number(rollups.sessions_seq) !== doneSeq;
      // Orders read only `Order Completed` events (not sessions) and imported orders.
      const newOrderEvents =
        !full && maxSeq > doneSeq
          ? await tx.number(`SELECT count(*) FROM events WHERE workspace = ${ws} AND seq > ${doneSeq}
              AND type = 'track' AND name = 'Order Completed'`)
          : 0;
      // Links of the new events join ids into persons: rows of the ids whose person changed take the
      // new person (identities.ts), and their persons' rollups and customers are counted again.
      if (full) await rebuildIdentities(tx, workspace.name);
      const remapped = !full && maxSeq > doneSeq ? await updateIdentities(tx, workspace.name, doneSeq) : 0;
      const ordersChange =
        rollupsFull || newOrderEvents > 0 || remapped > 0 || Number(rollups?.orders_rows) !== ordersRows;
      if (!sessionsChange && !rollupsFull && !ordersChange) {
        this.derivedFresh.set(workspace.name, rollupKey);
        return;
      }
      let tail: Cut | null = null;
      if (full) {
        await tx.run(`DELETE FROM session_events WHERE workspace = ${ws}`);
        for (const part of visitorParts("events", Number(seqs?.events), this.chunkEvents)) {
          await tx.run(
            `INSERT INTO session_events ${sessionEventsSelect(d, workspace.name, workspace.settings, part)}`,
          );
        }
      } else if (sessionsChange) {
        // Each changed visitor's rows from its cut on are derived again (session-sql.ts): usually
        // its last session and the new events, not its whole history.
        await tx.run(`CREATE OR REPLACE TEMP TABLE changed_visitors AS
          ${changedVisitorsSelect(d, workspace.name, workspace.settings, doneSeq)}`);
        let cuts = await earliestCut(tx);
        if (cuts && (await tx.changed(unplacedEngagementsUpdate(d, workspace.name, doneSeq, cuts.ts))) > 0) {
          cuts = await earliestCut(tx);
        }
        tail = cuts?.everyVisitor ? cuts : null;
        // The earliest cut as a constant lets DuckDB skip the row groups before it.
        const since = tail ? ` AND ts >= ${tail.ts}` : "";
        await tx.run(`DELETE FROM session_events USING changed_visitors c WHERE workspace = ${ws}
          AND session_events.device_id = c.visitor_id AND (c.cut_ts IS NULL OR ts >= c.cut_ts)${since}`);
        // The rows kept of a device whose person changed take the new person; a link never moves
        // a session, which stays its device's.
        if (remapped > 0) {
          await tx.run(`UPDATE session_events SET visitor_id = r.person FROM remapped r
            WHERE session_events.workspace = ${ws} AND session_events.device_id = r.id`);
        }
        // Read where the derivation reads its source: materializing the rows (every column) first
        // cost more than the repeated reads, which skip the row groups before the cut.
        const changedEvents = `(SELECT e.* FROM events e JOIN changed_visitors c ON ${deviceSql("e")} = c.visitor_id
          WHERE workspace = ${ws} AND (c.cut_ts IS NULL OR ts >= c.cut_ts)${since})`;
        for (const part of visitorParts(changedEvents, Number(seqs?.new_events), this.chunkEvents)) {
          await tx.run(
            `INSERT INTO session_events ${sessionEventsSelect(d, workspace.name, workspace.settings, part)}`,
          );
        }
      }
      if (rollupsFull) {
        await tx.run(`DELETE FROM rollup_visitor_days WHERE workspace = ${ws}`);
        await tx.run(`INSERT INTO rollup_visitor_days ${visitorDaysSelect(d, workspace, "session_events")}`);
        await tx.run(`DELETE FROM rollup_day_gaps WHERE workspace = ${ws}`);
        await tx.run(`INSERT INTO rollup_day_gaps ${dayGapsSelect(d, workspace.name)}`);
      } else if (sessionsChange) {
        // The changed persons' days from their cut's day on are recomputed, the day before and
        // the last converting day before seeding the windows; the day counts are adjusted by the
        // difference. A person's cut is its changed devices' earliest; a person that lost or gained
        // ids is recomputed whole (and one merged into another loses all its days).
        await tx.run(`CREATE OR REPLACE TEMP TABLE changed_persons AS
          SELECT visitor_id, CASE WHEN count(*) FILTER (WHERE cut_day IS NULL) = 0 THEN min(cut_day) END AS cut_day
          FROM (
            SELECT ${personSql("c.visitor_id", "p")} AS visitor_id, c.cut_day FROM changed_visitors c
            LEFT JOIN identity_persons p ON p.workspace = ${ws} AND p.id = c.visitor_id
            UNION ALL SELECT old_person, NULL FROM remapped
            UNION ALL SELECT person, NULL FROM remapped
          ) GROUP BY visitor_id`);
        const personTail = remapped > 0 ? null : tail;
        const since = personTail ? ` AND local_date >= ${personTail.day}` : "";
        const fromCut = `workspace = ${ws} AND (c.cut_day IS NULL OR local_date >= c.cut_day)${since}`;
        await tx.run(`CREATE OR REPLACE TEMP TABLE removed_days AS SELECT r.* FROM rollup_visitor_days r
          JOIN changed_persons c ON r.visitor_id = c.visitor_id WHERE ${fromCut}`);
        await tx.run(`DELETE FROM rollup_visitor_days USING changed_persons c
          WHERE rollup_visitor_days.visitor_id = c.visitor_id AND ${fromCut}`);
        await tx.run(`CREATE OR REPLACE TEMP TABLE seed_days AS
          SELECT r.workspace, r.visitor_id, r.local_date, r.converted FROM rollup_visitor_days r
          JOIN changed_persons c ON r.visitor_id = c.visitor_id
          WHERE r.workspace = ${ws} AND c.cut_day IS NOT NULL
          WINDOW w AS (PARTITION BY r.visitor_id)
          QUALIFY r.local_date = max(r.local_date) OVER w OR r.local_date = max(r.local_date) FILTER (WHERE r.converted) OVER w`);
        const source = `(SELECT s.* FROM session_events s JOIN changed_persons c ON s.visitor_id = c.visitor_id WHERE ${fromCut})`;
        await tx.run(
          `CREATE OR REPLACE TEMP TABLE added_days AS ${visitorDaysSelect(d, workspace, source, "seed_days")}`,
        );
        await tx.run("INSERT INTO rollup_visitor_days SELECT * FROM added_days");
        await tx.run(`CREATE OR REPLACE TEMP TABLE updated_gaps AS
          ${dayGapsUpdated(d, workspace.name, "removed_days", "added_days")}`);
        await tx.run(`DELETE FROM rollup_day_gaps WHERE workspace = ${ws}`);
        await tx.run("INSERT INTO rollup_day_gaps BY NAME SELECT * FROM updated_gaps");
        for (const table of ["changed_persons", "removed_days", "seed_days", "added_days", "updated_gaps"])
          await tx.run(`DROP TABLE ${table}`);
      }
      if (ordersChange) {
        await tx.run(`DELETE FROM rollup_orders WHERE workspace = ${ws}`);
        await tx.run(
          `INSERT INTO rollup_orders SELECT ${ws}, * FROM (${ordersFirstSelect(d, workspace)}) orders_first`,
        );
      }
      if (!full && sessionsChange) await tx.run("DROP TABLE changed_visitors");
      if (!full && maxSeq > doneSeq) await tx.run("DROP TABLE remapped");
      await tx.run(`INSERT OR REPLACE INTO derived_state VALUES (${ws}, ${maxSeq}, ${d.literal(key)})`);
      await tx.run(
        `INSERT OR REPLACE INTO rollup_state VALUES (${ws}, ${maxSeq}, ${d.literal(rollupKey)}, ${ordersRows})`,
      );
      // Set while this holds the writer: a write queued behind it clears it after committing.
      this.derivedFresh.set(workspace.name, rollupKey);
    });
  }

  /**
   * Base measures. When the derived tables are fresh for the workspace's settings, orders come
   * from `rollup_orders` and ungrouped, unfiltered event measures from the rollups (rollup-sql.ts),
   * with the same numbers as the raw path over `session_events`.
   */
  async queryMeasures(query: MeasureQuery): Promise<MeasureRow[]> {
    const rows: MeasureRow[] = [];
    for (const sql of this.measureSql(query)) {
      for (const row of await this.db.all(sql)) rows.push(toMeasureRow(row, query.groupBy.length));
    }
    return rows;
  }

  /** The statements `queryMeasures` runs for a query now (rollups or raw path), for diagnostics. */
  measureSql(query: MeasureQuery): string[] {
    const fresh = this.rollups && this.isFresh(query.workspace);
    const eventsFromRollup = fresh && rollupAnswersEvents(query);
    const statements = eventsFromRollup ? eventsRollupStatements(d, query) : [];
    const rest = eventsFromRollup ? { ...query, facts: query.facts.filter((f) => f !== "events") } : query;
    const sources = fresh ? { ...TABLE_SOURCES, ordersFirst: "rollup_orders" } : TABLE_SOURCES;
    for (const list of measureStatements(d, rest, sources).values()) statements.push(...list);
    // The rollups keep no engagement: time on page and scroll depth come from session_events.
    if (eventsFromRollup && query.measures.some((m) => ENGAGEMENT_MEASURES.has(m))) {
      const engagement = { ...query, facts: ["events" as const] };
      for (const list of measureStatements(d, engagement, { ...sources, engagementOnly: true }).values())
        statements.push(...list);
    }
    return statements;
  }

  /** Whether a workspace's derived tables are known up to date for its current settings. */
  private isFresh(workspace: Workspace): boolean {
    return this.derivedFresh.get(workspace.name) === rollupSettingsKey(workspace.settings);
  }

  async queryFunnel(query: FunnelQuery): Promise<FunnelCounts> {
    // Funnels count persons: the identity links must include every event first.
    await this.refreshDerived(query.workspace);
    const rows = await this.db.all(duckdbFunnelSql(query));
    if (!query.groupBy) return toFunnelCounts(query.steps.length, rows[0]);
    // The overall row comes with the groups (GROUPING SETS): is_total = 1.
    const total = (row: Record<string, unknown>) => Number(row.is_total) === 1;
    return toFunnelCounts(
      query.steps.length,
      rows.find(total),
      rows.filter((row) => !total(row)),
    );
  }

  async queryExposures(query: ExposureQuery): Promise<ExposureRow[]> {
    // Exposures count persons: the identity links must include every event first.
    await this.refreshDerived(query.workspace);
    const rows = await this.db.all(duckdbExposuresSql(query));
    return rows.map((row) => ({
      variation: String(row.variation),
      visitors: Number(row.visitors),
      conversions: Number(row.conversions),
    }));
  }

  async queryCohorts(query: CohortQuery): Promise<CohortRow[]> {
    return toCohortRows(await this.db.all(duckdbCohortsSql(query)));
  }

  async queryMetricSums(query: MetricSumsQuery): Promise<MetricSumsRow[]> {
    return toMetricSumsRows(await this.db.all(duckdbMetricSumsSql(query)));
  }

  async experimentIds(workspace: string): Promise<string[]> {
    return (await this.db.all(duckdbExperimentIdsSql(workspace))).map((row) => String(row.id));
  }

  async personIdentities(workspace: Workspace, id: string): Promise<string[]> {
    await this.refreshDerived(workspace);
    return this.db.transaction((tx) => personIds(tx, workspace.name, id));
  }

  async listDocuments(workspace: string, kind: string): Promise<StoredDocument[]> {
    const rows = await this.db.all(
      `SELECT kind, id, body, updated_at FROM documents WHERE workspace = ${d.literal(workspace)} AND kind = ${d.literal(kind)} ORDER BY id`,
    );
    return rows.map(toDocument);
  }

  async writeDocuments(workspace: string, changes: readonly DocumentChange[]): Promise<void> {
    await this.writeDefinitions(workspace, changes, []);
  }

  async writeDefinitions(
    workspace: string,
    changes: readonly DocumentChange[],
    kpis: readonly CustomKpiChange[],
  ): Promise<void> {
    if (changes.length === 0 && kpis.length === 0) return;
    const now = d.literal(new Date().toISOString());
    await this.db.transaction(async (tx) => {
      for (const change of changes) {
        const key = `workspace = ${d.literal(workspace)} AND kind = ${d.literal(change.kind)} AND id = ${d.literal(change.id)}`;
        await tx.run(`DELETE FROM documents WHERE ${key}`);
        if (change.body === null) continue;
        await tx.run(
          `INSERT INTO documents VALUES (${d.literal(workspace)}, ${d.literal(change.kind)}, ${d.literal(change.id)}, ${d.literal(JSON.stringify(change.body))}, ${now})`,
        );
      }
      for (const kpi of kpis) {
        await tx.run(
          `DELETE FROM custom_kpis WHERE workspace = ${d.literal(workspace)} AND id = ${d.literal(kpi.id)}`,
        );
        if (kpi.formula === null) continue;
        await tx.run(
          `INSERT INTO custom_kpis VALUES (${d.literal(workspace)}, ${d.literal(kpi.id)}, ${d.literal(kpi.formula)})`,
        );
      }
    });
  }

  async costBreakdowns(workspace: string): Promise<string[]> {
    const rows = await this.db.all(`SELECT DISTINCT unnest(json_keys(breakdown)) AS name
      FROM ad_costs WHERE workspace = ${d.literal(workspace)} ORDER BY name`);
    return rows.map((row) => String(row.name));
  }

  async dataSpan(workspace: Workspace): Promise<DataSpan | null> {
    const ws = d.literal(workspace.name);
    const local = (column: string) => d.localDate(column, workspace.settings.timezone);
    const rows =
      await this.db.all(`SELECT CAST(min(lo) AS VARCHAR) AS lo, CAST(max(hi) AS VARCHAR) AS hi FROM (
      SELECT ${local("min(ts)")} AS lo, ${local("max(ts)")} AS hi FROM events WHERE workspace = ${ws}
      UNION ALL SELECT ${local("min(ts)")}, ${local("max(ts)")} FROM orders WHERE workspace = ${ws}
      UNION ALL SELECT min(date), max(date) FROM ad_costs WHERE workspace = ${ws}
      UNION ALL SELECT min(date), max(date) FROM email_campaigns WHERE workspace = ${ws}
      UNION ALL SELECT min(date), max(date) FROM social_metrics WHERE workspace = ${ws})`);
    const row = rows[0];
    return row && row.lo !== null && row.hi !== null ? { from: String(row.lo), to: String(row.hi) } : null;
  }

  async lastEventTime(workspace: string, before: Date): Promise<number | null> {
    const rows = await this.db.all(
      `SELECT CAST(epoch_ms(max(ts)) AS VARCHAR) AS ms FROM events WHERE workspace = ${d.literal(workspace)} AND epoch_us(ts) < ${Math.floor(before.getTime()) * 1000}`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? null : Number(ms);
  }

  async personData(workspace: string, ids: readonly string[]): Promise<PersonData> {
    const ws = d.literal(workspace);
    const events = await this.db.all(`SELECT * EXCLUDE (workspace, seq, dedup_key)
      REPLACE (strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts, CAST(properties AS VARCHAR) AS properties)
      FROM events WHERE workspace = ${ws} AND ${personEventsWhere(d, ids)} ORDER BY ts, seq`);
    const orders = await this.db.all(`SELECT * EXCLUDE (workspace)
      REPLACE (strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts)
      FROM orders WHERE workspace = ${ws} AND ${personOrdersWhere(d, ids)} ORDER BY ts, order_id`);
    return {
      events: events.map((row) => ({
        ...row,
        properties: typeof row.properties === "string" ? JSON.parse(row.properties) : null,
      })),
      orders,
    };
  }

  /**
   * Deletes a person's events and orders, and its rows of the derived tables, in one transaction on
   * the write connection, where ingestion commits too: a commit waits for it or comes before, so no
   * other acknowledged event is touched. `ids` are the whole person (personIdentities), a closed
   * set of links: no other person loses a link, so no other derived row changes but the day counts,
   * which lose the person's days. The orders' rollup, which names customers, goes and is computed
   * again by the next refresh, before any KPI query reads it.
   */
  async erasePerson(workspace: Workspace, ids: readonly string[], idHash: string): Promise<ErasureRecord> {
    const ws = d.literal(workspace.name);
    const list = ids.map((id) => d.literal(id)).join(", ");
    const result = await this.db.transaction(async (tx) => {
      // The person's derived rows are under its person id, or under the id itself when unlinked.
      await tx.run(`CREATE OR REPLACE TEMP TABLE erased_persons AS
        SELECT DISTINCT coalesce(p.person_id, i.id) AS visitor_id FROM (SELECT unnest([${list}]) AS id) i
        LEFT JOIN identity_persons p ON p.workspace = ${ws} AND p.id = i.id`);
      const persons = "(SELECT visitor_id FROM erased_persons)";
      const links = await tx.changed(`DELETE FROM identity_links WHERE workspace = ${ws}
        AND (anonymous_id IN (${list}) OR user_id IN (${list}))`);
      await tx.run(
        `DELETE FROM identity_persons WHERE workspace = ${ws} AND (id IN (${list}) OR person_id IN ${persons})`,
      );
      const events = await tx.changed(
        `DELETE FROM events WHERE workspace = ${ws} AND ${personEventsWhere(d, ids)}`,
      );
      const orders = await tx.changed(
        `DELETE FROM orders WHERE workspace = ${ws} AND ${personOrdersWhere(d, ids)}`,
      );
      await tx.run(`DELETE FROM session_events WHERE workspace = ${ws}
        AND (device_id IN (${list}) OR visitor_id IN ${persons})`);
      await tx.run(`CREATE OR REPLACE TEMP TABLE removed_days AS SELECT * FROM rollup_visitor_days
        WHERE workspace = ${ws} AND visitor_id IN ${persons}`);
      await tx.run(`DELETE FROM rollup_visitor_days WHERE workspace = ${ws} AND visitor_id IN ${persons}`);
      await tx.run("CREATE OR REPLACE TEMP TABLE added_days AS SELECT * FROM removed_days WHERE false");
      await tx.run(`CREATE OR REPLACE TEMP TABLE updated_gaps AS
        ${dayGapsUpdated(d, workspace.name, "removed_days", "added_days")}`);
      await tx.run(`DELETE FROM rollup_day_gaps WHERE workspace = ${ws}`);
      await tx.run("INSERT INTO rollup_day_gaps BY NAME SELECT * FROM updated_gaps");
      for (const table of ["erased_persons", "removed_days", "added_days", "updated_gaps"])
        await tx.run(`DROP TABLE ${table}`);
      await tx.run(`DELETE FROM rollup_orders WHERE workspace = ${ws}`);
      await tx.run(`UPDATE rollup_state SET orders_rows = -1 WHERE workspace = ${ws}`);
      const removed: Record<string, number> = { events, orders, identity_links: links };
      const [row] = await tx.all(`INSERT INTO erasures VALUES (${ws}, now(), 'erasure',
        ${d.literal(idHash)}, NULL, ${d.literal(JSON.stringify(removed))})
        RETURNING kind, strftime(erased_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at, id_hash, before_ts, CAST(removed AS VARCHAR) AS removed`);
      if (!row) throw new Error("the erasure record was not written");
      return toErasureRecord(row);
    });
    this.derivedFresh.clear();
    return result;
  }

  removeBefore(workspace: Workspace, before: Date): Promise<ErasureRecord> {
    const cut = `CAST(${d.literal(before.toISOString())} AS TIMESTAMPTZ)`;
    return this.removeRows(workspace, `ts < ${cut}`, `ts < ${cut}`, {
      kind: "retention",
      idHash: null,
      before: before.toISOString(),
    });
  }

  async listErasures(workspace: string): Promise<ErasureRecord[]> {
    const rows = await this.db.all(`SELECT kind, strftime(erased_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at, id_hash,
      before_ts, CAST(removed AS VARCHAR) AS removed FROM erasures WHERE workspace = ${d.literal(workspace)} ORDER BY erased_at`);
    return rows.map(toErasureRecord);
  }

  /**
   * Deletes the events and orders chosen by two conditions (a retention run's cut-off) in one
   * transaction on the write connection, as erasePerson does. The workspace's derived rows
   * (sessions, persons, rollups) go in the same transaction, so that none names the removed rows
   * once it commits, and are derived again from the rows left before this returns: an old link
   * removed can split a person in two, which the incremental path (it follows new events) does
   * not undo.
   */
  private async removeRows(
    workspace: Workspace,
    eventsWhere: string,
    ordersWhere: string,
    record: Pick<ErasureRecord, "kind" | "idHash" | "before">,
  ): Promise<ErasureRecord> {
    const ws = d.literal(workspace.name);
    const result = await this.db.transaction(async (tx) => {
      const links =
        await tx.number(`SELECT count(*) FROM identity_links l WHERE workspace = ${ws} AND EXISTS (
          SELECT 1 FROM events e WHERE e.workspace = ${ws} AND ${eventsWhere}
            AND e.user_id = l.user_id AND ${deviceSql("e")} = l.anonymous_id)`);
      const events = await tx.changed(`DELETE FROM events WHERE workspace = ${ws} AND ${eventsWhere}`);
      const orders = await tx.changed(`DELETE FROM orders WHERE workspace = ${ws} AND ${ordersWhere}`);
      for (const table of DERIVED_TABLES) await tx.run(`DELETE FROM ${table} WHERE workspace = ${ws}`);
      // The derived rows are made again whole: the record counts the stored rows erased.
      const removed: Record<string, number> = { events, orders, identity_links: links };
      const [row] = await tx.all(`INSERT INTO erasures VALUES (${ws}, now(), ${d.literal(record.kind)},
        ${d.literal(record.idHash)}, ${d.literal(record.before)}, ${d.literal(JSON.stringify(removed))})
        RETURNING kind, strftime(erased_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at, id_hash, before_ts, CAST(removed AS VARCHAR) AS removed`);
      if (!row) throw new Error("the erasure record was not written");
      return toErasureRecord(row);
    });
    this.derivedFresh.clear();
    await this.refreshDerived(workspace);
    return result;
  }

  async countRows(workspace?: string): Promise<Record<Fact, number>> {
    const where = workspace === undefined ? "" : ` WHERE workspace = ${d.literal(workspace)}`;
    const counts = {} as Record<Fact, number>;
    for (const fact of FACTS) {
      const rows = await this.db.all(`SELECT count(*) AS n FROM ${FACT_TABLES[fact]}${where}`);
      counts[fact] = Number(rows[0]?.n ?? 0);
    }
    return counts;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** What refreshDerived makes from events and orders, with the state that says it is current. */
const DERIVED_TABLES = [
  "session_events",
  "identity_links",
  "identity_persons",
  "rollup_visitor_days",
  "rollup_day_gaps",
  "rollup_orders",
  "derived_state",
  "rollup_state",
] as const;

const KEY_COLUMNS =
  "SELECT id, workspace, kind, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, strftime(revoked_at, '%Y-%m-%dT%H:%M:%SZ') AS revoked_at FROM api_keys";

/** A stored key, or null for a kind this version does not know (it grants nothing). */
function toApiKey(row: Record<string, unknown>): ApiKey | null {
  const kind = storedKeyKind(row.kind);
  if (kind === null) return null;
  return {
    id: String(row.id),
    workspace: String(row.workspace),
    kind,
    createdAt: String(row.created_at),
    revokedAt: row.revoked_at === null ? null : String(row.revoked_at),
  };
}

function toErasureRecord(row: Record<string, unknown>): ErasureRecord {
  return {
    kind: row.kind === "retention" ? "retention" : "erasure",
    at: String(row.at),
    idHash: row.id_hash === null ? null : String(row.id_hash),
    before: row.before_ts === null ? null : String(row.before_ts),
    rows: JSON.parse(String(row.removed)) as Record<string, number>,
  };
}

/**
 * The earliest cut in `changed_visitors` as SQL constants (null when no visitor has one), and
 * whether every visitor has one (else some whole histories are derived again).
 */
interface Cut {
  readonly ts: string;
  readonly day: string;
  readonly everyVisitor: boolean;
}

async function earliestCut(tx: Transaction): Promise<Cut | null> {
  const [row] = await tx.all(`SELECT count(*) FILTER (WHERE cut_ts IS NULL) = 0 AS every_visitor,
    CAST(min(cut_ts) AS VARCHAR) AS ts, CAST(min(cut_day) AS VARCHAR) AS day FROM changed_visitors`);
  if (typeof row?.ts !== "string" || typeof row.day !== "string") return null;
  return {
    ts: `CAST(${d.literal(row.ts)} AS TIMESTAMPTZ)`,
    day: `DATE ${d.literal(row.day)}`,
    everyVisitor: row.every_visitor === true,
  };
}
