import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The parts of a V8 `.cpuprofile` (node --cpu-prof) used here. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly hitCount?: number;
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly wallMs: number;
  /** Main-thread time not idle (JavaScript, GC, native work on the main thread). */
  readonly busyMs: number;
  readonly idleMs: number;
  /** Self time by place: a package under node_modules, a file of src/, or a V8 category. */
  readonly byPlace: readonly { readonly place: string; readonly ms: number; readonly share: number }[];
  /** Self time by function. */
  readonly topFunctions: readonly { readonly fn: string; readonly ms: number; readonly share: number }[];
  /** Time inside (self and callees) of chosen functions of the ingestion path. */
  readonly inclusive: readonly { readonly fn: string; readonly ms: number; readonly share: number }[];
}

function place(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native/builtin)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const src = /\/dist\/(src\/.+?)\.js$/.exec(url);
  if (src) return `${src[1]}.ts`;
  if (url.startsWith("node:")) return url;
  return url.replace(/^file:\/\//, "");
}

const INCLUSIVE = [
  "normalizeSegment",
  "clientInfo",
  "parseOrThrow",
  "checkSize",
  "segmentMessageRecord",
  "loadRecords",
  "parse",
  "stringify",
];

/** Summarises the newest `.cpuprofile` of a directory (main thread only: DuckDB's own threads are not sampled). */
export function summarizeProfile(dir: string): ProfileSummary {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  const file = files.at(-1);
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const totalHits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0) || 1;
  const msPerHit = wallMs / totalHits;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPlace = new Map<string, number>();
  const byFn = new Map<string, number>();
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * msPerHit;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") idleMs += ms;
    const where = place(url, functionName);
    byPlace.set(where, (byPlace.get(where) ?? 0) + ms);
    const fn = `${functionName || "(anonymous)"} ${where}${url ? `:${lineNumber + 1}` : ""}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
  }
  // Inclusive time of the chosen functions: a subtree counts once even when a name recurs in it.
  const inclusive = new Map<string, number>();
  const walk = (id: number, open: ReadonlySet<string>) => {
    const node = byId.get(id);
    if (!node) return;
    const name = node.callFrame.functionName;
    const here = INCLUSIVE.includes(name) && !open.has(name) ? new Set([...open, name]) : open;
    const ms = (node.hitCount ?? 0) * msPerHit;
    for (const fn of here) inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
    for (const child of node.children ?? []) walk(child, here);
  };
  const root = profile.nodes[0];
  if (root) walk(root.id, new Set());
  const busyMs = wallMs - idleMs;
  const ranked = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => k !== "(idle)" && !k.startsWith("(idle) "))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  return {
    file: join(dir, file),
    wallMs,
    busyMs,
    idleMs,
    byPlace: ranked(byPlace, 15).map(([p, ms]) => ({ place: p, ms, share: ms / busyMs })),
    topFunctions: ranked(byFn, 20).map(([fn, ms]) => ({ fn, ms, share: ms / busyMs })),
    inclusive: INCLUSIVE.map((fn) => ({
      fn,
      ms: inclusive.get(fn) ?? 0,
      share: (inclusive.get(fn) ?? 0) / busyMs,
    })),
  };
}
