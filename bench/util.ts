import { createReadStream, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/**
 * Wall-clock milliseconds taken by `work`, with its result, and the CPU milliseconds this process
 * spent meanwhile (all threads, DuckDB's included): less sensitive to other load on the machine.
 */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, value };
}

export { median, quantile } from "./stats.js";

/**
 * A small bench's numeric flags (`--name N`), each with its default: node's own `parseArgs`,
 * which refuses a flag it does not know; a value that is not a number is refused here.
 */
export function numberFlags<K extends string>(
  argv: readonly string[],
  defaults: Record<K, number>,
): Record<K, number> {
  const names = Object.keys(defaults) as K[];
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(names.map((name) => [name, { type: "string" as const }])),
  });
  const out = { ...defaults };
  for (const name of names) {
    const text = values[name];
    if (typeof text !== "string") continue;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new Error(`--${name}: "${text}" is not a number`);
    out[name] = value;
  }
  return out;
}

/** A count as the benchmarks' flags write it: `500k`, `1m`, `2.5m` or a plain number. */
export function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a count such as 500k, 1m or 10m`);
  const scale = { "": 1, k: 1e3, m: 1e6 }[(match[2] ?? "").toLowerCase() as "" | "k" | "m"];
  return Math.round(Number(match[1]) * scale);
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function fmtMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
}

export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : "n/a";
}

export function log(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Removes a DuckDB file and its write-ahead log. */
export function removeDb(path: string): void {
  for (const file of [path, `${path}.wal`]) if (existsSync(file)) rmSync(file);
}

/** Reads a file once so that both the store and the baseline find it in the OS page cache. */
export function warmPageCache(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path, { highWaterMark: 4 << 20 });
    stream.on("data", () => undefined);
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
}

/**
 * A raw DuckDB connection set up as Sextant's own (`DuckdbConnection.open`): no extension
 * downloads, same memory limit and threads, UTC session time zone. The baselines run on it.
 */
export class RawDuckdb {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(
    path: string,
    options: { memoryLimit?: string; threads?: number } = {},
  ): Promise<RawDuckdb> {
    const instance = await DuckDBInstance.create(path, {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
      ...(options.threads ? { threads: String(options.threads) } : {}),
    });
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    return new RawDuckdb(instance, connection);
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async all(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  }

  async number(sql: string): Promise<number> {
    const row = (await this.all(sql))[0];
    return row ? Number(Object.values(row)[0]) : 0;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Resets this process's peak resident set (Linux: `clear_refs` 5), so VmHWM measures what follows. */
export function resetPeakRss(): void {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    // not Linux, or not allowed: the peak then covers the whole run so far
  }
}

/** This process's peak resident set (VmHWM) in bytes, or NaN where /proc is missing. */
export function peakRss(): number {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** SQL string literal. */
export function lit(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
