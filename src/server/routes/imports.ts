import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { UserError } from "../../errors.js";
import { fileFormat, parseColumnMap } from "../../import/options.js";
import { importFile } from "../../import/run-import.js";
import { IMPORT_KINDS } from "../../model/import-kinds.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";

/** The largest file the route takes: a year of daily rows of a large ad account is far below it. */
export const IMPORT_MAX_BYTES = 200 * 1024 * 1024;

/** Parameters of POST /api/v1/imports: the CLI's flags, as query parameters or multipart fields. */
export const importParamsSchema = z.object({
  kind: z.enum(IMPORT_KINDS).describe("what the file holds"),
  preset: z
    .string()
    .optional()
    .describe(
      "google-ads, meta-ads, linkedin-ads, microsoft-ads or mailchimp; without it a known export is recognised",
    ),
  filename: z
    .string()
    .optional()
    .describe("the file's name; .jsonl/.ndjson means JSON Lines, anything else CSV"),
  workspace: z
    .string()
    .optional()
    .describe("defaults to the key's workspace (the only one it may import into)"),
  map: z.string().optional().describe("as --map: target=source,..."),
  date_format: z.string().optional().describe("as --date-format, e.g. DD-MM-YYYY"),
  skip_invalid: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true")
    .describe("store the good rows and list the bad ones"),
});

const uploads = new WeakMap<FastifyRequest, { dir: string; file: string; name?: string }>();

/**
 * POST /api/v1/imports: a file as `sextant import` takes it, sent as multipart/form-data (field
 * `file`, other fields as parameters) or as a raw body (text/csv or application/octet-stream) with
 * the parameters in the query string. A key imports into its own workspace only; a write key
 * (public, in web pages) never imports.
 */
export async function importRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 20 } });
    // A raw body streams to a temporary file: the importer reads files, and nothing is held in memory.
    scope.addContentTypeParser(
      ["text/csv", "application/octet-stream"],
      async (request: FastifyRequest, payload: NodeJS.ReadableStream) => {
        const upload = await tempUpload();
        uploads.set(request, upload);
        await pipeline(payload, byteLimit(), createWriteStream(upload.file));
        return upload.file;
      },
    );

    // The caller's import or admin key (or an administrator's session, from the dashboard's
    // settings page) is checked before the body is read, so that no stranger's upload reaches
    // the disk (access.ts, guardRoutes).
    scope.post("/api/v1/imports", async (request) => {
      try {
        const { params, upload } = await readUpload(request);
        const workspace = await workspaceFor(ctx, request, params.workspace);
        const summary = await importFile(ctx.store, {
          workspace,
          kind: params.kind,
          file: upload.file,
          format: fileFormat(params.filename ?? upload.name ?? "upload.csv"),
          preset: params.preset ?? null,
          map: parseColumnMap(params.kind, params.map),
          dateFormat: params.date_format ?? null,
          skipInvalid: params.skip_invalid,
        });
        if (params.kind === "events" || params.kind === "orders") await ctx.store.refreshDerived(workspace);
        return summary;
      } finally {
        const upload = uploads.get(request);
        if (upload) await rm(upload.dir, { recursive: true, force: true });
      }
    });
  });
}

async function tempUpload(name?: string) {
  const dir = await mkdtemp(join(tmpdir(), "sextant-upload-"));
  return { dir, file: join(dir, "upload"), ...(name ? { name: basename(name) } : {}) };
}

/** The parameters and the stored file of a request, whether multipart or a raw body. */
async function readUpload(request: FastifyRequest) {
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (!request.isMultipart()) {
    const upload = uploads.get(request);
    if (!upload) {
      throw new UserError(
        "Send the file as multipart/form-data (field file) or as a text/csv or application/octet-stream body.",
        [{ field: "body", reason: "no file" }],
        415,
      );
    }
    return { params: parseOrThrow(importParamsSchema, query), upload };
  }
  const part = await request.file();
  if (!part) throw new UserError("The form has no file field.", [{ field: "file", reason: "missing" }], 400);
  const upload = await tempUpload(part.filename);
  uploads.set(request, upload);
  await pipeline(part.file, createWriteStream(upload.file));
  if (part.file.truncated) throw tooLarge();
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(part.fields)) {
    const field = Array.isArray(value) ? value[0] : value;
    if (field && field.type === "field") fields[name] = String(field.value);
  }
  return { params: parseOrThrow(importParamsSchema, { ...query, ...fields }), upload };
}

function tooLarge(): UserError {
  return new UserError(
    `The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB; import it with the command line (sextant import).`,
    [{ field: "file", reason: "too large" }],
    413,
  );
}

function byteLimit(): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > IMPORT_MAX_BYTES ? tooLarge() : null, chunk);
    },
  });
}
