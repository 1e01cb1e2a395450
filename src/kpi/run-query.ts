import { UserError } from "../errors.js";
import { bucketsOf, type Interval, parseDate, todayIn } from "../model/calendar.js";
import { type Dimension, NONE, PAGE_KPIS, parseDimension, parseFilters } from "../model/dimensions.js";
import {
  type BaseMeasure,
  FACT_MEASURES,
  FACTS,
  type Fact,
  factOf,
  LEVEL_MEASURES,
} from "../model/measures.js";
import type { Workspace } from "../model/workspace.js";
import type { MeasureRow, Store } from "../store/store.js";
import { KPI_BY_ID, KPI_CATALOG, type KpiDefinition } from "./catalog.js";
import { type CustomKpi, loadCustomKpis } from "./custom-kpis.js";
import { evaluateFormula } from "./formula/index.js";
import { closestName as closest } from "./suggest.js";

/** A KPI query as the CLI and the HTTP API take it. */
export interface KpiRequest {
  readonly kpis?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly interval?: Interval | null;
  readonly groupBy?: readonly string[];
  readonly where?: readonly string[];
  /** Overrides the workspace's attribution model for this query (docs/concepts.md#attribution). */
  readonly attribution?: Attribution;
  /**
   * Base measures to return too, under their own names in each row and in the totals: the counts
   * behind a ratio, for analyses that test them (segments). Not offered on the CLI or the API.
   */
  readonly measures?: readonly BaseMeasure[];
}

export const ATTRIBUTIONS = ["last_touch", "first_touch", "linear"] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

export type KpiValues = Record<string, number | null>;
export type KpiRow = Record<string, string | number | null>;

/** The JSON shape of docs/command-line.md#output-and-errors. */
export interface KpiResult {
  readonly workspace: string;
  readonly from: string;
  readonly to: string;
  readonly interval: Interval | null;
  readonly groupBy: string[];
  readonly kpis: string[];
  readonly rows: KpiRow[];
  readonly totals: KpiValues;
}

/**
 * Answers a KPI query: plans which facts it needs, asks the store for base measures by bucket and
 * group and once more for the totals of the whole selection, then computes every KPI from them.
 */
export async function runKpiQuery(store: Store, asked: Workspace, request: KpiRequest): Promise<KpiResult> {
  // The model only shapes how orders are attributed at query time; derived tables do not depend on it.
  const workspace = request.attribution
    ? { ...asked, settings: { ...asked.settings, attribution: request.attribution } }
    : asked;
  const custom = await loadCustomKpis(store, workspace.name);
  const groupBy = (request.groupBy ?? []).map(parseDimension);
  const filters = parseFilters(request.where ?? []);
  const byPage = [...groupBy, ...filters.map((f) => f.dimension)].some((d) => d.kind === "page");
  // By page, the KPIs that apply to pages are the default; any other is refused (docs/concepts.md#kpis).
  const kpis = resolveKpis(request.kpis?.length ? request.kpis : byPage ? PAGE_KPIS : undefined, custom);
  if (byPage) checkPageKpis(kpis);
  await checkBreakdowns(store, workspace.name, [...groupBy, ...filters.map((f) => f.dimension)]);
  const { from, to } = await resolveRange(store, workspace, request);
  const interval = request.interval ?? null;
  const extra = request.measures ?? [];
  const measures = [...new Set([...neededMeasures(kpis), ...extra])];
  const facts = FACTS.filter((fact) => measures.some((m) => factOf(m) === fact));
  if (facts.includes("events") || facts.includes("orders")) await store.refreshDerived(workspace);

  const [whole] = bucketsOf(from, to, null);
  const measured = await store.queryMeasures({
    workspace,
    facts,
    measures,
    groupBy,
    filters,
    interval,
    buckets: bucketsOf(from, to, interval),
    // Without interval or grouping the rows are the totals: no second computation.
    ...(interval === null && groupBy.length === 0 ? {} : { totals: whole }),
  });
  const grouped = measured.filter((row) => !row.total);
  const total = interval === null && groupBy.length === 0 ? grouped : measured.filter((row) => row.total);
  const compute = (values: MeasureBag) => ({
    ...Object.fromEntries(extra.map((m) => [m, values[m] ?? null])),
    ...computeKpis(kpis, values, workspace),
  });
  const rows = mergeRows(
    grouped,
    facts,
    groupBy,
    bucketsOf(from, to, interval).map((b) => b.label),
  );
  return {
    workspace: workspace.name,
    from,
    to,
    interval,
    groupBy: groupBy.map((g) => g.name),
    kpis: kpis.map((k) => k.id),
    rows: rows.map((row) => ({
      ...(interval === null ? {} : { period: row.period }),
      ...Object.fromEntries(groupBy.map((g, i) => [g.name, row.dims[`d${i}`] ?? NONE])),
      ...compute(row.values),
    })),
    totals: compute(mergeRows(total, facts, [], [])[0]?.values ?? emptyBag(facts)),
  };
}

