import { openApiDocument } from "./openapi.js";
import { ACCESS_WORDS, type Access } from "./route-table.js";

/** The part of JSON Schema the OpenAPI document uses, as far as a reader needs it. */
interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: readonly unknown[];
  anyOf?: readonly JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  description?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: JsonSchema;
}

interface Operation {
  summary: string;
  tags?: readonly string[];
  security?: readonly Record<string, unknown>[];
  "x-sextant-access": Access;
  parameters?: readonly Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string }>;
}

/** The auth column: the level's name (docs/security.md has the table of what each admits). */
const SHORT_ACCESS: Readonly<Record<Access, string>> = {
  public: "none",
  write: "write key",
  session: "session",
  read: "read",
  import: "import",
  admin: "admin",
  operator: "operator token",
};

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** A JSON Schema as a short phrase: "string (1–255 chars)", "string or number", "array of …". */
export function describeType(s: JsonSchema | undefined): string {
  if (!s || Object.keys(s).filter((k) => k !== "description").length === 0) return "any JSON";
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return `one of ${s.enum.map((v) => `\`${String(v)}\``).join(", ")}`;
  if (s.anyOf) return [...new Set(s.anyOf.map(describeType))].join(" or ");
  const limits: string[] = [];
  if (s.type === "array") {
    if (s.minItems !== undefined || s.maxItems !== undefined) {
      limits.push(`${s.minItems ?? 0}–${s.maxItems ?? "∞"} items`);
    }
    const of = `array of ${describeType(s.items)}`;
    return limits.length ? `${of} (${limits.join(", ")})` : of;
  }
  if (s.minLength !== undefined || s.maxLength !== undefined) {
    limits.push(`${s.minLength ?? 0}–${s.maxLength ?? "∞"} chars`);
  }
  if (s.pattern !== undefined) limits.push(`matching \`${s.pattern}\``);
  const name = s.type === "object" && s.properties ? "object" : (s.type ?? "any JSON");
  return limits.length ? `${name} (${limits.join(", ")})` : name;
}

function auth(op: Operation): string {
  return ACCESS_WORDS[op["x-sextant-access"]];
}

function operationMarkdown(method: string, path: string, op: Operation): string[] {
  const lines = [
    `### \`${method.toUpperCase()} ${path}\``,
    "",
    `${op.summary}.`,
    "",
    `- **Auth:** ${auth(op)}`,
  ];
  // Codes with the same description read as one item: "400, 401, 403: Rejected: nothing was stored".
  const byDescription = new Map<string, string[]>();
  for (const [code, r] of Object.entries(op.responses)) {
    byDescription.set(r.description, [...(byDescription.get(r.description) ?? []), code]);
  }
  const responses = [...byDescription].map(([text, codes]) => `${codes.join(", ")}: ${text}`).join("; ");
  lines.push(`- **Responses:** ${responses}`, "");
  if (op.parameters?.length) {
    lines.push("| parameter | in | type | required | description |", "| --- | --- | --- | --- | --- |");
    for (const p of op.parameters) {
      lines.push(
        `| \`${p.name}\` | ${p.in} | ${cell(describeType(p.schema))} | ${p.required ? "yes" : "no"} | ${cell(p.schema.description ?? "")} |`,
      );
    }
    lines.push("");
  }
  if (op.requestBody) {
    const types = Object.keys(op.requestBody.content);
    const body = op.requestBody.content[types[0] ?? ""]?.schema ?? {};
    lines.push(`Body (${types.map((t) => `\`${t}\``).join(" or ")}):`, "");
    const required = new Set(body.required ?? []);
    lines.push("| field | type | required |", "| --- | --- | --- |");
    for (const [name, field] of Object.entries(body.properties ?? {})) {
      lines.push(`| \`${name}\` | ${cell(describeType(field))} | ${required.has(name) ? "yes" : "no"} |`);
    }
    lines.push("");
  }
  return lines;
}

/**
 * Every route of the OpenAPI document (with `sextant serve`'s admin route) as a Markdown page:
 * docs/http-api.md holds it and a test keeps the two equal. Regenerate with `npm run docs:api`.
 */
export function httpApiMarkdown(): string {
  const doc = openApiDocument("", true);
  const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;
  const lines = [
    "# HTTP API",
    "",
    "<!-- Generated from openApiDocument() in src/server/openapi.ts: do not edit by hand. -->",
    "<!-- Regenerate with: npm run docs:api -->",
    "",
    "`sextant serve` answers on port 8000 of 127.0.0.1 (`--port`, `--host 0.0.0.0` to expose it). The",
    "server publishes the same routes as an OpenAPI 3.1 document at `GET /api/v1/openapi.json`,",
    "generated from the zod schemas that validate the requests. Keys come from `sextant keys create",
    "--workspace NAME --kind write|import|read|admin`; a key belongs to one workspace and sees no other (403).",
    "The auth column names who may call a route: read is a read or admin key or any dashboard session (a",
    "share link too); import an import or admin key or an administrator's session; admin an admin key or an",
    "administrator's session ([security](security.md) has the whole table). A",
    'rejected request stores nothing and answers `{"error": "...", "details": [{"field": ..., "reason": ...}]}`;',
    "when the store runs out of memory under `sextant serve --memory-limit` the answer is a 503 of that shape,",
    "with `Retry-After: 5`, and what the request began is rolled back.",
    "`GET /api/v1/kpis` takes the parameters of `sextant kpi` (dashes as underscores, `where` repeated) and",
    "answers the JSON of `sextant kpi --format json`; dates run from 1900-01-01 to 2999-12-31 and one query",
    "holds at most 10,000 buckets (`interval`), 400 beyond. The overview page at `/` is served to this machine only.",
    "How to send events from a site or a Segment library: [sending events](sending-events.md).",
    "",
    "| method | path | auth | what |",
    "| --- | --- | --- | --- |",
  ];
  const sections: string[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const short = SHORT_ACCESS[op["x-sextant-access"]];
      lines.push(`| ${method.toUpperCase()} | \`${path}\` | ${short} | ${cell(op.summary)} |`);
      sections.push(...operationMarkdown(method, path, op));
    }
  }
  lines.push("", "## Routes", "", ...sections);
  return `${lines.join("\n").trimEnd()}\n`;
}
