import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { UserError } from "../../errors.js";
import { formatBytes, memorySizeBytes } from "../../sizes.js";

export type Row = Record<string, unknown>;

export interface DuckdbOptions {
  /** DuckDB's memory_limit, e.g. "600MB"; DuckDB's default (80 % of RAM) when absent. */
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Whether KPI queries may read the rollups (default true); false forces the raw path. */
  readonly rollups?: boolean;
  /**
   * A refresh derives everything again, rather than each changed visitor from its cut, when the
   * new events are more than this share of the workspace's events (default 0.5; 1 never does).
   */
  readonly wholeRefreshShare?: number;
  /**
   * The most events one statement sessionizes: a derivation of more is split into parts of
   * visitors (default: duckdb-store.ts `derivationChunkEvents` of the memory limit).
   */
  readonly derivationChunkEvents?: number;
  /**
   * Rows per row group of the file (DuckDB's default 122,880), an ATTACH option: the file is then
   * attached to an in-memory instance. With `checkpointThreshold`, the opt-in storage knobs of
   * docs/operations.md (read at start-up: config.ts `duckdbStorage`).
   */
  readonly rowGroupSize?: number;
  /** DuckDB's checkpoint_threshold, e.g. "2MiB" (DuckDB's default 16 MiB). */
  readonly checkpointThreshold?: string;
  /**
   * Print each statement of a write section with its wall time and the process's CPU time during
   * it (DuckDB's threads included) on stderr: the diagnostic docs/performance.md's import profile
   * was measured with (SEXTANT_TRACE_SQL=1, read at start-up: config.ts `duckdbOptions`).
   */
  readonly traceSql?: boolean;
}

/**
 * One DuckDB file with two connections: one for writes (imports, ingestion commits, derived
 * tables) and one for reads, so a long KPI query never delays an ingestion commit (DuckDB's MVCC
 * lets readers see the last committed state). Each connection runs one statement at a time: DuckDB
 * connections are not safe for concurrent statements, so calls queue behind each other.
 */
export class DuckdbConnection {
  private readonly writes = new Queue();
  private readonly reads = new Queue();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    /** DuckDB's memory limit in force, as DuckDB reports it (null if it could not be read). */
    readonly memoryLimitBytes: number | null,
    private readonly traceSql: boolean,
  ) {}

  static async open(path: string, options: DuckdbOptions = {}): Promise<DuckdbConnection> {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const attach = path !== ":memory:" && options.rowGroupSize !== undefined;
    let instance: DuckDBInstance;
    let connection: DuckDBConnection;
    try {
      instance = await DuckDBInstance.create(attach ? ":memory:" : path, {
        // Sextant runs offline: never try to download extensions (ICU and JSON are built in).
        autoinstall_known_extensions: "false",
        autoload_known_extensions: "false",
        ...(options.checkpointThreshold ? { checkpoint_threshold: options.checkpointThreshold } : {}),
        ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
        ...(options.threads ? { threads: String(options.threads) } : {}),
      });
      connection = await instance.connect();
      if (attach) {
        await connection.run(
          `ATTACH '${path.replaceAll("'", "''")}' AS store (ROW_GROUP_SIZE ${options.rowGroupSize})`,
        );
      }
    } catch (error) {
      throw translateOpenError(path, error);
    }
    const reader = await instance.connect();
    for (const c of [connection, reader]) {
      if (attach) await c.run("USE store");
      await c.run("SET TimeZone = 'UTC'");
    }
    const [limit] = (
      await reader.runAndReadAll("SELECT current_setting('memory_limit') AS m")
    ).getRowObjectsJson();
    const limitBytes = typeof limit?.m === "string" ? memorySizeBytes(limit.m) : null;
    return new DuckdbConnection(path, instance, connection, reader, limitBytes, options.traceSql ?? false);
  }

  /** Runs one read-only statement and returns its rows as plain JSON-like objects (numbers, strings, null). */
  all(sql: string): Promise<Row[]> {
    return this.reads.run(() =>
      this.explained(async () => (await this.reader.runAndReadAll(sql)).getRowObjectsJson() as Row[]),
    );
  }

  /** Runs statements in order, on their own. */
  run(...statements: string[]): Promise<void> {
    return this.exclusive(async () => {
      for (const sql of statements) await this.connection.run(sql);
    });
  }

  /**
   * Runs `work` alone on the connection inside a transaction: committed if it returns, rolled back
   * (nothing changed) if it throws.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.exclusive(() => new Transaction(this.connection, this.traceSql).atomically(work));
  }

  /** Runs `work` alone on the connection, outside a transaction (for temp tables and bulk reads). */
  session<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(new Transaction(this.connection, this.traceSql)));
  }

  async close(): Promise<void> {
    await Promise.all([this.writes.idle(), this.reads.idle()]);
    this.reader.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.writes.run(() => this.explained(work));
  }

  /** DuckDB running out of memory is the user's to fix, with a larger limit: said so. */
  private async explained<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!message.startsWith("Out of Memory Error")) throw error;
      const limit = this.memoryLimitBytes
        ? `its share of the memory limit (${formatBytes(this.memoryLimitBytes)})`
        : "its memory";
      throw new UserError(
        `The store ran out of memory: DuckDB needed more than ${limit} for this work, and what it had begun was rolled back. ` +
          "Give Sextant more with --memory-limit or SEXTANT_MEMORY_LIMIT (docs/operations.md, Memory).",
        [{ field: "memory-limit", reason: message.split("\n")[0] ?? "out of memory" }],
        503,
        1,
      );
    }
  }
}

