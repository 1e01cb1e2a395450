import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { CliIo } from "../../cli/context.js";
import { UserError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { parseOrThrow } from "../../validation.js";
import { fromThisMachine } from "../auth.js";

/** Runs CLI arguments with the given output and store; returns the exit code. */
export type CliRunner = (argv: readonly string[], io: CliIo) => Promise<number>;

export interface AdminOptions {
  readonly token: string;
  readonly runCli: CliRunner;
}

const bodySchema = z.object({ args: z.array(z.string().max(100_000)).max(200), cwd: z.string().max(4096) });

/**
 * Lets `sextant import|kpi|keys|workspace…` work while this server holds the DuckDB file: the
 * command runs here, on the server's store, for callers on this machine holding the token the
 * server wrote beside the store (readable by its owner only).
 */
export function adminRoutes(app: FastifyInstance, store: Store, options: AdminOptions): void {
  const expected = Buffer.from(options.token);
  app.post("/api/v1/admin/cli", async (request) => {
    const given = Buffer.from((request.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (!fromThisMachine(request) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UserError(
        "This route is for Sextant commands on this machine.",
        [{ field: "authorization", reason: "forbidden" }],
        403,
      );
    }
    const { args, cwd } = parseOrThrow(bodySchema, request.body);
    let stdout = "";
    let stderr = "";
    const exitCode = await options.runCli(["node", "sextant", ...args], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      store,
      cwd,
    });
    return { stdout, stderr, exitCode };
  });
}
