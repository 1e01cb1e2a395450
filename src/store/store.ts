import type { FunnelStep } from "../analysis/funnels/parse-step.js";
import type { ImportKind } from "../import/kinds.js";
import type { TextRecord } from "../ingest/text-record.js";
import type { ApiKey, KeyKind } from "../keys/keys.js";
import type { Interval } from "../kpi/buckets.js";
import type { Dimension, Filter, SessionDimension } from "../kpi/dimensions.js";
import type { BaseMeasure, Fact, MeasureValues } from "../kpi/measures.js";
import type { Workspace, WorkspaceSettings } from "../workspace/settings.js";

/** An event for a workspace, as text columns (see ingest/text-record.ts). */
export interface IncomingEvent {
  readonly workspace: string;
  readonly record: TextRecord;
}

export interface AppendResult {
  readonly stored: number;
  readonly duplicates: number;
}

/** One bucket of a query: its label and the dates it covers inside the range (inclusive). */
export interface Bucket {
  readonly label: string | null;
  readonly from: string;
  readonly to: string;
  /** The equal-length range just before it, for retention. */
  readonly previousFrom: string;
  readonly previousTo: string;
}

/** What the KPI layer asks of a store: base measures of some facts, by bucket and dimensions. */
export interface MeasureQuery {
  readonly workspace: Workspace;
  readonly facts: readonly Fact[];
  /** The base measures asked for; statements no asked measure needs are skipped. */
  readonly measures: readonly BaseMeasure[];
  readonly interval: Interval | null;
  readonly buckets: readonly Bucket[];
  readonly groupBy: readonly Dimension[];
  readonly filters: readonly Filter[];
  /** Also compute totals over the whole selection (one bucket, no grouping), marked `total`. */
  readonly totals?: Bucket;
}

export interface MeasureRow {
  /** A row of the totals over the whole selection rather than of one bucket and group. */
  readonly total: boolean;
  readonly period: string | null;
  /** Dimension name → value, `(none)` when the fact has none. */
  readonly dims: Readonly<Record<string, string>>;
  readonly values: MeasureValues;
}

