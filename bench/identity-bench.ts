import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runKpiQuery } from "../src/kpi/run-query.js";
import { validateSettings } from "../src/model/parse-setting.js";
import type { TextRecord } from "../src/model/text-record.js";
import type { Workspace } from "../src/model/workspace.js";
import { DuckdbStore } from "../src/store/duckdb/duckdb-store.js";
import type { IncomingEvent } from "../src/store/store.js";
import { fmtInt, fmtMs, fmtRatio, log, parseCount, timed } from "./util.js";

/**
 * `npm run bench -- identity [--events N]`: what identity stitching costs (docs/concepts.md,
 * "Persons"), against a baseline measured in the same run: the same events with no user id.
 *
 * 1. Ingest CPU per event (appendEvents, the group commit's work): links are not resolved there.
 * 2. Deriving every session and rollup (refreshDerived), then a day's new traffic incrementally.
 * 3. A late identify joining two long histories (two devices of one person): the incremental
 *    refresh against a full derivation of the store.
 */

const PER_DEVICE = 20;
const BATCH = 5_000;
const START = Date.UTC(2026, 0, 1);

/** One device's events: page views and a track call every few minutes, signed in after a third. */
function deviceEvents(device: number, identified: boolean, day: number): TextRecord[] {
  const out: TextRecord[] = [];
  const anonymousId = `anon-${device}`;
  // Two devices per user: the same user id links them.
  const userId = `user-${Math.floor(device / 2)}`;
  const base = START + day * 86_400_000 + (device % 600) * 60_000;
  for (let k = 0; k < PER_DEVICE; k++) {
    const signedIn = identified && k >= PER_DEVICE / 3;
    const type = k === Math.floor(PER_DEVICE / 3) && identified ? "identify" : k % 4 === 3 ? "track" : "page";
    out.push({
      timestamp: new Date(base + k * 4 * 60_000).toISOString(),
      event: type === "page" ? "pageview" : type === "identify" ? "identify" : "Signed Up",
      type,
      visitor_id: signedIn ? userId : anonymousId,
      user_id: signedIn ? userId : null,
      anonymous_id: anonymousId,
      url: `https://shop.example/p${k % 7}`,
      referrer: null,
      utm_source: k === 0 ? "google" : null,
      utm_medium: k === 0 ? "cpc" : null,
      utm_campaign: k === 0 ? `c${device % 5}` : null,
      utm_content: null,
      utm_term: null,
      revenue: null,
      currency: null,
      order_id: null,
      properties: null,
      message_id: `m-${day}-${device}-${k}-${identified ? "i" : "a"}`,
    });
  }
  return out;
}

interface Variant {
  readonly label: string;
  readonly identified: boolean;
}

const VARIANTS: readonly Variant[] = [
  { label: "anonymous (baseline)", identified: false },
  { label: "signed in, 2 devices/user", identified: true },
];

async function append(store: DuckdbStore, workspace: string, records: TextRecord[]): Promise<number> {
  let cpu = 0;
  for (let i = 0; i < records.length; i += BATCH) {
    const batch: IncomingEvent[] = records.slice(i, i + BATCH).map((record) => ({ workspace, record }));
    cpu += (await timed(() => store.appendEvents(batch))).cpuMs;
  }
  return cpu;
}