type RequestedKpi = { id: string; builtIn?: KpiDefinition; custom?: CustomKpi };
type MeasureBag = Record<BaseMeasure, number | null>;

function resolveKpis(ids: readonly string[] | undefined, custom: readonly CustomKpi[]): RequestedKpi[] {
  const customById = new Map(custom.map((c) => [c.id, c]));
  const wanted = ids && ids.length > 0 ? ids : [...KPI_CATALOG.map((k) => k.id), ...custom.map((c) => c.id)];
  return wanted.map((raw) => {
    const id = raw.trim();
    const builtIn = KPI_BY_ID.get(id);
    if (builtIn) return { id, builtIn };
    const own = customById.get(id);
    if (own) return { id, custom: own };
    const known = [...KPI_BY_ID.keys(), ...customById.keys()];
    const hint = closest(id, known);
    throw new UserError(
      `Unknown KPI "${id}".${hint ? ` Did you mean "${hint}"?` : ""} Run \`sextant kpi list\` to see them all.`,
      [{ field: "kpis", reason: `unknown KPI ${id}` }],
    );
  });
}

/** Refuses, by page, a KPI that is not one of PAGE_KPIS (nor a custom formula of them only). */
function checkPageKpis(kpis: readonly RequestedKpi[]): void {
  const allowed: ReadonlySet<string> = new Set(PAGE_KPIS);
  for (const kpi of kpis) {
    const names = kpi.custom ? kpi.custom.formula.names : [kpi.id];
    if (names.every((name) => allowed.has(name))) continue;
    throw new UserError(
      `${kpi.id} cannot be grouped or filtered by page: page applies to ${PAGE_KPIS.join(", ")} only.`,
      [{ field: "kpis", reason: `${kpi.id} does not apply to pages` }],
    );
  }
}

function neededMeasures(kpis: readonly RequestedKpi[]): BaseMeasure[] {
  const needed = new Set<BaseMeasure>();
  const addKpi = (id: string) => {
    for (const m of KPI_BY_ID.get(id)?.measures ?? []) needed.add(m);
  };
  for (const kpi of kpis) {
    if (kpi.builtIn) addKpi(kpi.id);
    for (const name of kpi.custom?.formula.names ?? []) addKpi(name);
  }
  return [...needed];
}

async function checkBreakdowns(
  store: Store,
  workspace: string,
  dimensions: readonly Dimension[],
): Promise<void> {
  const breakdowns = dimensions.filter((d) => d.kind === "breakdown");
  if (breakdowns.length === 0) return;
  const known = await store.costBreakdowns(workspace);
  for (const dimension of breakdowns) {
    if (known.includes(dimension.name)) continue;
    const hint = closest(dimension.name, [
      ...known,
      "campaign",
      "channel",
      "utm_source",
      "network",
      "device",
      "country",
    ]);
    throw new UserError(
      `Unknown dimension "${dimension.name}".${hint ? ` Did you mean "${hint}"?` : ""} Dimensions are campaign, channel, ` +
        `utm_source, utm_medium, utm_content, utm_term, landing_page, page, device, browser, os, country, network, props.NAME` +
        `${known.length ? ` and the ad cost breakdowns ${known.join(", ")}` : ""}.`,
      [{ field: "group_by", reason: `unknown dimension ${dimension.name}` }],
    );
  }
}

