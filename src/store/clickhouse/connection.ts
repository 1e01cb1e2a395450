import { createReadStream } from "node:fs";
import { finished } from "node:stream/promises";
import {
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  ClickHouseLogLevel,
  type ClickHouseSettings,
  createClient as createClickhouseClient,
} from "@clickhouse/client";
import { UserError } from "../../errors.js";
import { redactUrlPassword } from "../../redact.js";
import { clickhouseDialect, quoteString } from "./dialect.js";
import { explainFailure } from "./failures.js";

export type Row = Record<string, unknown>;

/** A quiet client: errors are thrown to the caller, and its warnings are not for Sextant's users. */
function createClient(options: ClickHouseClientConfigOptions): ClickHouseClient {
  return createClickhouseClient({ ...options, log: { level: ClickHouseLogLevel.OFF } });
}

/** Long statements (value lists of thousands of keys) are allowed; 18.16's default is 256 KiB. */
const MAX_QUERY_SIZE = 16 * 1024 * 1024;
/** Rows per block of a streamed INSERT: bounds the server's memory for a large file. */
const INSERT_BLOCK_ROWS = 100_000;

/**
 * A ClickHouse server or cluster over HTTP (`@clickhouse/client`). On a cluster, schema changes run
 * on every node (18.16's ON CLUSTER needs ZooKeeper); every other statement goes to the node of
 * the URL, through Distributed tables, with distributed IN and JOIN subqueries made GLOBAL.
 */
export class ClickhouseConnection {
  private constructor(
    readonly url: string,
    readonly database: string,
    readonly cluster: string | null,
    private readonly client: ClickHouseClient,
    private readonly settings: ClickHouseSettings,
  ) {}

