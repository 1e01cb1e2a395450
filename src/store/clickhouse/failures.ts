import { ClickHouseError } from "@clickhouse/client";
import { UserError } from "../../errors.js";

/**
 * ClickHouse's error codes for a set-up a user can fix (ErrorCodes.cpp): a node that cannot be
 * reached, a table or database missing on a node, credentials refused. Any other error is a bug of
 * Sextant's SQL and stays unexpected.
 */
const NETWORK_CODES = new Set(["209", "210", "279", "285", "394"]);
const MISSING_TABLE_CODES = new Set(["60", "81"]);
const AUTH_CODES = new Set(["192", "193", "194", "516"]);
const SYSTEM_NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
]);

/** Where a statement went, to say so in the sentence. */
export interface FailureContext {
  /** The URL of the node that was asked (without credentials). */
  readonly node: string;
  readonly cluster: string | null;
}

/**
 * A ClickHouse failure a user can fix, as one sentence saying what is wrong and what to do (exit
 * code 3, as for any store that cannot be used); anything else is returned unchanged.
 */
export function explainFailure(error: unknown, context: FailureContext): unknown {
  const where = context.cluster ? ` (cluster ${context.cluster})` : "";
  const fail = (sentence: string, reason: string) =>
    new UserError(sentence, [{ field: "clickhouse", reason }], 503, 3);
  const systemCode = (error as { code?: unknown } | null)?.code;
  if (
    !(error instanceof ClickHouseError) &&
    typeof systemCode === "string" &&
    SYSTEM_NETWORK_ERRORS.has(systemCode)
  ) {
    return fail(
      `Sextant could not reach the ClickHouse node ${context.node}${where} (${systemCode}): start that server, or correct the URL${context.cluster ? " or the cluster's <remote_servers> configuration" : ""}.`,
      "unreachable",
    );
  }
  if (!(error instanceof Error)) return error;
  // The client parses current servers' errors into ClickHouseError; 18.16 writes
  // "Code: 192, e.displayText() = DB::Exception: Unknown user nobody, e.what() = …".
  const code = error instanceof ClickHouseError ? error.code : /^Code: (\d+)/.exec(error.message)?.[1];
  if (code === undefined) return error;
  const text = error.message.replace(/\s+/g, " ");
  const said = (/DB::\w*Exception: (.*?)(?:, e\.what\(\)|$)/.exec(text)?.[1] ?? text).trim().slice(0, 300);
  const missing = /There is no table (\S+) on server: (\S+)/.exec(text);
  if (MISSING_TABLE_CODES.has(code) || missing) {
    const what = missing ? `table ${missing[1]} is missing on node ${missing[2]}` : said;
    return fail(
      `A table Sextant needs is missing on a ClickHouse node${where} (${what}): start \`sextant\` again while every node is up; it creates missing tables on each node.`,
      "missing table",
    );
  }
  if (NETWORK_CODES.has(code)) {
    return fail(
      `A ClickHouse node${where} cannot be reached from ${context.node} (${said}): start every node of the cluster, or remove the missing one from <remote_servers> on every node.`,
      "node unreachable",
    );
  }
  if (AUTH_CODES.has(code)) {
    return fail(
      `ClickHouse at ${context.node} refused the user name or password (${said}): put the right ones in the URL, as http://user:password@host:8123/database.`,
      "authentication failed",
    );
  }
  return error;
}