/** A file import as the import layer describes it; the store reads, validates and merges it. */
export interface ImportRequest {
  readonly workspace: Workspace;
  readonly kind: ImportKind;
  readonly file: string;
  readonly format: "csv" | "jsonl";
  /** Target column → source column of the file. */
  readonly map: Readonly<Record<string, string>>;
  /** strptime-style format for dates and timestamps, or null for ISO 8601. */
  readonly dateFormat: string | null;
  readonly skipInvalid: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A CSV file in the columns of SPEC §2.2 as they are: no mapping, ISO dates, all or nothing. */
export function plainCsvImport(workspace: Workspace, kind: ImportKind, file: string): ImportRequest {
  return { workspace, kind, file, format: "csv", map: {}, dateFormat: null, skipInvalid: false };
}

export interface RejectedRow {
  readonly line: number;
  readonly reason: string;
}

export interface ImportSummary {
  readonly kind: ImportKind;
  readonly rowsRead: number;
  readonly rowsStored: number;
  /** Rows that replaced earlier rows (costs, email, social) or duplicated stored ones (orders, events). */
  readonly rowsReplaced: number;
  readonly rowsDuplicate: number;
  readonly rejected: readonly RejectedRow[];
}

/**
 * A definition or record kept as JSON under (workspace, kind, id): objectives, goals, alert rules,
 * channels, funnels, experiments, alert history, share links, users… The layers above own each
 * kind's shape and validate it; the store only keeps the documents, so a new kind needs no schema
 * change. Global documents (dashboard users) use the workspace "".
 */
export interface StoredDocument {
  readonly kind: string;
  readonly id: string;
  readonly body: unknown;
  /** When this version was written (ISO 8601, UTC). */
  readonly updatedAt: string;
}

/** A write of one document: `body: null` deletes it. */
export interface DocumentChange {
  readonly kind: string;
  readonly id: string;
  readonly body: unknown;
}

/** A write of one custom KPI: `formula: null` deletes it. */
export interface CustomKpiChange {
  readonly id: string;
  readonly formula: string | null;
}

/** A funnel over a range of entry dates (SPEC §7.1); `windowSeconds` from each visitor's entry. */
export interface FunnelQuery {
  readonly workspace: Workspace;
  readonly steps: readonly FunnelStep[];
  readonly windowSeconds: number;
  readonly from: string;
  readonly to: string;
  /** A breakdown: each entrant's value of this dimension at their step-1 entry (run-funnel.ts). */
  readonly groupBy?: FunnelGroupBy;
}

/**
 * What a funnel can be broken down by: a session dimension (the value of the session holding the
 * entry event, as KPIs take it) or a property of the entry event itself.
 */
export type FunnelGroupBy =
  | { readonly kind: "session"; readonly name: SessionDimension }
  | { readonly kind: "property"; readonly name: string; readonly property: string };

/** Visitors reaching each step, and the median microseconds from the previous step (null for step 1). */
export interface FunnelCounts {
  readonly reached: number[];
  readonly medianMicros: (number | null)[];
  /** With `groupBy`: the same per value of the dimension (null: no value), most entrants first. */
  readonly groups?: readonly FunnelGroupCounts[];
}

export interface FunnelGroupCounts {
  readonly value: string | null;
  readonly reached: number[];
  readonly medianMicros: (number | null)[];
}

/** One experiment's exposures and conversions (SPEC §7); dates inclusive, in the workspace time zone. */
export interface ExposureQuery {
  readonly workspace: Workspace;
  readonly experiment: string;
  readonly conversion: string;
  readonly from?: string;
  readonly to?: string;
}

/** Visitors (by first exposure) and converted visitors of one variation. */
export interface ExposureRow {
  readonly variation: string;
  readonly visitors: number;
  readonly conversions: number;
}

export interface DataSpan {
  readonly from: string;
  readonly to: string;
}

/** What a store holds about one person (docs/operations.md, "Erasure and access"): raw rows as stored. */
export interface PersonData {
  readonly events: readonly Record<string, unknown>[];
  readonly orders: readonly Record<string, unknown>[];
}

/**
 * A record of rows removed for privacy: an erasure of one person (`idHash`: sha256 of workspace
 * and id, never the id) or a retention run (`before`: the cut-off). `rows`: rows removed per
 * table; for derived tables, the net change of the visitors derived again.
 */
export interface ErasureRecord {
  readonly kind: "erasure" | "retention";
  readonly at: string;
  readonly idHash: string | null;
  readonly before: string | null;
  readonly rows: Readonly<Record<string, number>>;
}

/** The only place that knows a database. Everything above speaks in workspaces, facts and measures. */
export interface Store {
  readonly description: string;
  listWorkspaces(): Promise<Workspace[]>;
  createWorkspace(workspace: Workspace): Promise<void>;
  updateSettings(name: string, settings: WorkspaceSettings): Promise<void>;
  listCustomKpis(workspace: string): Promise<{ id: string; formula: string }[]>;
  saveCustomKpi(workspace: string, id: string, formula: string): Promise<void>;
  deleteCustomKpi(workspace: string, id: string): Promise<boolean>;
  saveKey(key: { id: string; workspace: string; kind: KeyKind; hash: string }): Promise<void>;
  listKeys(workspace?: string): Promise<ApiKey[]>;
  /** Revokes a key; false when there is no such key. */
  revokeKey(id: string): Promise<boolean>;
  /** The live (not revoked) key with this hash, if any. */
  findKey(hash: string): Promise<ApiKey | null>;
  importFile(request: ImportRequest): Promise<ImportSummary>;
  /** Stores events in one transaction; resolves once they are durable. */
  appendEvents(events: readonly IncomingEvent[]): Promise<AppendResult>;
  /**
   * Work that can wait for a quiet moment (DuckDB: moving the write-ahead log into the file, which
   * otherwise happens inside whichever commit crosses the log's size limit).
   */
  tidy(): Promise<void>;
  /**
   * The least time between two ingestion commits: 0 commits as soon as the previous one ends
   * (DuckDB); ClickHouse prefers few large INSERTs, about one a second.
   */
  readonly commitIntervalMs: number;
  /** The salt of a UTC day for visitor hashes, created on first use; older salts are forgotten. */
  dailySalt(day: string): Promise<string>;
  /** Brings derived tables (sessions) up to date with the raw events of a workspace. */
  refreshDerived(workspace: Workspace): Promise<void>;
  queryMeasures(query: MeasureQuery): Promise<MeasureRow[]>;
  /** Visitors reaching each funnel step in order within the window, computed in SQL. */
  queryFunnel(query: FunnelQuery): Promise<FunnelCounts>;
  /** Visitors and converted visitors per variation of an experiment, sorted by variation id. */
  queryExposures(query: ExposureQuery): Promise<ExposureRow[]>;
  /** Experiment ids seen in the workspace's `Experiment Viewed` events. */
  experimentIds(workspace: string): Promise<string[]>;
  /** The workspace's live documents of a kind, by id. */
  listDocuments(workspace: string, kind: string): Promise<StoredDocument[]>;
  /** Writes every change or none (one transaction; on ClickHouse one INSERT of new versions). */
  writeDocuments(workspace: string, changes: readonly DocumentChange[]): Promise<void>;
  /**
   * Writes definition documents and custom KPIs together, all or nothing (`sextant config apply`):
   * one transaction on DuckDB; on ClickHouse the custom KPIs and then the documents, each one
   * INSERT, the custom KPIs put back as they were if the documents' INSERT fails.
   */
  writeDefinitions(
    workspace: string,
    documents: readonly DocumentChange[],
    kpis: readonly CustomKpiChange[],
  ): Promise<void>;
  /** Breakdown columns seen in a workspace's ad costs. */
  costBreakdowns(workspace: string): Promise<string[]>;
  /** First and last dates with data of any kind, in the workspace time zone. */
  dataSpan(workspace: Workspace): Promise<DataSpan | null>;
  /**
   * The time of the workspace's latest event strictly before `before` (milliseconds since the
   * epoch), or null when it has none: what a "no data received" alert watches.
   */
  lastEventTime(workspace: string, before: Date): Promise<number | null>;
  /**
   * The ids under which one person's rows are stored: today the id itself, matched against the
   * events' visitor, user and anonymous ids and the orders' customer and visitor ids. Identity
   * stitching (identify/alias links) will widen it to every linked id, here and only here.
   */
  personIds(workspace: string, id: string): Promise<string[]>;
  /** Every raw row stored under these ids (personIds). */
  personData(workspace: string, ids: readonly string[]): Promise<PersonData>;
  /**
   * Removes the rows stored under these ids (events, orders, identity links) and derives again
   * what was derived from them, serialized with ingestion so no other event is lost; records it.
   */
  erasePerson(workspace: Workspace, ids: readonly string[], idHash: string): Promise<ErasureRecord>;
  /** Removes events and orders before `before` (retention), derived rows kept consistent; records it. */
  removeBefore(workspace: Workspace, before: Date): Promise<ErasureRecord>;
  /** The workspace's erasure and retention records, oldest first. */
  listErasures(workspace: string): Promise<ErasureRecord[]>;
  /** Rows stored per fact, for status pages and the demo's "store is empty" check. */
  countRows(workspace?: string): Promise<Record<Fact, number>>;
  close(): Promise<void>;
}
