import type { Bucket, Interval } from "../model/calendar.js";
import type { Dimension, Filter, SessionDimension } from "../model/dimensions.js";
import type { FunnelStep } from "../model/funnel-step.js";
import type { ImportKind } from "../model/import-kinds.js";
import type { ApiKey, KeyKind } from "../model/keys.js";
import type { BaseMeasure, Fact, MeasureValues } from "../model/measures.js";
import type { TextRecord } from "../model/text-record.js";
import type { Workspace, WorkspaceSettings } from "../model/workspace.js";

/** An event for a workspace, as text columns (see model/text-record.ts). */
export interface IncomingEvent {
  readonly workspace: string;
  readonly record: TextRecord;
}

export interface AppendResult {
  readonly stored: number;
  readonly duplicates: number;
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

/** A CSV file in the columns of docs/importing.md#columns as they are: no mapping, ISO dates, all or nothing. */
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

/** A funnel over a range of entry dates (docs/funnels-and-experiments.md#funnels); `windowSeconds` from each visitor's entry. */
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

/** One experiment's exposures and conversions (docs/funnels-and-experiments.md#experiments); dates inclusive, in the workspace time zone. */
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

/**
 * What an experiment metric adds up per exposed visitor (docs/funnels-and-experiments.md): whether
 * they did an event (a proportion), how many events, the sum of an event's numeric property, or
 * their orders' revenue or count (imported orders with a visitor id and `Order Completed` events,
 * one per order id, an imported row winning, as the revenue KPI counts them).
 */
export type MetricSource =
  | { readonly kind: "conversion"; readonly event: string }
  | { readonly kind: "count"; readonly event: string }
  | { readonly kind: "sum"; readonly event: string; readonly property: string }
  | { readonly kind: "revenue" }
  | { readonly kind: "orders" };

/**
 * One metric's sufficient statistics per variation of an experiment: first exposures as in
 * `ExposureQuery`; the value after the first exposure within the dates; with `lookbackDays`, the
 * same value over the days before each visitor's first exposure (CUPED's covariate).
 */
export interface MetricSumsQuery {
  readonly workspace: Workspace;
  readonly experiment: string;
  readonly metric: MetricSource;
  readonly from?: string;
  readonly to?: string;
  readonly lookbackDays: number | null;
}

/** n, Σ value, Σ value² and, with a lookback, Σ pre, Σ pre², Σ value·pre of one variation. */
export interface MetricSumsRow {
  readonly variation: string;
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly preSum: number;
  readonly preSumSquares: number;
  readonly sumProducts: number;
}

/**
 * Who a cohort is and when it starts: customers by the month of their first order, or visitors by
 * the ISO week of their first visit (docs/cohorts.md).
 */
export type CohortBy = "first_order_month" | "first_visit_week";

/** Cohorts starting within the dates (inclusive), their activity up to `to`. */
export interface CohortQuery {
  readonly workspace: Workspace;
  readonly by: CohortBy;
  readonly from: string;
  readonly to: string;
}

/**
 * One cohort in one period (both the first day of their month or ISO week): its members active
 * then (an order for customers, a visit for visitors), their revenue and their orders.
 */
export interface CohortRow {
  readonly cohort: string;
  readonly period: string;
  readonly active: number;
  readonly revenue: number;
  readonly orders: number;
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
  /**
   * Every id of the person holding `id` (a device, user or alias id), sorted and `id` included:
   * the ids linked to it by identify calls, aliases and a user id shared by devices
   * (docs/concepts.md, "Persons"). What erasing or exporting one person covers.
   */
  personIdentities(workspace: Workspace, id: string): Promise<string[]>;
  /** One metric's sufficient statistics per variation of an experiment, sorted by variation id. */
  queryMetricSums(query: MetricSumsQuery): Promise<MetricSumsRow[]>;
  /** Cohort × period activity, sorted by cohort then period. */
  queryCohorts(query: CohortQuery): Promise<CohortRow[]>;
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
  /** Every raw row stored under these ids (personIdentities): events' visitor, user and anonymous ids, orders' customer and visitor ids. */
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