/** Runs async work one at a time, in call order. */
class Queue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  idle(): Promise<void> {
    return this.tail.then(
      () => undefined,
      () => undefined,
    );
  }
}

/** Runs a statement, printing its wall and CPU time when `trace` (DuckdbOptions.traceSql). */
async function traced<T>(trace: boolean, sql: string, work: () => Promise<T>): Promise<T> {
  if (!trace) return work();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  try {
    return await work();
  } finally {
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    process.stderr.write(
      `sql ${ms.toFixed(1).padStart(9)} ms  cpu ${cpuMs.toFixed(0).padStart(7)} ms  ${sql.replace(/\s+/g, " ").slice(0, 110)}\n`,
    );
  }
}

/** Statements inside an exclusive section of the connection. */
export class Transaction {
  constructor(
    readonly connection: DuckDBConnection,
    private readonly trace = false,
  ) {}

  async all(sql: string): Promise<Row[]> {
    return traced(
      this.trace,
      sql,
      async () => (await this.connection.runAndReadAll(sql)).getRowObjectsJson() as Row[],
    );
  }

  async run(sql: string): Promise<void> {
    await traced(this.trace, sql, () => this.connection.run(sql));
  }

  /** Runs `work` in a transaction: committed if it returns, rolled back (nothing changed) if it throws. */
  async atomically<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    await this.connection.run("BEGIN TRANSACTION");
    try {
      const result = await work(this);
      await this.connection.run("COMMIT");
      return result;
    } catch (error) {
      await this.connection.run("ROLLBACK");
      throw error;
    }
  }

  /** Runs an INSERT, UPDATE or DELETE and returns how many rows it changed. */
  async changed(sql: string): Promise<number> {
    return (await traced(this.trace, sql, () => this.connection.run(sql))).rowsChanged;
  }

  /** The single number a statement returns (a count), or 0. */
  async number(sql: string): Promise<number> {
    const row = (await this.all(sql))[0];
    const value = row ? Object.values(row)[0] : 0;
    return value === null || value === undefined ? 0 : Number(value);
  }
}

function translateOpenError(path: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/lock/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new UserError(
      `The store ${path} is taken: it is in use by another Sextant process${pid ? ` (pid ${pid}, probably \`sextant serve\`)` : ""}. ` +
        "DuckDB lets one process open a file: stop that process, or send data to the running server over HTTP.",
      [{ field: "db", reason: "file locked" }],
      409,
      3,
    );
  }
  return new UserError(
    `Sextant could not open the store ${path}: ${message}`,
    [{ field: "db", reason: message }],
    500,
    3,
  );
}
