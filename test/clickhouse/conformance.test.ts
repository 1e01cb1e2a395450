import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ClickHouseClient, createClient } from "@clickhouse/client";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storedGoals } from "../../src/alerts/goal-source.js";
import { runTimeAsOf } from "../../src/alerts/periods.js";
import { alertHistory, runAlerts } from "../../src/alerts/run-alerts.js";
import { adviseBudget } from "../../src/analysis/budget/advise.js";
import { runExperiment } from "../../src/analysis/experiments/run-experiment.js";
import { runFunnel } from "../../src/analysis/funnels/run-funnel.js";
import { runSegments, type SegmentsRequest } from "../../src/analysis/segments/run-segments.js";
import { applyConfig } from "../../src/definitions/apply-config.js";
import { parseConfigYaml } from "../../src/definitions/config-source.js";
import { exportConfig } from "../../src/definitions/export-config.js";
import { loadDemo } from "../../src/demo/load-demo.js";
import { isUserError } from "../../src/errors.js";
import { evaluateGoals } from "../../src/goals/evaluate.js";
import { reviewKpis } from "../../src/goals/review.js";
import { goalHistory } from "../../src/goals/snapshots.js";
import { KPI_CATALOG } from "../../src/kpi/catalog.js";
import { type KpiRequest, runKpiQuery } from "../../src/kpi/run-query.js";
import { SESSION_DIMENSIONS } from "../../src/model/dimensions.js";
import type { ImportKind } from "../../src/model/import-kinds.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { TextRecord } from "../../src/model/text-record.js";
import type { Workspace } from "../../src/model/workspace.js";
import { ClickhouseStore } from "../../src/store/clickhouse/clickhouse-store.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import type { ImportSummary, IncomingEvent, Store } from "../../src/store/store.js";
import { csvText, padColumns } from "../kpi/fixture.js";
import { type ClickhouseFixture, startCluster, startSingle } from "./servers.js";

/**
 * One table of cases, each run on DuckDB (a fresh file), a single ClickHouse server and a two-shard
 * ClickHouse cluster; every case returns JSON and the three results must be identical (numbers to a
 * relative 1e-9). Each case works in workspaces of its own, except the demo cases, which read the
 * demo loaded once per store (and put back any setting they change).
 */

const DATASET =
  process.env.SEXTANT_FACEBOOK_ADS_CSV ??
  fileURLToPath(new URL("../fixtures/facebook-ads-kag.csv", import.meta.url));
const FB_MAP = {
  date: "Date",
  campaign: "xyz_campaign_id",
  spend: "Spent",
  impressions: "Impressions",
  clicks: "Clicks",
  conversions: "Total_Conversion",
};

/** The demo: ten days up to a fixed date, so that every store holds the same rows. */
const DEMO = { name: "demo", days: 10, seed: 11, endDate: "2026-03-15" } as const;
const RANGE = { from: "2026-03-06", to: "2026-03-15" } as const;
/** Wider than the data, so that quarters and years have several buckets, some empty. */
const WIDE = { from: "2025-12-20", to: "2026-04-10" } as const;

/** Every built-in KPI: the cases in workspaces of their own, which define no custom KPI. */
const CATALOG_KPIS = KPI_CATALOG.map((k) => k.id);
/** With the demo's custom KPI `profit` (load-demo.ts), for the demo cases. */
const ALL_KPIS = [...CATALOG_KPIS, "profit"];
/** A KPI of each fact (and ratios across facts), for the grouped queries. */
const MIXED_KPIS = [
  "visitors",
  "sessions",
  "pageviews",
  "bounce_rate",
  "avg_visit_duration",
  "conversions",
  "conversion_rate",
  "orders",
  "revenue",
  "new_customers",
  "spend",
  "clicks",
  "cpa",
  "roas",
  "emails_sent",
  "open_rate",
  "followers",
  "engagement_rate",
];
const ORDER_KPIS = ["orders", "revenue", "customers", "new_customers", "aov", "roas", "cpa"];

interface Ctx {
  /** Directory shared by every store's run (files are written with the same content). */
  readonly dir: string;
  demo: Workspace;
}

interface Case {
  readonly name: string;
  run(store: Store, ctx: Ctx): Promise<unknown>;
}

// ---------------------------------------------------------------------------------------------
// Helpers used by the cases

async function newWorkspace(store: Store, name: string, settings: Record<string, unknown> = {}) {
  const ws: Workspace = { name, settings: validateSettings(settings) };
  await store.createWorkspace(ws);
  return ws;
}

async function withSettings<T>(
  store: Store,
  ctx: Ctx,
  settings: Record<string, unknown>,
  body: (ws: Workspace) => Promise<T>,
): Promise<T> {
  const before = ctx.demo;
  const ws: Workspace = {
    name: before.name,
    settings: validateSettings({ ...before.settings, ...settings }),
  };
  await store.updateSettings(ws.name, ws.settings);
  try {
    return await body(ws);
  } finally {
    await store.updateSettings(before.name, before.settings);
  }
}

/** Runs `body` with a workspace of its own under changed settings, then puts them back. */
async function withWorkspaceSettings<T>(
  store: Store,
  ws: Workspace,
  settings: Record<string, unknown>,
  body: (changed: Workspace) => Promise<T>,
): Promise<T> {
  const changed: Workspace = { name: ws.name, settings: validateSettings({ ...ws.settings, ...settings }) };
  await store.updateSettings(ws.name, changed.settings);
  try {
    return await body(changed);
  } finally {
    await store.updateSettings(ws.name, ws.settings);
  }
}

function kpi(store: Store, ws: Workspace, request: KpiRequest) {
  return runKpiQuery(store, ws, request);
}

async function file(ctx: Ctx, name: string, content: string): Promise<string> {
  const path = join(ctx.dir, name);
  await writeFile(path, content, "utf8");
  return path;
}

interface ImportOptions {
  readonly skipInvalid?: boolean;
  readonly format?: "csv" | "jsonl";
  readonly map?: Record<string, string>;
  readonly dateFormat?: string | null;
}

function importFile(
  store: Store,
  ws: Workspace,
  kind: ImportKind,
  path: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  return store.importFile({
    workspace: ws,
    kind,
    file: path,
    format: options.format ?? "csv",
    map: options.map ?? {},
    dateFormat: options.dateFormat ?? null,
    skipInvalid: options.skipInvalid ?? false,
  });
}

/** Rows as a CSV file with a header (csv-stringify quotes what needs quoting). */
function csvOf(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return stringify([columns as string[], ...rows.map((r) => r.map(String))]);
}

/** A thrown error as data: a UserError's message and details, else the bare message marked as a crash. */
function errorAsData(error: unknown): unknown {
  if (isUserError(error)) return { userError: error.message, details: error.details };
  return { crash: error instanceof Error ? error.message : String(error) };
}