/** The range asked for; by default the whole span of the workspace's data (or today when empty). */
async function resolveRange(store: Store, workspace: Workspace, request: KpiRequest) {
  let from = request.from === undefined ? undefined : parseDate(request.from, "from");
  let to = request.to === undefined ? undefined : parseDate(request.to, "to");
  if (from === undefined || to === undefined) {
    const today = todayIn(workspace.settings.timezone);
    const span = (await store.dataSpan(workspace)) ?? { from: today, to: today };
    from ??= to !== undefined && span.from > to ? to : span.from;
    // biome-ignore lint/complexity/useMathMinMax: these are YYYY-MM-DD strings, compared as text
    to ??= span.to < from ? from : span.to;
  }
  if (from > to) {
    throw new UserError(`The range starts (${from}) after it ends (${to}).`, [
      { field: "from", reason: "after to" },
    ]);
  }
  return { from, to };
}

interface MergedRow {
  period: string | null;
  dims: Record<string, string>;
  values: MeasureBag;
}

function emptyBag(facts: readonly Fact[]): MeasureBag {
  const bag = {} as MeasureBag;
  for (const fact of facts) {
    for (const m of FACT_MEASURES[fact]) bag[m] = LEVEL_MEASURES.has(m) ? null : 0;
  }
  return bag;
}

/** Joins the facts' rows on (period, dims); a fact without a row there counts zero. */
function mergeRows(
  rows: readonly MeasureRow[],
  facts: readonly Fact[],
  groupBy: readonly Dimension[],
  periods: (string | null)[],
): MergedRow[] {
  const merged = new Map<string, MergedRow>();
  const keyOf = (period: string | null, dims: Record<string, string>) => JSON.stringify([period, dims]);
  for (const period of groupBy.length === 0 ? periods : []) {
    merged.set(keyOf(period, {}), { period, dims: {}, values: emptyBag(facts) });
  }
  for (const row of rows) {
    const key = keyOf(row.period, { ...row.dims });
    let target = merged.get(key);
    if (!target) {
      target = { period: row.period, dims: { ...row.dims }, values: emptyBag(facts) };
      merged.set(key, target);
    }
    for (const [measure, value] of Object.entries(row.values)) {
      if (value !== undefined) target.values[measure as BaseMeasure] = value;
    }
  }
  return [...merged.values()].sort((a, b) => compareRows(a, b, groupBy.length));
}

function compareRows(a: MergedRow, b: MergedRow, dims: number): number {
  if (a.period !== b.period) return (a.period ?? "") < (b.period ?? "") ? -1 : 1;
  for (let i = 0; i < dims; i++) {
    const x = a.dims[`d${i}`] ?? NONE;
    const y = b.dims[`d${i}`] ?? NONE;
    if (x === y) continue;
    if (x === NONE) return 1;
    if (y === NONE) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function computeKpis(kpis: readonly RequestedKpi[], values: MeasureBag, workspace: Workspace): KpiValues {
  const builtIns = new Map<string, number | null>();
  const builtIn = (id: string) => {
    if (!builtIns.has(id)) {
      const def = KPI_BY_ID.get(id);
      builtIns.set(id, def ? clean(def.compute(values, workspace.settings)) : null);
    }
    return builtIns.get(id) ?? null;
  };
  const out: KpiValues = {};
  for (const kpi of kpis) {
    if (kpi.builtIn) out[kpi.id] = builtIn(kpi.id);
    else if (kpi.custom) {
      const inputs = Object.fromEntries(kpi.custom.formula.names.map((n) => [n, builtIn(n)]));
      out[kpi.id] = clean(evaluateFormula(kpi.custom.formula, inputs));
    }
  }
  return out;
}

/** Never NaN or Infinity in output: those are "no value". */
function clean(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}