export async function benchIdentity(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { events: { type: "string" } } });
  const total = values.events === undefined ? 400_000 : parseCount(values.events);
  const dir = mkdtempSync(join(tmpdir(), "sextant-identity-bench-"));
  const devices = Math.ceil(total / PER_DEVICE);
  log(`identity bench: ${fmtInt(devices * PER_DEVICE)} events, ${fmtInt(devices)} devices`);
  try {
    const figures: Record<string, { ingestUs: number; fullMs: number; dayMs: number }> = {};
    for (const variant of VARIANTS) {
      const store = await DuckdbStore.open(join(dir, `${variant.identified ? "i" : "a"}.duckdb`));
      const ws: Workspace = { name: "bench", settings: validateSettings({}) };
      await store.createWorkspace(ws);
      const records: TextRecord[] = [];
      for (let device = 0; device < devices; device++)
        records.push(...deviceEvents(device, variant.identified, device % 30));
      const ingestCpu = await append(store, ws.name, records);
      const full = await timed(() => store.refreshDerived(ws));
      // A day of new traffic: a tenth of the devices come back.
      const day: TextRecord[] = [];
      for (let device = 0; device < devices; device += 10)
        day.push(...deviceEvents(device, variant.identified, 31));
      await append(store, ws.name, day);
      const incremental = await timed(() => store.refreshDerived(ws));
      figures[variant.label] = {
        ingestUs: (ingestCpu * 1000) / records.length,
        fullMs: full.cpuMs,
        dayMs: incremental.cpuMs,
      };
      await store.close();
    }
    const base = figures[VARIANTS[0]?.label ?? ""];
    // CPU time of the process (DuckDB's threads included): steadier than wall time on a shared machine.
    log("variant (CPU)                ingest per event   full derivation   a day incrementally");
    for (const [label, f] of Object.entries(figures)) {
      const ratio = (value: number, of: number | undefined) => (of ? ` (${fmtRatio(value / of)})` : "");
      log(
        `${label.padEnd(28)} ${`${f.ingestUs.toFixed(1)} µs${ratio(f.ingestUs, base?.ingestUs)}`.padEnd(18)} ${`${fmtMs(f.fullMs)}${ratio(f.fullMs, base?.fullMs)}`.padEnd(17)} ${fmtMs(f.dayMs)}${ratio(f.dayMs, base?.dayMs)}`,
      );
    }
    await lateIdentify(dir, devices);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Two devices with long anonymous histories (a tenth of the events each) among anonymous traffic;
 * one identify on the second device with the first one's user id merges them.
 */
async function lateIdentify(dir: string, devices: number): Promise<void> {
  const store = await DuckdbStore.open(join(dir, "late.duckdb"), { wholeRefreshShare: 1 });
  const ws: Workspace = { name: "late", settings: validateSettings({}) };
  await store.createWorkspace(ws);
  const records: TextRecord[] = [];
  for (let device = 0; device < devices; device++) records.push(...deviceEvents(device, false, device % 30));
  const long = Math.floor((devices * PER_DEVICE) / 10 / PER_DEVICE);
  for (let day = 0; day < long; day++) {
    for (const device of [devices, devices + 1]) records.push(...deviceEvents(device, false, day % 30));
  }
  // The first long device signs in early on.
  records.push({ ...identify(devices, "long-user"), timestamp: new Date(START + 3_600_000).toISOString() });
  await append(store, ws.name, records);
  await store.refreshDerived(ws);
  const visitors = async () =>
    (await runKpiQuery(store, ws, { kpis: ["visitors"], from: "2025-12-31", to: "2026-02-05" })).totals
      .visitors;
  const before = await visitors();
  await append(store, ws.name, [identify(devices + 1, "long-user")]);
  const merge = await timed(() => store.refreshDerived(ws));
  const after = await visitors();
  await store.close();
  const whole = await DuckdbStore.open(join(dir, "late.duckdb"));
  // A settings change forces the derivation of everything: the cost the merge avoids.
  const changed: Workspace = { name: ws.name, settings: validateSettings({ session_timeout_minutes: 31 }) };
  await whole.updateSettings(ws.name, changed.settings);
  const full = await timed(() => whole.refreshDerived(changed));
  await whole.close();
  log(
    `late identify merging two histories of ${fmtInt(long * PER_DEVICE)} events each: CPU ${fmtMs(merge.cpuMs)}, ` +
      `wall ${fmtMs(merge.ms)} (full derivation CPU ${fmtMs(full.cpuMs)}, ${fmtRatio(merge.cpuMs / full.cpuMs)}); ` +
      `visitors ${before} → ${after}`,
  );
}

function identify(device: number, userId: string): TextRecord {
  return {
    timestamp: new Date(START + 40 * 86_400_000).toISOString(),
    event: "identify",
    type: "identify",
    visitor_id: userId,
    user_id: userId,
    anonymous_id: `anon-${device}`,
    url: null,
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
    message_id: `identify-${device}`,
  };
}