async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await run() };
  } catch (error) {
    return errorAsData(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Inline data

const COSTS_1 = csvText(`
  date,campaign,spend,channel,impressions,clicks,conversions,currency,age
  2026-03-01,Spring_Sale,100.10,paid,1000,50,3,EUR,18-24
  2026-03-01,spring_sale,20.05,paid,200,10,1,EUR,25-34
  2026-03-02,Brand,5.5,,300,7,,EUR,18-24
`);
const COSTS_2 = csvText(`
  date,campaign,spend,channel,impressions,clicks,conversions,currency,age
  2026-03-01, SPRING_SALE ,90,paid,900,45,2,EUR,18-24
  2026-03-03,Brand,7.25,paid,310,8,1,EUR,18-24
`);
const EMAIL_1 = csvText(`
  date,campaign,sent,delivered,opens,clicks,unsubscribes,bounces
  2026-03-01,Newsletter_W10,1000,980,300,40,2,20
  2026-03-02,Promo,500,490,100,10,1,10
`);
const EMAIL_2 = csvText(`
  date,campaign,sent,delivered,opens,clicks,unsubscribes,bounces
  2026-03-01,newsletter_w10,1200,1190,310,44,3,10
`);
const SOCIAL_1 = csvText(`
  date,network,posts,reach,impressions,interactions,mentions,followers
  2026-03-01,Instagram,2,1000,1500,80,3,5000
  2026-03-02,instagram,1,700,900,30,1,5010
  2026-03-02,LinkedIn,1,300,400,12,0,800
`);
const SOCIAL_2 = csvText(`
  date,network,posts,reach,impressions,interactions,mentions,followers
  2026-03-02,INSTAGRAM,3,900,1000,60,2,5020
`);
const ORDERS_1 = csvText(`
  timestamp,order_id,customer_id,revenue,currency,campaign,visitor_id
  2026-03-01T10:00:00Z,o-1,c-1,50.5,EUR,Spring_Sale,v-1
  2026-03-02T11:00:00Z,o-2,c-1,20,EUR,,v-1
  2026-03-02T12:00:00Z,o-2,c-1,999,EUR,,v-1
  2026-03-03T09:30:00Z,o-3,c-2,10.25,EUR,,
`);
const EVENTS_1 = csvText(`
  timestamp,event,visitor_id,type,user_id,url,referrer,utm_source,utm_medium,utm_campaign,revenue,currency,order_id,properties,message_id
  2026-03-01T10:00:00Z,pageview,v-1,page,,https://shop.example.com/?utm_campaign=Spring_Sale,https://www.google.com/,google,cpc,Spring_Sale,,,,"{""plan"":""pro""}",m-1
  2026-03-01T10:05:00Z,Signed Up,v-1,track,u-1,https://shop.example.com/signup,,,,,,,,"{""plan"":""pro""}",m-2
  2026-03-01T10:06:00Z,Order Completed,v-1,track,u-1,https://shop.example.com/checkout,,,,,42.5,EUR,ev-o-1,,m-3
  2026-03-02T08:00:00Z,pageview,v-2,page,,https://shop.example.com/blog,https://news.example.org/,,,,,,,,
  2026-03-02T08:00:00Z,pageview,v-2,page,,https://shop.example.com/blog,https://news.example.org/,,,,,,,,
`);

const SEGMENT_JSONL = [
  {
    type: "page",
    anonymousId: "anon-1",
    messageId: "s-1",
    timestamp: "2026-03-04T10:00:00Z",
    properties: { url: "https://shop.example.com/pricing", referrer: "https://twitter.com/x" },
    context: { campaign: { name: "Launch", source: "twitter", medium: "social" } },
  },
  {
    type: "track",
    event: "Order Completed",
    userId: "user-1",
    anonymousId: "anon-1",
    messageId: "s-2",
    timestamp: "2026-03-04T10:10:00Z",
    properties: { revenue: 99.9, currency: "eur", order_id: "so-1", coupon: "X" },
  },
  {
    type: "identify",
    userId: "user-1",
    anonymousId: "anon-1",
    messageId: "s-3",
    timestamp: "2026-03-04T10:11:00Z",
    traits: { plan: "team" },
  },
]
  .map((m) => JSON.stringify(m))
  .join("\n")
  .concat("\nnot json\n[1,2]\n");

const ORDERS_JSONL = [
  { timestamp: "2026-03-05T10:00:00Z", order_id: "j-1", customer_id: "c-9", revenue: 12.5 },
  {
    timestamp: "2026-03-05T11:00:00Z",
    order_id: "j-2",
    customer_id: "c-9",
    revenue: "7",
    campaign: "Launch",
  },
]
  .map((m) => JSON.stringify(m))
  .join("\n");

/** Bad files: each rejected as a whole without --skip-invalid. */
const BAD_FILES: readonly { name: string; kind: ImportKind; csv: string }[] = [
  { name: "missing column", kind: "costs", csv: "date,campaign\n2026-03-01,A\n" },
  {
    name: "bad date",
    kind: "costs",
    csv: "date,campaign,spend\n2026-03-01,A,1\n2026-13-45,B,2\n2026-03-02,C,3\n",
  },
  { name: "negative spend", kind: "costs", csv: "date,campaign,spend\n2026-03-01,A,1\n2026-03-02,B,-5\n" },
  {
    name: "bad JSON properties",
    kind: "events",
    csv: 'timestamp,event,visitor_id,properties\n2026-03-01T10:00:00Z,pageview,v,"{""a"":1}"\n2026-03-01T10:00:01Z,pageview,v,"{not json"\n',
  },
  {
    name: "ragged row",
    kind: "email",
    csv: "date,campaign,sent\n2026-03-01,A,10\n2026-03-02,B,20,extra,cells\n",
  },
  { name: "unparseable count", kind: "social", csv: "date,network,posts\n2026-03-01,x,many\n" },
  {
    name: "negative count in orders revenue text",
    kind: "orders",
    csv: "timestamp,order_id,customer_id,revenue\n2026-03-01T00:00:00Z,o,c,abc\n",
  },
  {
    name: "empty required field",
    kind: "events",
    csv: "timestamp,event,visitor_id\n2026-03-01T00:00:00Z,,v\n",
  },
];

/** Files with good and bad rows, for --skip-invalid. */
const MIXED_FILES: readonly { kind: ImportKind; csv: string }[] = [
  {
    kind: "costs",
    csv: "date,campaign,spend,clicks\n2026-03-01,A,1,3\n2026-03-02,B,-1,2\nnot-a-date,C,2,1\n2026-03-03,D,2.5,-4\n2026-03-04,,3,1\n2026-03-05,E,1e3,1\n",
  },
  {
    kind: "email",
    csv: "date,campaign,sent,opens\n2026-03-01,A,10,2\n2026-03-01,B,x,1\n2026-03-02,C,5,1.5\n",
  },
  { kind: "social", csv: "date,network,followers\n2026-03-01,ig,10\n2026-03-01,,5\n2026-03-02,ig,-1\n" },
  {
    kind: "orders",
    csv: "timestamp,order_id,customer_id,revenue\n2026-03-01T00:00:00Z,o1,c1,5\nyesterday,o2,c1,5\n2026-03-01T01:00:00Z,,c1,5\n2026-03-01T02:00:00Z,o3,c2,5\n",
  },
  {
    kind: "events",
    csv: 'timestamp,event,visitor_id,properties,revenue\n2026-03-01T00:00:00Z,pageview,v1,,\n2026-03-01T00:00:01Z,pageview,,,\n2026-03-01T00:00:02Z,Buy,v1,"[1]",\n2026-03-01T00:00:03Z,Buy,v1,,12x\n2026-03-01T00:00:04Z,Buy,v1,"{""k"":""v""}",3\n',
  },
];

// ---------------------------------------------------------------------------------------------
// Hostile strings

const LONG = `${"long'\\\"".repeat(1500)}end`;
const HOSTILE: readonly string[] = [
  "o'brien",
  'say "hi"',
  "back`tick`",
  "C:\\path\\",
  "\\'",
  "\\N",
  "\\0",
  "\\",
  "100%_off",
  "a;b",
  "x -- y",
  "/* c */ d",
  "line1\nline2",
  "tab\there",
  "cr\rlf",
  "nul\u0000byte",
  "emoji 🚀👩‍👩‍👧",
  "e\u0301 combining",
  "lone \ud800 surrogate",
  "trail \udc00",
  LONG,
  "') OR 1=1 --",
  "'; DROP TABLE events; --",
  "{x} ? :name $1 @p",
  "Ünïcödé ÇASE",
  "(none)",
];

/** The hostile strings that are kept as single-line labels (filtered on). */
const FILTERED = [
  "o'brien",
  'say "hi"',
  "C:\\path\\",
  "\\'",
  "\\N",
  "line1\nline2",
  "nul\u0000byte",
  "lone \ud800 surrogate",
  LONG,
  "') OR 1=1 --",
];

const HOSTILE_KEYS = ["plan", "we'ird", 'q"k', "b\\k", "dot.key", "sp ace", "\\N", "$.x", "[0]", "ü🚀"];

function hostileRecords(): TextRecord[] {
  return HOSTILE.map((value, i) => {
    const minute = String(i).padStart(2, "0");
    const props: Record<string, string> = {};
    HOSTILE_KEYS.forEach((key, k) => {
      props[key] = HOSTILE[(i + k) % HOSTILE.length] ?? "";
    });
    return {
      timestamp: `2026-03-10T10:${minute}:00Z`,
      event: i % 3 === 0 ? "Order Completed" : i % 3 === 1 ? "pageview" : `Custom ${value}`,
      type: i % 3 === 1 ? "page" : "track",
      visitor_id: `visitor ${value}`,
      user_id: i % 2 === 0 ? `user ${value}` : null,
      anonymous_id: null,
      url: `https://shop.example.com/p/${i}/${value.slice(0, 40)}?q=${value.slice(0, 20)}`,
      referrer: null,
      utm_source: value,
      utm_medium: i % 2 === 0 ? "cpc" : value,
      utm_campaign: value,
      utm_content: value,
      utm_term: value,
      revenue: i % 3 === 0 ? String(i + 0.5) : null,
      currency: i % 3 === 0 ? "EUR" : null,
      order_id: i % 3 === 0 ? `order ${value}` : null,
      properties: rawSurrogates(JSON.stringify(props)),
      message_id: `msg ${value}`,
      device: value.slice(0, 30),
      browser: null,
      os: null,
      country: null,
    };
  });
}

/**
 * JSON text with lone surrogates as raw characters, as they arrive in a decoded request body:
 * JSON.stringify writes them as "\\ud800" escapes, which no store accepts as JSON (see the report);
 * raw, the importer turns them into U+FFFD.
 */
function rawSurrogates(json: string): string {
  return json.replace(/\\u(d[89a-f][0-9a-f]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function hostileCosts(): string {
  const columns = [
    "date",
    "campaign",
    "spend",
    "clicks",
    "impressions",
    "seg ment.x-1",
    'we\'ird "col"',
    "\\N;--",
  ];
  return csvOf(
    columns,
    HOSTILE.map((value, i) => [
      `2026-03-${String(1 + (i % 9)).padStart(2, "0")}`,
      value,
      `${i}.25`,
      i,
      i * 10,
      value,
      `x${value}`,
      i % 2 === 0 ? value : "",
    ]),
  );
}

function hostileSocial(): string {
  return csvOf(
    ["date", "network", "posts", "reach", "interactions", "followers"],
    HOSTILE.map((value, i) => ["2026-03-10", value, 1, i * 10, i, 100 + i]),
  );
}

function hostileOrders(): string {
  return csvOf(
    ["timestamp", "order_id", "customer_id", "revenue", "campaign", "visitor_id"],
    HOSTILE.map((value, i) => [
      `2026-03-10T12:${String(i).padStart(2, "0")}:00Z`,
      `imp ${value}`,
      `cust ${value}`,
      i + 1,
      i % 2 === 0 ? value : "",
      `visitor ${value}`,
    ]),
  );
}

async function loadHostile(
  store: Store,
  ctx: Ctx,
  name: string,
): Promise<{ ws: Workspace; loaded: unknown }> {
  const ws = await newWorkspace(store, name, { timezone: "Europe/Paris" });
  const appended = await store.appendEvents(hostileRecords().map((record) => ({ workspace: name, record })));
  const costs = await importFile(store, ws, "costs", await file(ctx, "hostile-costs.csv", hostileCosts()));
  const social = await importFile(
    store,
    ws,
    "social",
    await file(ctx, "hostile-social.csv", hostileSocial()),
  );
  const orders = await importFile(
    store,
    ws,
    "orders",
    await file(ctx, "hostile-orders.csv", hostileOrders()),
  );
  return { ws, loaded: { appended, costs, social, orders } };
}

const HOSTILE_RANGE = { from: "2026-03-01", to: "2026-03-12" } as const;

// ---------------------------------------------------------------------------------------------
// The cases

const CASES: Case[] = [
  // KPI queries on the demo
  {
    name: "demo: import summaries and row counts",
    run: async (store) => ({
      counts: await store.countRows("demo"),
      breakdowns: await store.costBreakdowns("demo"),
    }),
  },
  {
    name: "demo: data span",
    run: async (store, ctx) => store.dataSpan(ctx.demo),
  },
  {
    name: "demo: every KPI, totals only",
    run: (store, ctx) => kpi(store, ctx.demo, { kpis: ALL_KPIS, ...RANGE }),
  },
  {
    name: "demo: default range and KPIs",
    run: (store, ctx) => kpi(store, ctx.demo, {}),
  },
  ...(["day", "week", "month", "quarter", "year"] as const).map(
    (interval): Case => ({
      name: `demo: every KPI by ${interval}`,
      run: (store, ctx) => kpi(store, ctx.demo, { kpis: ALL_KPIS, ...WIDE, interval }),
    }),
  ),
  ...[...SESSION_DIMENSIONS, "network", "ad_group", "props.plan"].map(
    (dimension): Case => ({
      name: `demo: grouped by ${dimension}`,
      run: (store, ctx) => kpi(store, ctx.demo, { kpis: MIXED_KPIS, ...RANGE, groupBy: [dimension] }),
    }),
  ),
  {
    name: "demo: top pages (grouped by page), and by page and channel",
    run: async (store, ctx) => [
      await kpi(store, ctx.demo, { ...RANGE, groupBy: ["page"] }),
      await kpi(store, ctx.demo, { ...RANGE, kpis: ["pageviews", "visitors"], groupBy: ["page", "channel"] }),
    ],
  },
  {
    name: "demo: filtered on campaign spelled differently",
    run: (store, ctx) =>
      kpi(store, ctx.demo, { kpis: MIXED_KPIS, ...RANGE, where: ["campaign=  SPRING_sale "] }),
  },
  {
    name: "demo: filters on channel (two values), device and (none) campaign, by week",
    run: (store, ctx) =>
      kpi(store, ctx.demo, {
        kpis: MIXED_KPIS,
        ...RANGE,
        interval: "week",
        where: ["channel=paid", "channel=email", "device=mobile", "campaign=(none)"],
      }),
  },
  {
    name: "demo: filter on a cost breakdown and an unknown value",
    run: async (store, ctx) => ({
      adGroup: await kpi(store, ctx.demo, {
        kpis: ["spend", "clicks", "ctr"],
        ...RANGE,
        groupBy: ["ad_group"],
      }),
      nothing: await kpi(store, ctx.demo, { kpis: MIXED_KPIS, ...RANGE, where: ["campaign=no such"] }),
    }),
  },
  {
    name: "demo: grouped by campaign and channel",
    run: (store, ctx) =>
      kpi(store, ctx.demo, { kpis: MIXED_KPIS, ...RANGE, groupBy: ["campaign", "channel"] }),
  },
  {
    name: "demo: grouped by channel and device by day, filtered on country",
    run: (store, ctx) =>
      kpi(store, ctx.demo, {
        kpis: ["visitors", "sessions", "conversions", "revenue", "orders"],
        ...RANGE,
        interval: "day",
        groupBy: ["channel", "device"],
        where: ["country=FR", "country=DE"],
      }),
  },
  ...(["last_touch", "first_touch", "linear"] as const).flatMap((attribution) =>
    (["campaign", "channel"] as const).map(
      (dimension): Case => ({
        name: `demo: ${attribution} attribution grouped by ${dimension}`,
        run: (store, ctx) =>
          withSettings(store, ctx, { attribution, attribution_window_days: 7 }, (ws) =>
            kpi(store, ws, { kpis: ORDER_KPIS, ...RANGE, groupBy: [dimension] }),
          ),
      }),
    ),
  ),
  {
    name: "demo: linear attribution with retention by campaign, filtered on a campaign",
    run: (store, ctx) =>
      withSettings(store, ctx, { attribution: "linear" }, (ws) =>
        kpi(store, ws, {
          kpis: [...ORDER_KPIS, "retention_rate", "clv"],
          ...RANGE,
          groupBy: ["campaign"],
          where: ["campaign=spring_sale", "campaign=(none)"],
        }),
      ),
  },
  ...(["America/Los_Angeles", "Asia/Kolkata"] as const).map(
    (timezone): Case => ({
      name: `demo: time zone ${timezone}, by day, session timeout 10`,
      run: (store, ctx) =>
        withSettings(store, ctx, { timezone, session_timeout_minutes: 10 }, (ws) =>
          kpi(store, ws, { kpis: ALL_KPIS, ...RANGE, interval: "day" }),
        ),
    }),
  ),
  {
    name: "demo: conversion and lead events changed",
    run: (store, ctx) =>
      withSettings(
        store,
        ctx,
        { conversion_events: ["Added to Cart", "Order Completed"], lead_events: [], gross_margin: 0.3 },
        (ws) => kpi(store, ws, { kpis: [...MIXED_KPIS, "leads", "cpl"], ...RANGE, groupBy: ["channel"] }),
      ),
  },
  {
    name: "demo: custom KPIs",
    run: async (store, ctx) => {
      await store.saveCustomKpi("demo", "margin_ratio", "if(spend, (revenue - spend) / spend, 0) * 100");
      await store.saveCustomKpi("demo", "odd", "max(visitors, 3) - abs(-2) + min(orders / 0, 1)");
      try {
        return {
          list: await store.listCustomKpis("demo"),
          result: await kpi(store, ctx.demo, {
            kpis: ["profit", "margin_ratio", "odd", "revenue"],
            ...RANGE,
            interval: "week",
            groupBy: ["campaign"],
          }),
        };
      } finally {
        await store.deleteCustomKpi("demo", "margin_ratio");
        await store.deleteCustomKpi("demo", "odd");
      }
    },
  },

  // Imports
  {
    name: "imports: first import and re-import of each kind",
    run: async (store, ctx) => {
      const ws = await newWorkspace(store, "imports");
      const files: [ImportKind, string][] = [
        ["costs", COSTS_1],
        ["email", EMAIL_1],
        ["social", SOCIAL_1],
        ["orders", ORDERS_1],
        ["events", EVENTS_1],
      ];
      const summaries: unknown[] = [];
      for (const [kind, csv] of files) {
        const path = await file(ctx, `first-${kind}.csv`, padColumns(kind, csv));
        summaries.push(await importFile(store, ws, kind, path));
        summaries.push(await importFile(store, ws, kind, path));
      }
      return {
        summaries,
        counts: await store.countRows("imports"),
        span: await store.dataSpan(ws),
        totals: await kpi(store, ws, { kpis: CATALOG_KPIS, from: "2026-03-01", to: "2026-03-05" }),
        byCampaign: await kpi(store, ws, {
          kpis: MIXED_KPIS,
          from: "2026-03-01",
          to: "2026-03-05",
          groupBy: ["campaign"],
        }),
      };
    },
  },
  {
    name: "imports: a later file replaces cost, e-mail and social rows",
    run: async (store, ctx) => {
      const ws = await newWorkspace(store, "replace");
      const out: unknown[] = [];
      for (const [kind, first, second] of [
        ["costs", COSTS_1, COSTS_2],
        ["email", EMAIL_1, EMAIL_2],
        ["social", SOCIAL_1, SOCIAL_2],
      ] as const) {
        out.push(await importFile(store, ws, kind, await file(ctx, `r1-${kind}.csv`, first)));
        out.push(await importFile(store, ws, kind, await file(ctx, `r2-${kind}.csv`, second)));
        out.push(await importFile(store, ws, kind, await file(ctx, `r2-${kind}.csv`, second)));
      }
      return {
        out,
        counts: await store.countRows("replace"),
        breakdowns: await store.costBreakdowns("replace"),
        totals: await kpi(store, ws, {
          kpis: [
            "spend",
            "impressions",
            "clicks",
            "ad_conversions",
            "emails_sent",
            "open_rate",
            "followers",
            "posts",
          ],
          from: "2026-03-01",
          to: "2026-03-03",
          interval: "day",
          groupBy: ["campaign"],
        }),
        byNetwork: await kpi(store, ws, {
          kpis: ["followers", "posts", "social_reach", "engagement_rate"],
          from: "2026-03-01",
          to: "2026-03-03",
          groupBy: ["network"],
        }),
        byAge: await kpi(store, ws, {
          kpis: ["spend"],
          from: "2026-03-01",
          to: "2026-03-03",
          groupBy: ["age"],
        }),
      };
    },
  },
  {
    name: "imports: --skip-invalid lists every bad row and stores the good ones",
    run: async (store, ctx) => {
      const ws = await newWorkspace(store, "skip");
      const summaries: unknown[] = [];
      for (const { kind, csv } of MIXED_FILES) {
        summaries.push(
          await importFile(store, ws, kind, await file(ctx, `mixed-${kind}.csv`, csv), { skipInvalid: true }),
        );
      }
      return {
        summaries,
        counts: await store.countRows("skip"),
        totals: await kpi(store, ws, { kpis: CATALOG_KPIS, from: "2026-03-01", to: "2026-03-05" }),
      };
    },
  },
  ...BAD_FILES.map(
    ({ name, kind, csv }, i): Case => ({
      name: `imports: a file with ${name} (${kind}) is refused and nothing is stored`,
      run: async (store, ctx) => {
        const wsName = `bad-${i}`;
        const ws = await newWorkspace(store, wsName);
        const path = await file(ctx, `bad-${i}.csv`, csv);
        return {
          result: await outcome(() => importFile(store, ws, kind, path)),
          counts: await store.countRows(wsName),
        };
      },
    }),
  ),
  {
    name: "imports: JSON Lines events (Segment messages) and orders",
    run: async (store, ctx) => {
      const ws = await newWorkspace(store, "jsonl");
      const events = await file(ctx, "segment.jsonl", SEGMENT_JSONL);
      const orders = await file(ctx, "orders.jsonl", ORDERS_JSONL);
      return {
        strict: await outcome(() => importFile(store, ws, "events", events, { format: "jsonl" })),
        countsAfterStrict: await store.countRows("jsonl"),
        events: await importFile(store, ws, "events", events, { format: "jsonl", skipInvalid: true }),
        again: await importFile(store, ws, "events", events, { format: "jsonl", skipInvalid: true }),
        orders: await importFile(store, ws, "orders", orders, { format: "jsonl" }),
        counts: await store.countRows("jsonl"),
        kpis: await kpi(store, ws, {
          kpis: CATALOG_KPIS,
          from: "2026-03-04",
          to: "2026-03-05",
          groupBy: ["campaign", "props.coupon"],
        }),
      };
    },
  },

  // The real ad export
  {
    name: "facebook-ads-kag.csv as costs, grouped by its breakdown columns",
    run: async (store) => {
      const ws = await newWorkspace(store, "fb");
      const options = { map: FB_MAP, dateFormat: "DD-MM-YYYY" };
      const without = await outcome(() => importFile(store, ws, "costs", DATASET, { map: FB_MAP }));
      const first = await importFile(store, ws, "costs", DATASET, options);
      const again = await importFile(store, ws, "costs", DATASET, options);
      const kpis = [
        "spend",
        "impressions",
        "clicks",
        "ad_conversions",
        "ctr",
        "cpc",
        "cpm",
        "cost_per_ad_conversion",
      ];
      const range = { from: "2023-08-17", to: "2023-08-30" };
      return {
        without,
        first,
        again,
        counts: await store.countRows("fb"),
        breakdowns: await store.costBreakdowns("fb"),
        span: await store.dataSpan(ws),
        totals: await kpi(store, ws, { kpis, ...range, interval: "week" }),
        byCampaign: await kpi(store, ws, { kpis, ...range, groupBy: ["campaign"] }),
        byAgeGender: await kpi(store, ws, { kpis, ...range, groupBy: ["age", "gender"] }),
        byInterest: await kpi(store, ws, { kpis, ...range, groupBy: ["interest"], where: ["gender=F"] }),
        byAdId: await kpi(store, ws, { kpis: ["spend", "clicks"], ...range, groupBy: ["fb_campaign_id"] }),
      };
    },
  },

  // Ingestion
  {
    name: "ingestion: appendEvents with duplicate message ids inside and across batches",
    run: async (store) => {
      const name = "ingest";
      const ws = await newWorkspace(store, name, { timezone: "America/New_York" });
      const event = (over: TextRecord): { workspace: string; record: TextRecord } => ({
        workspace: name,
        record: {
          timestamp: "2026-03-10T15:00:00.123Z",
          event: "pageview",
          type: "page",
          visitor_id: "anon-a",
          user_id: null,
          anonymous_id: "anon-a",
          url: "https://shop.example.com/?utm_source=news&utm_medium=email&utm_campaign=Weekly",
          referrer: null,
          utm_source: "news",
          utm_medium: "email",
          utm_campaign: "Weekly",
          utm_content: null,
          utm_term: null,
          revenue: null,
          currency: null,
          order_id: null,
          properties: JSON.stringify({ plan: "free", n: 3, nested: { a: [1, 2] } }),
          message_id: null,
          ...over,
        },
      });
      const batch1 = [
        event({ message_id: "a1" }),
        event({ message_id: "a1", timestamp: "2026-03-10T15:00:01Z" }),
        event({ message_id: "a2", event: "Signed Up", type: "track", timestamp: "2026-03-10T15:02:00Z" }),
        event({ message_id: null, event: "Added to Cart", type: "track", timestamp: "2026-03-10T15:03:00Z" }),
        event({ message_id: null, event: "Added to Cart", type: "track", timestamp: "2026-03-10T15:03:00Z" }),
        event({
          message_id: "a3",
          event: "Order Completed",
          type: "track",
          user_id: "user-a",
          revenue: "19.99",
          currency: "usd",
          order_id: "ord-1",
          timestamp: "2026-03-10T15:05:00Z",
        }),
        event({
          message_id: "b1",
          visitor_id: "anon-b",
          anonymous_id: "anon-b",
          utm_campaign: "Other",
          timestamp: "2026-03-11T03:30:00Z",
        }),
      ];
      const batch2 = [
        event({ message_id: "a2", event: "Signed Up", type: "track", timestamp: "2026-03-10T15:02:00Z" }),
        event({
          message_id: "a4",
          type: "identify",
          event: "identify",
          user_id: "user-a",
          timestamp: "2026-03-10T15:06:00Z",
        }),
        event({
          message_id: "b2",
          visitor_id: "anon-b",
          anonymous_id: "anon-b",
          timestamp: "2026-03-11T03:50:00Z",
          utm_campaign: null,
          utm_medium: null,
          utm_source: null,
          url: "https://shop.example.com/x",
          referrer: "https://www.bing.com/",
        }),
        event({
          message_id: "b3",
          visitor_id: "anon-b",
          anonymous_id: "anon-b",
          timestamp: "2026-03-12T03:50:00Z",
          properties: JSON.stringify({ plan: "pro" }),
        }),
      ];
      const r1 = await store.appendEvents(batch1);
      const r2 = await store.appendEvents(batch2);
      const r3 = await store.appendEvents(batch1);
      return {
        r1,
        r2,
        r3,
        counts: await store.countRows(name),
        totals: await kpi(store, ws, {
          kpis: CATALOG_KPIS,
          from: "2026-03-09",
          to: "2026-03-12",
          interval: "day",
        }),
        byCampaign: await kpi(store, ws, {
          kpis: MIXED_KPIS,
          from: "2026-03-09",
          to: "2026-03-12",
          groupBy: ["campaign", "props.plan"],
        }),
        byNested: await kpi(store, ws, {
          kpis: ["visitors", "pageviews"],
          from: "2026-03-09",
          to: "2026-03-12",
          groupBy: ["props.nested", "props.n"],
        }),
      };
    },
  },

  // Persons
  {
    name: "persons: every id of a person, through identify, alias and a user id on two devices",
    run: async (store) => {
      const name = "persons";
      const ws = await newWorkspace(store, name);
      const event = (time: string, ids: Partial<TextRecord>, type = "page"): IncomingEvent => ({
        workspace: name,
        record: {
          timestamp: `2026-03-10T${time}:00Z`,
          event: type === "page" ? "pageview" : type,
          type,
          visitor_id: ids.user_id ?? ids.anonymous_id ?? null,
          user_id: null,
          anonymous_id: null,
          url: "https://shop.example.com/",
          message_id: `${time}-${type}`,
          ...ids,
        },
      });
      await store.appendEvents([
        event("09:00", { anonymous_id: "phone" }),
        event("09:05", { anonymous_id: "phone", user_id: "alice" }, "identify"),
        event("13:00", { anonymous_id: "laptop", user_id: "alice" }),
        // alias(previousId "alice" → userId "alice-2"), then a server call with that id alone
        event("14:00", { anonymous_id: "alice", user_id: "alice-2", visitor_id: "alice-2" }, "alias"),
        event("15:00", { user_id: "alice-2" }, "track"),
        event("10:00", { anonymous_id: "bob-phone" }),
        event("10:30", { visitor_id: "plausible-hash" }),
      ]);
      const ids: Record<string, string[]> = {};
      for (const id of ["phone", "alice-2", "bob-phone", "plausible-hash", "nobody"])
        ids[id] = await store.personIdentities(ws, id);
      return ids;
    },
  },

  {
    name: "persons: KPIs, channels, attribution, a funnel and an experiment through identify, alias and a user id on two devices, then a late identify",
    run: async (store, ctx) => {
      const name = "persons-kpis";
      const ws = await newWorkspace(store, name);
      let n = 0;
      const event = (at: string, ids: Partial<TextRecord>, over: Partial<TextRecord> = {}): IncomingEvent => {
        const type = over.type ?? "page";
        n += 1;
        return {
          workspace: name,
          record: {
            timestamp: `2026-03-${at}:00Z`,
            event: type === "page" ? "pageview" : type,
            type,
            visitor_id: ids.user_id ?? ids.anonymous_id ?? null,
            user_id: null,
            anonymous_id: null,
            url: "https://shop.example.com/",
            referrer: null,
            utm_source: null,
            utm_medium: null,
            utm_campaign: null,
            utm_content: null,
            utm_term: null,
            revenue: null,
            currency: null,
            order_id: null,
            properties: null,
            message_id: `m-${n}`,
            ...ids,
            ...over,
          },
        };
      };
      const track = (name: string, more: Partial<TextRecord> = {}) => ({
        type: "track",
        event: name,
        ...more,
      });
      const viewed = (variation: string) =>
        track("Experiment Viewed", {
          properties: JSON.stringify({ experiment_id: "exp", variation_id: variation }),
        });
      const spring = {
        url: "https://shop.example.com/?utm_source=news&utm_medium=email&utm_campaign=Spring",
        utm_source: "news",
        utm_medium: "email",
        utm_campaign: "Spring",
      };
      const phone = { anonymous_id: "phone" };
      const phoneAlice = { anonymous_id: "phone", user_id: "alice" };
      const laptop = { anonymous_id: "laptop" };
      const laptopAlice = { anonymous_id: "laptop", user_id: "alice" };
      await store.appendEvents([
        // alice: anonymous on her phone, identified, then a user id on her laptop too
        event("10T09:00", phone, spring),
        event("10T09:02", phone, viewed("a")),
        event("10T09:05", phoneAlice, { type: "identify" }),
        event("10T09:06", phoneAlice, { url: "https://shop.example.com/products/1" }),
        event("11T13:00", laptop, { referrer: "https://www.google.com/" }),
        event("11T13:01", laptop, viewed("b")),
        event("11T13:10", laptopAlice, track("Added to Cart")),
        event("11T13:20", laptopAlice, track("Order Completed", { revenue: "50", order_id: "o1" })),
        event("11T13:21", laptopAlice, track("Signed Up")),
        // alias(previousId "alice" → userId "alice-2"), then a server call with the new id alone
        event(
          "12T10:00",
          { anonymous_id: "alice", user_id: "alice-2", visitor_id: "alice-2" },
          { type: "alias" },
        ),
        event(
          "12T10:05",
          { user_id: "alice-2" },
          track("Order Completed", { revenue: "30", order_id: "o2" }),
        ),
        // carol: the same user id on two devices, never an identify
        event("10T15:00", { anonymous_id: "c-phone", user_id: "carol" }, spring),
        event("10T15:01", { anonymous_id: "c-phone", user_id: "carol" }, viewed("b")),
        event(
          "12T08:00",
          { anonymous_id: "c-laptop", user_id: "carol" },
          { referrer: "https://www.google.com/" },
        ),
        event("12T08:01", { anonymous_id: "c-laptop", user_id: "carol" }, viewed("a")),
        event("12T08:05", { anonymous_id: "c-laptop", user_id: "carol" }, track("Added to Cart")),
        // bob: anonymous on two devices, joined later; a Plausible visitor never merges
        event("10T10:00", { anonymous_id: "bob-phone" }, spring),
        event("10T10:01", { anonymous_id: "bob-phone" }, viewed("a")),
        event("12T11:00", { anonymous_id: "bob-laptop" }),
        event(
          "12T11:02",
          { anonymous_id: "bob-laptop" },
          track("Order Completed", { revenue: "20", order_id: "o3" }),
        ),
        event("11T10:30", { visitor_id: "plausible-hash" }),
      ]);
      await importFile(
        store,
        ws,
        "orders",
        await file(
          ctx,
          "persons-orders.csv",
          padColumns(
            "orders",
            csvText(`
              timestamp,order_id,customer_id,revenue,currency,campaign,visitor_id
              2026-03-12T12:00:00Z,o4,carol,25,EUR,,
              2026-03-12T12:30:00Z,o5,alice,15,EUR,,phone
            `),
          ),
        ),
      );
      const range = { from: "2026-03-09", to: "2026-03-12" };
      const cart = { steps: ["pageview /*", "Added to Cart", "Order Completed"] };
      const figures = async () => ({
        totals: await kpi(store, ws, { kpis: CATALOG_KPIS, ...range, interval: "day" }),
        byChannel: await kpi(store, ws, { kpis: MIXED_KPIS, ...range, groupBy: ["channel"] }),
        byCampaign: await kpi(store, ws, {
          kpis: [...ORDER_KPIS, "retention_rate", "clv", "purchase_frequency"],
          ...range,
          groupBy: ["campaign"],
        }),
        byPage: await kpi(store, ws, { kpis: ["visitors", "pageviews"], ...range, groupBy: ["page"] }),
        funnel: await runFunnel(store, ws, cart, range),
        funnelByChannel: await runFunnel(store, ws, cart, { ...range, groupBy: "channel" }),
        experiment: await runExperiment(store, ws, { id: "exp", conversion: "Signed Up", ...range }),
        ids: Object.fromEntries(
          await Promise.all(
            ["phone", "alice-2", "c-laptop", "bob-phone", "plausible-hash"].map(
              async (id) => [id, await store.personIdentities(ws, id)] as const,
            ),
          ),
        ),
      });
      const before = await figures();
      // A late identify on both of bob's devices: his past days, orders and funnel join up.
      await store.appendEvents([
        event("12T11:05", { anonymous_id: "bob-laptop", user_id: "bob" }, { type: "identify" }),
        event("12T11:06", { anonymous_id: "bob-phone", user_id: "bob" }, track("Signed Up")),
      ]);
      const after = await figures();
      const linear = await withWorkspaceSettings(store, ws, { attribution: "linear" }, (changed) =>
        kpi(store, changed, { kpis: ORDER_KPIS, ...range, groupBy: ["channel"] }),
      );
      return { before, after, linear };
    },
  },

  // Hostile strings
  {
    name: "hostile strings: stored as they came, grouped by every field",
    run: async (store, ctx) => {
      const { ws, loaded } = await loadHostile(store, ctx, "hostile");
      const q = (groupBy: string[]) => kpi(store, ws, { kpis: MIXED_KPIS, ...HOSTILE_RANGE, groupBy });
      return {
        loaded,
        counts: await store.countRows("hostile"),
        breakdowns: await store.costBreakdowns("hostile"),
        byCampaign: await q(["campaign"]),
        bySource: await q(["utm_source", "utm_medium"]),
        byContentTerm: await q(["utm_content", "utm_term"]),
        byLanding: await q(["landing_page", "device"]),
        byNetwork: await q(["network"]),
        byBreakdown: await q(["seg ment.x-1"]),
      };
    },
  },
  {
    name: "hostile strings: property names and values",
    run: async (store, ctx) => {
      const { ws } = await loadHostile(store, ctx, "hostile-props");
      const out: Record<string, unknown> = {};
      for (const key of HOSTILE_KEYS) {
        out[key] = await kpi(store, ws, {
          kpis: ["visitors", "pageviews", "conversions"],
          ...HOSTILE_RANGE,
          groupBy: [`props.${key}`],
        });
      }
      return out;
    },
  },
  {
    name: "hostile strings: filters on every kind of value",
    run: async (store, ctx) => {
      const { ws } = await loadHostile(store, ctx, "hostile-filters");
      const out: unknown[] = [];
      for (const value of FILTERED) {
        out.push(
          await outcome(() =>
            kpi(store, ws, {
              kpis: MIXED_KPIS,
              ...HOSTILE_RANGE,
              where: [`campaign=${value}`, `campaign=${value.toUpperCase()}`],
            }),
          ),
          await outcome(() =>
            kpi(store, ws, {
              kpis: ["visitors", "conversions", "orders"],
              ...HOSTILE_RANGE,
              where: [`utm_source=${value}`],
            }),
          ),
          await outcome(() =>
            kpi(store, ws, {
              kpis: ["visitors", "pageviews"],
              ...HOSTILE_RANGE,
              where: [`props.we'ird=${value}`],
            }),
          ),
          await outcome(() =>
            kpi(store, ws, {
              kpis: ["followers", "posts"],
              ...HOSTILE_RANGE,
              where: [`network=${value}`],
            }),
          ),
          await outcome(() =>
            kpi(store, ws, {
              kpis: ["spend", "clicks"],
              ...HOSTILE_RANGE,
              where: [`seg ment.x-1=${value}`],
            }),
          ),
        );
      }
      return out;
    },
  },
  {
    name: "pages and engagement: time on page, scroll depth, the page dimension, interactive: false",
    run: async (store) => {
      const name = "pages";
      const ws = await newWorkspace(store, name, { timezone: "Europe/Paris" });
      const at = (minutes: number) =>
        new Date(Date.parse("2026-03-02T22:30:00Z") + minutes * 60_000).toISOString();
      const page = (visitor: string, minutes: number, url: string): TextRecord => ({
        timestamp: at(minutes),
        event: "pageview",
        type: "page",
        visitor_id: visitor,
        url,
      });
      const engaged = (visitor: string, minutes: number, url: string, sd: number, e: number): TextRecord => ({
        timestamp: at(minutes),
        event: "engagement",
        type: "engagement",
        visitor_id: visitor,
        url,
        properties: JSON.stringify({ sd, e }),
      });
      const track = (
        visitor: string,
        minutes: number,
        event: string,
        properties: string | null,
      ): TextRecord => ({
        timestamp: at(minutes),
        event,
        type: "track",
        visitor_id: visitor,
        url: "https://site.example/a",
        properties,
      });
      const records: TextRecord[] = [
        page("A", 0, "https://site.example/a?utm_source=news&utm_medium=email"),
        engaged("A", 1, "https://site.example/a?utm_source=news&utm_medium=email", 40, 3000),
        engaged("A", 2, "https://site.example/a?utm_source=news&utm_medium=email", 70, 2500),
        page("A", 3, "https://site.example/b#x"),
        engaged("A", 95, "https://site.example/b#x", 100, 1000), // after midnight in Paris, and the timeout
        page("B", 10, "https://site.example/a"),
        engaged("B", 12, "https://site.example/a", 10, 0),
        page("C", 20, "https://site.example/a"),
        track("C", 21, "Video Played", JSON.stringify({ $interactive: false })),
        page("D", 30, "https://site.example/a"),
        track("D", 31, "Video Played", null),
        page("E", 40, "https://site.example/c"),
        engaged("E", 41, "https://site.example/c", 50, 1000),
        page("E", 42, "https://site.example/c"),
        engaged("E", 43, "https://site.example/c", 20, 3000),
        engaged("E", 44, "https://site.example/c", 35, 1500),
        engaged("F", 50, "https://site.example/d", 90, 9000),
        { ...engaged("G", 60, "https://site.example/a", 0, 0), properties: null },
        page("G", 61, "https://site.example/a"),
      ];
      const appended = await store.appendEvents(records.map((record) => ({ workspace: name, record })));
      const range = { from: "2026-03-02", to: "2026-03-04" };
      const traffic = [
        "visitors",
        "sessions",
        "pageviews",
        "bounce_rate",
        "avg_visit_duration",
        "time_on_page",
        "scroll_depth",
      ];
      const pages = ["pageviews", "visitors", "time_on_page", "scroll_depth"];
      return {
        appended,
        totals: await kpi(store, ws, { ...range, kpis: traffic }),
        byDay: await kpi(store, ws, { ...range, kpis: traffic, interval: "day" }),
        byPage: await kpi(store, ws, { ...range, groupBy: ["page"] }),
        byPageAndSource: await kpi(store, ws, { ...range, kpis: pages, groupBy: ["page", "utm_source"] }),
        byChannel: await kpi(store, ws, { ...range, kpis: traffic, groupBy: ["channel"] }),
        filtered: await kpi(store, ws, {
          ...range,
          kpis: pages,
          where: ["page=/a", "page=/c"],
          interval: "day",
        }),
        refused: await outcome(() => kpi(store, ws, { ...range, kpis: ["sessions"], groupBy: ["page"] })),
      };
    },
  },
  {
    name: "hostile strings: a hostile workspace name",
    run: async (store) => {
      const names = ["o'brien\"; DROP TABLE events; --", "ws\\' \\N `x` %_ 🚀"];
      const out: unknown[] = [];
      for (const name of names) {
        const ws = await newWorkspace(store, name);
        const appended = await store.appendEvents(
          hostileRecords()
            .slice(0, 6)
            .map((record) => ({ workspace: name, record })),
        );
        out.push({
          appended,
          counts: await store.countRows(name),
          kpis: await kpi(store, ws, { kpis: MIXED_KPIS, ...HOSTILE_RANGE, groupBy: ["campaign"] }),
        });
      }
      out.push((await store.listWorkspaces()).map((w) => w.name).filter((n) => names.includes(n)));
      return out;
    },
  },
  {
    name: "goals: config apply, figures of docs/goals.md#goals-and-their-figures, SMART, snapshots and review on the demo",
    run: async (store, ctx) => {
      const config = `workspace: demo
kpis:
  margin: revenue * 0.4 - spend
objectives:
  - id: sales
    type: conversion
    title: "Sales <b>'\\"; DROP TABLE documents; --"
    goals:
      - {id: revenue, kpi: revenue, target: 5000, start: 2026-03-10, deadline: 2026-03-20}
      - {id: paid-revenue, kpi: revenue, target: 2000, start: 2026-03-10, deadline: 2026-03-20, where: {channel: paid}}
      - {id: conversion-rate, kpi: conversion_rate, target: 4, start: 2026-03-10, deadline: 2026-03-20, window_days: 3}
      - {id: cpa, kpi: cpa, target: 20, start: 2026-03-10, deadline: 2026-03-20, window_days: 3, baseline: 40}
      - {id: margin, kpi: margin, target: 100, start: 2026-03-10, deadline: 2026-03-20, window_days: 5}
  - id: reach
    type: awareness
    title: Reach
    goals:
      - {id: visitors, kpi: visitors, target: 900, start: 2026-03-08, deadline: 2026-03-14, window_days: 2}
      - {id: mentions, kpi: mentions, target: 40, start: 2026-03-08, deadline: 2026-03-14}
`;
      const source = parseConfigYaml(config, "goals.yaml");
      const applied = await applyConfig(store, ctx.demo, source);
      const again = await applyConfig(store, ctx.demo, source);
      const goals = [];
      for (const asOf of ["2026-03-07", "2026-03-12", "2026-03-15", "2026-03-25"]) {
        goals.push(await evaluateGoals(store, ctx.demo, { asOf, lang: asOf === "2026-03-12" ? "fr" : "en" }));
      }
      return {
        applied,
        again,
        goals,
        history: await goalHistory(store, ctx.demo, "paid-revenue", "week", "2026-03-25"),
        review: await reviewKpis(store, ctx.demo, { asOf: "2026-03-25" }),
        exported: await exportConfig(store, ctx.demo.name),
      };
    },
  },
  {
    name: "alerts: threshold (level and change), anomaly and no_data replayed on consecutive days",
    async run(store, ctx) {
      const ws = await newWorkspace(store, "alerts_ws", { timezone: "America/New_York" });
      const costRows: (string | number)[][] = [];
      for (let i = 0; i < 63; i++) {
        const day = new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
        costRows.push([day, "spring", i === 62 ? 900 : 100 + (i % 4) * 5, 1000, 40]);
      }
      await importFile(
        store,
        ws,
        "costs",
        await file(
          ctx,
          "alert-costs.csv",
          csvOf(["date", "campaign", "spend", "impressions", "clicks"], costRows),
        ),
      );
      await importFile(
        store,
        ws,
        "events",
        await file(
          ctx,
          "alert-events.csv",
          csvOf(
            ["timestamp", "event", "visitor_id"],
            [
              ["2026-03-02T14:00:00Z", "pageview", "v1"],
              ["2026-03-03T02:30:00Z", "pageview", "v2"],
            ],
          ),
        ),
      );
      const rule = (body: Record<string, unknown>) => ({ kind: "alert_rule", id: String(body.id), body });
      await store.writeDocuments(ws.name, [
        rule({
          id: "spend-up",
          kind: "threshold",
          kpi: "spend",
          period: "week",
          op: ">",
          value: 20,
          change: true,
          cooldown: "1d",
          channels: ["dashboard"],
        }),
        rule({
          id: "cpc-high",
          kind: "threshold",
          kpi: "cpc",
          period: "day",
          op: ">=",
          value: 2.6,
          cooldown: "2d",
          channels: ["dashboard"],
        }),
        rule({ id: "spend-odd", kind: "anomaly", kpi: "spend", channels: ["dashboard"] }),
        rule({ id: "quiet", kind: "no_data", hours: 30, cooldown: "1d", channels: ["dashboard"] }),
      ]);
      const deps = { goals: storedGoals, delivery: { retry: { attempts: 1, backoffMs: 0 } } };
      const runs = [];
      for (const asOf of ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]) {
        const report = await runAlerts(store, ws, { runTime: runTimeAsOf(asOf, ws.settings.timezone) }, deps);
        runs.push({ ...report, retried: report.retried.length });
      }
      const last = await store.lastEventTime(ws.name, new Date("2026-03-03T02:30:00Z"));
      return {
        runs,
        history: await alertHistory(store, ws.name),
        lastBefore: last,
        none: await store.lastEventTime("nobody", new Date()),
      };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Segments (issue 11, item 3): a KPI across the segments of a dimension, with its z-tests.
// A block of its own, appended to CASES, so that other analyses can add theirs beside it.

/** KPI × dimension pairs on the demo: every kind of share (count, ratio, proportion) and of dimension. */
const SEGMENT_PAIRS: readonly (readonly [string, string])[] = [
  ["conversion_rate", "device"],
  ["visitor_conversion_rate", "channel"],
  ["bounce_rate", "country"],
  ["bounce_rate", "landing_page"],
  ["visitor_conversion_rate", "campaign"],
  ["ctr", "campaign"],
  ["ctr", "ad_group"],
  ["open_rate", "campaign"],
  ["revenue", "campaign"],
  ["aov", "channel"],
  ["pages_per_session", "utm_source"],
  ["time_on_page", "page"],
  ["followers", "network"],
  ["visitors", "props.plan"],
];

const SEGMENT_CASES: Case[] = [
  {
    name: "segments: KPIs by session, campaign, page, network, breakdown and property dimensions on the demo",
    run: async (store, ctx) => {
      const out: Record<string, unknown> = {};
      for (const [kpiId, by] of SEGMENT_PAIRS) {
        out[`${kpiId} by ${by}`] = await runSegments(store, ctx.demo, { kpi: kpiId, by, ...RANGE });
      }
      out["filtered and limited"] = await runSegments(store, ctx.demo, {
        kpi: "bounce_rate",
        by: "device",
        where: ["channel=paid", "channel=social"],
        limit: 2,
        ...RANGE,
      });
      return out;
    },
  },
  {
    name: "segments: property segments, a segment with nothing sent, one segment, no data and bad input",
    run: async (store, ctx) => {
      const ws = await newWorkspace(store, "segments_ws");
      await importFile(
        store,
        ws,
        "events",
        await file(ctx, "segments-events.csv", padColumns("events", EVENTS_1)),
      );
      await importFile(
        store,
        ws,
        "email",
        await file(
          ctx,
          "segments-email.csv",
          csvOf(
            ["date", "campaign", "sent", "opens", "clicks"],
            [
              ["2026-03-02", "spring", 50, 15, 4],
              ["2026-03-03", "summer", 50, 25, 5],
              ["2026-03-04", "quiet", 0, 0, 0],
            ],
          ),
        ),
      );
      const range = { from: "2026-03-01", to: "2026-03-05" };
      const segments = (request: Omit<SegmentsRequest, "from" | "to">, dates = range) =>
        outcome(() => runSegments(store, ws, { ...request, ...dates }));
      return {
        byPlan: await segments({ kpi: "visitor_conversion_rate", by: "props.plan" }),
        byPlanPageviews: await segments({ kpi: "pageviews", by: "props.plan" }),
        openRate: await segments({ kpi: "open_rate", by: "campaign" }),
        clickToOpen: await segments({ kpi: "click_to_open_rate", by: "campaign" }),
        single: await segments({ kpi: "open_rate", by: "campaign", where: ["campaign=summer"] }),
        noData: await segments(
          { kpi: "bounce_rate", by: "device" },
          { from: "2025-01-01", to: "2025-01-31" },
        ),
        unknownKpi: await segments({ kpi: "open_rat", by: "campaign" }),
        unknownDimension: await segments({ kpi: "open_rate", by: "campain" }),
        pageForCtr: await segments({ kpi: "ctr", by: "page" }),
        backwards: await segments({ kpi: "ctr", by: "device" }, { from: "2026-03-05", to: "2026-03-01" }),
      };
    },
  },
];
CASES.push(...SEGMENT_CASES);

// ---------------------------------------------------------------------------------------------
// Analysis: funnels (with breakdowns), experiments and budget advice (issue 11)

/** Runs each call, a thrown error becoming data, so that one case can hold several bad inputs. */
async function each(calls: Record<string, () => Promise<unknown>>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, call] of Object.entries(calls)) out[key] = await outcome(call);
  return out;
}

/**
 * Exposures of three experiments over ten days around midnight in Paris: visitors who see several
 * variations (the first counts), two exposures in the same second (the first written counts),
 * conversions before and after the first exposure and after the end date, and visitors exposed
 * only before the start date. Deterministic (a linear congruential sequence).
 */
function experimentEvents(): string {
  let state = 7;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    // The high bits: the low bits of a power-of-two LCG repeat with a short period.
    return Math.floor(state / 65_536) % n;
  };
  const rows: string[][] = [];
  const at = (day: number, minute: number) =>
    new Date(Date.parse("2026-04-01T21:30:00Z") + day * 86_400_000 + minute * 60_000)
      .toISOString()
      .replace(".000", "");
  const seen = (ts: string, visitor: string, experiment: string, variation: string) =>
    rows.push([
      ts,
      "Experiment Viewed",
      visitor,
      JSON.stringify({ experiment_id: experiment, variation_id: variation }),
    ]);
  const did = (ts: string, visitor: string, name: string) => rows.push([ts, name, visitor, ""]);
  const arms = { landing: ["control", "b", "c"], pricing: ["0", "1"], solo: ["only"] } as const;
  for (let v = 0; v < 420; v++) {
    const visitor = `x${v}`;
    const experiment = (["landing", "landing", "pricing", "solo"] as const)[next(4)] ?? "landing";
    const variations: readonly string[] = arms[experiment];
    // c is drawn less often than the others: a sample ratio mismatch to find.
    const pickArm = () =>
      variations[next(variations.length === 3 ? 5 : variations.length) % variations.length] ?? "";
    const day = next(10);
    const minute = next(240);
    const first = at(day, minute);
    seen(first, visitor, experiment, pickArm());
    if (next(4) === 0) seen(first, visitor, experiment, pickArm());
    if (next(3) === 0) seen(at(day, minute + 1 + next(300)), visitor, experiment, pickArm());
    // Everyone exposed to "solo" converts: a single variation at 100 %.
    const rate = experiment === "solo" ? 10 : variations.indexOf(pickArm()) + 2;
    if (next(10) < rate)
      did(at(day, minute + 1 + next(600)), visitor, experiment === "solo" ? "Solo Done" : "Signed Up");
    if (next(6) === 0) did(at(day, minute - 1 - next(60)), visitor, "Signed Up");
    if (next(8) === 0) did(at(12, next(600)), visitor, "Signed Up");
  }
  // Exposed before the start date only.
  seen(at(-3, 10), "early", "landing", "b");
  did(at(-3, 20), "early", "Signed Up");
  return csvOf(["timestamp", "event", "visitor_id", "properties"], rows);
}

/** A small shop whose funnel values need quoting everywhere: names, paths, properties, sources. */
const QUOTED_FUNNEL = csvText(`
  timestamp,event,visitor_id,type,url,utm_source,device,properties
  2026-04-02T10:00:00Z,pageview,q1,page,https://shop.example/it's/pricing,o'hara,mobile,"{""pl'an"":""pro \\\\ 'x'""}"
  2026-04-02T10:05:00Z,Sign'ed Up,q1,track,,,,"{""pl'an"":""a,b""}"
  2026-04-02T10:06:00Z,Order; DROP TABLE events,q1,track,,,,
  2026-04-02T11:00:00Z,pageview,q2,page,https://shop.example/it's/pricing,,desktop,"{""pl'an"":""a,b""}"
  2026-04-02T11:30:00Z,Sign'ed Up,q2,track,,,,
  2026-04-03T09:00:00Z,pageview,q3,page,https://shop.example/it's/pricing?x=1,o'hara,mobile,
  2026-04-03T09:00:00Z,Sign'ed Up,q3,track,,,,
`);

const ANALYSIS_CASES: Case[] = [
  {
    name: "funnels: the demo's funnels overall and broken down by every session dimension and a property",
    async run(store, ctx) {
      const ws = ctx.demo;
      const cart = { steps: ["pageview /*", "Added to Cart", "Order Completed"] };
      const out: Record<string, unknown> = {
        overall: await runFunnel(store, ws, cart, RANGE),
        signup: await runFunnel(store, ws, { steps: "pageview /products/*,Signed Up", window: "30m" }, RANGE),
      };
      for (const dim of [...SESSION_DIMENSIONS, "props.plan"]) {
        out[dim] = await runFunnel(store, ws, cart, { ...RANGE, groupBy: dim });
      }
      out.shortWindowByChannel = await runFunnel(
        store,
        ws,
        { steps: ["pageview /*", "Added to Cart", "Order Completed"], window: "15m" },
        { from: "2026-03-10", to: "2026-03-12", groupBy: "channel" },
      );
      return out;
    },
  },
  {
    name: "funnels: bad input and values that need quoting",
    async run(store, ctx) {
      const ws = await newWorkspace(store, "funnel-quoting", { timezone: "America/New_York" });
      await importFile(
        store,
        ws,
        "events",
        await file(ctx, "funnel-quoting.csv", padColumns("events", QUOTED_FUNNEL)),
      );
      const range = { from: "2026-04-01", to: "2026-04-30" };
      const steps = ["pageview /it's/*", "Sign'ed Up", "Order; DROP TABLE events"];
      return each({
        bySource: () => runFunnel(store, ws, { steps }, { ...range, groupBy: "utm_source" }),
        byDevice: () => runFunnel(store, ws, { steps }, { ...range, groupBy: "device" }),
        byQuotedProperty: () => runFunnel(store, ws, { steps }, { ...range, groupBy: "props.pl'an" }),
        propertyStep: () => runFunnel(store, ws, { steps: ["pageview /*", "Sign'ed Up[pl'an=a,b]"] }, range),
        noEntrants: () =>
          runFunnel(store, ws, { steps }, { from: "2026-01-01", to: "2026-01-02", groupBy: "country" }),
        unknownEvents: () =>
          runFunnel(store, ws, { steps: "Nope,Nothing" }, { ...range, groupBy: "channel" }),
        valueless: () => runFunnel(store, ws, { steps }, { ...range, groupBy: "props.none" }),
        oneStep: () => runFunnel(store, ws, { steps: "Sign'ed Up" }, range),
        empty: () => runFunnel(store, ws, { steps: "" }, range),
        badDimension: () => runFunnel(store, ws, { steps }, { ...range, groupBy: "network" }),
        badWindow: () => runFunnel(store, ws, { steps, window: "soon" }, range),
        reversed: () => runFunnel(store, ws, { steps }, { from: "2026-04-30", to: "2026-04-01" }),
      });
    },
  },
  {
    name: "experiments: first exposures, several variations, SRM and Holm, in Paris time, and bad input",
    async run(store, ctx) {
      const ws = await newWorkspace(store, "experiments", { timezone: "Europe/Paris" });
      await importFile(store, ws, "events", await file(ctx, "exposures.csv", experimentEvents()));
      const dates = { from: "2026-04-02", to: "2026-04-11" };
      return {
        ids: await store.experimentIds(ws.name),
        ...(await each({
          landing: () => runExperiment(store, ws, { id: "landing", conversion: "Signed Up", ...dates }),
          landingSplit: () =>
            runExperiment(store, ws, {
              id: "landing",
              conversion: "Signed Up",
              control: "b",
              split: [40, 30, 30],
              lang: "fr",
              ...dates,
            }),
          landingAllTime: () => runExperiment(store, ws, { id: "landing", conversion: "Signed Up" }),
          pricing: () => runExperiment(store, ws, { id: "pricing", conversion: "Signed Up", ...dates }),
          oneVariation: () => runExperiment(store, ws, { id: "solo", conversion: "Solo Done", ...dates }),
          zeroConversions: () =>
            runExperiment(store, ws, { id: "pricing", conversion: "Never Happens", ...dates }),
          noExposures: () => runExperiment(store, ws, { id: "absent", conversion: "Signed Up", ...dates }),
          noConversionEvent: () => runExperiment(store, ws, { id: "landing" }),
          badSplit: () =>
            runExperiment(store, ws, { id: "landing", conversion: "Signed Up", split: [50, 50] }),
        })),
      };
    },
  },
  {
    name: "budget: advice on the demo, its invariants' parameters, French, and a range without spend",
    async run(store, ctx) {
      const ws = ctx.demo;
      return each({
        range: () => adviseBudget(store, ws, RANGE),
        tight: () => adviseBudget(store, ws, { ...RANGE, maxShift: 5, floor: 50 }),
        wide: () =>
          adviseBudget(store, ws, {
            from: "2026-03-08",
            to: "2026-03-12",
            maxShift: 60,
            floor: 0,
            lang: "fr",
          }),
        allData: () => adviseBudget(store, ws, {}),
        noSpend: () => adviseBudget(store, ws, { from: "2025-01-01", to: "2025-01-31" }),
        badShift: () => adviseBudget(store, ws, { ...RANGE, maxShift: -1 }),
      });
    },
  },
];
CASES.push(...ANALYSIS_CASES);

// ---------------------------------------------------------------------------------------------
// Comparison

/** The differences between two JSON values: numbers to a relative 1e-9, everything else exactly. */
function differences(a: unknown, b: unknown, path = "$", out: string[] = []): string[] {
  if (out.length >= 25) return out;
  const show = (v: unknown) => {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 200)}…` : s;
  };
  if (typeof a === "number" && typeof b === "number") {
    if (a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))) return out;
    out.push(`${path}: ${a} ≠ ${b}`);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} items ≠ ${b.length} items`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (
    a !== null &&
    b !== null &&
    typeof a === "object" &&
    typeof b === "object" &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const key of new Set([...ka, ...kb])) {
      if (!(key in rb)) out.push(`${path}.${key}: ${show(ra[key])} ≠ (absent)`);
      else if (!(key in ra)) out.push(`${path}.${key}: (absent) ≠ ${show(rb[key])}`);
      else differences(ra[key], rb[key], `${path}.${key}`, out);
    }
    return out;
  }
  if (a !== b) out.push(`${path}: ${show(a)} ≠ ${show(b)}`);
  return out;
}

/** A JSON round trip: what a user of the JSON output would see. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value) ?? "null");
}

// ---------------------------------------------------------------------------------------------
// The stores

interface Target {
  readonly name: string;
  readonly store: Store;
  readonly ctx: Ctx;
}

const targets: Target[] = [];
const servers: ClickhouseFixture[] = [];
let cluster: ClickhouseFixture | null = null;
let clusterDatabase = "";
let dir = "";

async function openTarget(name: string, open: () => Promise<Store>): Promise<Target> {
  const store = await open();
  const { workspace } = await loadDemo(store, DEMO);
  // A directory per store: the stores run a case at the same time, each writing its own files.
  const own = join(dir, name.replace(/\W+/g, "-"));
  await mkdir(own);
  return { name, store, ctx: { dir: own, demo: workspace } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sextant-conformance-"));
  const opening: Promise<Target>[] = [
    openTarget("duckdb", () => DuckdbStore.open(join(dir, "conformance.duckdb"))),
  ];
  const [single, two] = await Promise.all([startSingle(), startCluster()]);
  servers.push(single, two);
  cluster = two;
  clusterDatabase = "conformance_cluster";
  opening.push(
    openTarget("clickhouse single", () => ClickhouseStore.open(`${single.url}/conformance_single`, null)),
    openTarget("clickhouse cluster", () =>
      ClickhouseStore.open(`${two.url}/${clusterDatabase}`, two.cluster),
    ),
  );
  targets.push(...(await Promise.all(opening)));
}, 240_000);

afterAll(async () => {
  await Promise.all(targets.map((t) => t.store.close().catch(() => undefined)));
  await Promise.all(servers.map((s) => s.stop()));
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe("the same answers on DuckDB, ClickHouse and a ClickHouse cluster", () => {
  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const results = await Promise.all(
        targets.map(async (t) => asJson(await outcome(() => testCase.run(t.store, t.ctx)))),
      );
      const [reference, ...others] = results;
      expect((reference as { crash?: string }).crash, `${targets[0]?.name} crashed`).toBeUndefined();
      others.forEach((result, i) => {
        const name = targets[i + 1]?.name ?? "?";
        expect.soft(differences(reference, result), `${name} differs from duckdb`).toEqual([]);
      });
    }, 120_000);
  }

  it("the demo's events are spread over both shards of the cluster", async () => {
    const clients: ClickHouseClient[] = (cluster?.nodes ?? []).map((url) => createClient({ url }));
    try {
      const counts: number[] = [];
      for (const client of clients) {
        const result = await client.query({
          query: `SELECT count() AS n FROM ${clusterDatabase}.events_local WHERE workspace = 'demo'`,
          format: "JSONEachRow",
        });
        const [row] = await result.json<{ n: string | number }>();
        counts.push(Number(row?.n ?? 0));
      }
      expect(counts).toHaveLength(2);
      for (const n of counts) expect(n).toBeGreaterThan(0);
      const duck = targets[0]?.store;
      if (!duck) throw new Error("no DuckDB store");
      expect(counts.reduce((a, b) => a + b, 0)).toBe((await duck.countRows("demo")).events);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