  static async open(url: string, cluster: string | null): Promise<ClickhouseConnection> {
    const parsed = parseUrl(url);
    const settings: ClickHouseSettings = {
      max_query_size: String(MAX_QUERY_SIZE),
      ...(cluster === null ? {} : { insert_distributed_sync: 1, distributed_product_mode: "global" }),
    };
    const bootstrap = createClient({ url: parsed.server, ...parsed.auth });
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${parsed.databaseSql}` });
    } catch (error) {
      await bootstrap.close();
      const explained = explainFailure(error, { node: parsed.server, cluster });
      throw explained instanceof UserError ? explained : unreachable(parsed.server, error);
    }
    await bootstrap.close();
    const client = createClient({
      url: parsed.server,
      ...parsed.auth,
      database: parsed.database,
      clickhouse_settings: settings,
      request_timeout: 600_000,
    });
    return new ClickhouseConnection(url, parsed.database, cluster, client, settings);
  }

  /** The HTTP URL of every node of the cluster (the URL's port on each host), or this one. */
  async nodes(): Promise<string[]> {
    if (this.cluster === null) return [parseUrl(this.url).server];
    const rows = await this.all(
      `SELECT DISTINCT host_address FROM system.clusters WHERE cluster = ${quoteString(this.cluster)} ORDER BY host_address`,
    );
    if (rows.length === 0) {
      throw new UserError(
        `ClickHouse at ${redactUrlPassword(this.url)} has no cluster named "${this.cluster}" in its remote_servers configuration.`,
        [{ field: "clickhouse_cluster", reason: "unknown cluster" }],
        400,
        3,
      );
    }
    const server = new URL(parseUrl(this.url).server);
    return rows.map((row) => {
      const node = new URL(server);
      node.hostname = String(row.host_address);
      return node.origin;
    });
  }

  /** Runs DDL on every node (one node without a cluster). */
  async ddl(statements: readonly string[]): Promise<void> {
    const parsed = parseUrl(this.url);
    for (const node of await this.nodes()) {
      const client = createClient({ url: node, ...parsed.auth });
      try {
        await this.explained(async () => {
          await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${parsed.databaseSql}` });
          for (const query of statements) {
            await client.command({
              query,
              clickhouse_settings: { database: parsed.database } as ClickHouseSettings,
            });
          }
        }, node);
      } finally {
        await client.close();
      }
    }
  }

  /**
   * Runs a statement on every node at once, each over its own shard's data: `local` names a table's
   * `_local` table on a cluster (the table itself on one server). A visitor's events live on one
   * shard, so per-visitor work needs no data from another node. INSERTs into a Distributed table
   * return once the rows reached their shard.
   */
  async onEachNode(statement: (local: (table: string) => string) => string): Promise<void> {
    if (this.cluster === null) {
      await this.run(statement((table) => table));
      return;
    }
    const parsed = parseUrl(this.url);
    const query = statement((table) => `${table}_local`);
    await Promise.all(
      (await this.nodes()).map(async (node) => {
        const client = createClient({
          url: node,
          ...parsed.auth,
          database: parsed.database,
          clickhouse_settings: { ...this.settings, insert_distributed_sync: 1 },
          request_timeout: 600_000,
        });
        try {
          await this.explained(() => client.command({ query }), node);
        } finally {
          await client.close();
        }
      }),
    );
  }

  /** Runs a query on every node at once, each over its own shard's data; the rows of each node. */
  async allOnEachNode(query: (local: (table: string) => string) => string): Promise<Row[][]> {
    if (this.cluster === null) return [await this.all(query((table) => table))];
    const parsed = parseUrl(this.url);
    const sql = query((table) => `${table}_local`);
    return Promise.all(
      (await this.nodes()).map(async (node) => {
        const client = createClient({
          url: node,
          ...parsed.auth,
          database: parsed.database,
          clickhouse_settings: this.settings,
        });
        try {
          return await this.explained(async () => {
            const result = await client.query({ query: sql, format: "JSONEachRow" });
            return (await result.json()) as Row[];
          }, node);
        } finally {
          await client.close();
        }
      }),
    );
  }

  /**
   * Deletes the rows of `table` matching `where` on every node (a mutation, `ALTER TABLE … DELETE`,
   * of each node's own table) and returns once every node applied it: 18.16 has neither
   * lightweight deletes nor `mutations_sync`, so `system.mutations` is read until nothing is left
   * to do. A mutation rewrites only the parts that exist when it starts: rows inserted meanwhile
   * (other visitors' events) are never touched.
   */
  async deleteWhere(table: string, where: string): Promise<void> {
    await this.onEachNode((local) => `ALTER TABLE ${local(table)} DELETE WHERE ${where}`);
    const started = Date.now();
    for (;;) {
      const nodes = await this.allOnEachNode(
        (local) => `SELECT count() AS n FROM system.mutations
          WHERE database = currentDatabase() AND table = ${quoteString(local(table))} AND is_done = 0`,
      );
      if (nodes.every((rows) => Number(rows[0]?.n ?? 0) === 0)) return;
      if (Date.now() - started > 600_000) {
        throw new Error(`ClickHouse did not finish deleting rows of ${table} within 10 minutes`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Runs `work`, turning a failure a user can fix (a node down, a table missing) into a sentence. */
  private async explained<T>(work: () => Promise<T>, node = parseUrl(this.url).server): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw explainFailure(error, { node, cluster: this.cluster });
    }
  }

  async run(query: string): Promise<void> {
    await this.explained(() => this.client.command({ query }));
  }

  async all(query: string): Promise<Row[]> {
    return this.explained(async () => {
      const result = await this.client.query({ query, format: "JSONEachRow" });
      return (await result.json()) as Row[];
    });
  }

  /** Rows and, for a GROUP BY … WITH TOTALS, the totals row. */
  async allWithTotals(query: string): Promise<{ rows: Row[]; totals: Row | null }> {
    return this.explained(async () => {
      const result = await this.client.query({ query, format: "JSON" });
      const body = (await result.json()) as { data: Row[]; totals?: Row };
      return { rows: body.data, totals: body.totals ?? null };
    });
  }

  /** The single number a statement returns (a count), or 0. */
  async number(query: string): Promise<number> {
    const row = (await this.all(query))[0];
    const value = row ? Object.values(row)[0] : 0;
    return value === null || value === undefined ? 0 : Number(value);
  }

  /** Inserts rows; on a cluster the insert returns once every shard has them. */
  async insert(table: string, values: readonly Row[]): Promise<void> {
    if (values.length === 0) return;
    await this.explained(() => this.client.insert({ table, values: values as Row[], format: "JSONEachRow" }));
  }

  /** Inserts a file of JSON objects, one per line, as DuckDB's `COPY … (FORMAT JSON)` writes them. */
  async insertFile(table: string, path: string): Promise<void> {
    await this.explained(async () => {
      const result = await this.client.exec({
        query: `INSERT INTO ${clickhouseDialect.identifier(table)} FORMAT JSONEachRow`,
        values: createReadStream(path),
        // Blocks of a million wide rows (the default) need gigabytes while being parsed.
        clickhouse_settings: { ...this.settings, max_insert_block_size: String(INSERT_BLOCK_ROWS) },
      });
      result.stream.resume();
      await finished(result.stream);
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  get clickhouseSettings(): ClickHouseSettings {
    return this.settings;
  }
}

/** `http://user:password@host:8123/database` → the server, credentials and database. */
function parseUrl(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(
      `"${redactUrlPassword(url)}" is not a ClickHouse URL; write it like http://localhost:8123 or http://user:password@host:8123/database.`,
      [{ field: "clickhouse", reason: "invalid URL" }],
      400,
      2,
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, ""));
  if (!database || database.includes("/")) {
    // Without one, Sextant's tables would land in ClickHouse's `default` database among others'.
    throw new UserError(
      `The ClickHouse URL ${parsed.protocol}//${parsed.host}${parsed.pathname} ${database ? "has more than one path segment" : "names no database"}: name the database Sextant should use as its path, for example ${parsed.protocol}//${parsed.host}/sextant (it is created if missing).`,
      [{ field: "clickhouse", reason: "no database" }],
      400,
      3,
    );
  }
  const auth = parsed.username
    ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
    : {};
  return {
    server: `${parsed.protocol}//${parsed.host}`,
    database,
    databaseSql: clickhouseDialect.identifier(database),
    auth,
  };
}

function unreachable(url: string, error: unknown): UserError {
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(
    `Sextant could not reach ClickHouse at ${url}: ${message}`,
    [{ field: "clickhouse", reason: message }],
    503,
    3,
  );
}
