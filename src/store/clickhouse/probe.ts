import { quoteString } from "./dialect.js";

/** A ClickHouse URL's parts, as the store reads them (connection.ts), without opening a client. */
export interface ClickhouseTarget {
  readonly server: string;
  /** The database named by the path, or null when the path names none (the store then uses "default"). */
  readonly database: string | null;
  readonly headers: Record<string, string>;
}

export function clickhouseTarget(url: string): ClickhouseTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, "")) || null;
  // HTTP Basic, as @clickhouse/client sends the URL's credentials over HTTP (18.16 takes it).
  const user = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  const headers: Record<string, string> = parsed.username
    ? { authorization: `Basic ${Buffer.from(user).toString("base64")}` }
    : {};
  return { server: `${parsed.protocol}//${parsed.host}`, database, headers };
}

const TIMEOUT_MS = 3000;

/** The reason a request failed, as a short phrase ("connection refused", "HTTP 516 …"). */
export function failure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code === "ENOTFOUND") return "unknown host";
  if (error instanceof Error && error.name === "TimeoutError")
    return `no answer within ${TIMEOUT_MS / 1000} s`;
  // fetch's own message is "fetch failed"; the reason is in its cause ("bad port", a TLS error…).
  if (cause?.message) return cause.code ? `${cause.code}: ${cause.message}` : cause.message;
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

/** Runs one read-only statement over HTTP and returns its text (TabSeparated). */
async function query(target: ClickhouseTarget, server: string, sql: string): Promise<string> {
  const response = await fetch(`${server}/?query=${encodeURIComponent(sql)}`, {
    headers: target.headers,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.trim().split("\n")[0] ?? ""}`);
  return body;
}

/** The server's version, or why it cannot be asked. */
export async function clickhouseVersion(
  target: ClickhouseTarget,
): Promise<{ version: string; error: null } | { version: null; error: string }> {
  try {
    return { version: (await query(target, target.server, "SELECT version()")).trim(), error: null };
  } catch (error) {
    return { version: null, error: failure(error) };
  }
}

/**
 * The HTTP URL of every node of a cluster, as the store reaches them (the host from
 * system.clusters, the URL's port and scheme), and whether each answers a query.
 */
export async function clusterNodes(
  target: ClickhouseTarget,
  cluster: string,
): Promise<{ nodes: { url: string; error: string | null }[] } | { error: string }> {
  let hosts: string[];
  try {
    const text = await query(
      target,
      target.server,
      `SELECT DISTINCT host_address FROM system.clusters WHERE cluster = ${quoteString(cluster)} ORDER BY host_address`,
    );
    hosts = text.split("\n").filter((line) => line !== "");
  } catch (error) {
    return { error: failure(error) };
  }
  const nodes = await Promise.all(
    hosts.map(async (host) => {
      const node = new URL(target.server);
      node.hostname = host;
      try {
        await query(target, node.origin, "SELECT 1");
        return { url: node.origin, error: null };
      } catch (error) {
        return { url: node.origin, error: failure(error) };
      }
    }),
  );
  return { nodes };
}
