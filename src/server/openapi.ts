import { z } from "zod";
import { plausibleSchema } from "../ingest/plausible/normalize.js";
import { batchSchema, MESSAGE_SCHEMAS, MESSAGE_TYPES } from "../ingest/segment/schema.js";
import {
  budgetQuerySchema,
  experimentQuerySchema,
  funnelQuerySchema,
  rangeQuerySchema,
  sizeQuerySchema,
} from "./routes/analysis.js";
import { kpiQuerySchema } from "./routes/query.js";

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });

const errorResponse = {
  description: "Rejected: nothing was stored",
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["error", "details"],
        properties: {
          error: { type: "string" },
          details: {
            type: "array",
            items: { type: "object", properties: { field: { type: "string" }, reason: { type: "string" } } },
          },
        },
      },
    },
  },
};

function queryParameters(s: z.ZodObject) {
  const json = schema(s) as { properties?: Record<string, unknown> };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: false,
    schema: property,
    ...(name === "where" ? { style: "form", explode: true } : {}),
  }));
}

const ADMIN_PATHS = {
  "/api/v1/admin/cli": {
    post: {
      summary:
        "Runs a sextant command on this server's store (loopback only, with the token in sextant.duckdb.serve.json)",
      tags: ["admin"],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["args", "cwd"],
              properties: { args: { type: "array", items: { type: "string" } }, cwd: { type: "string" } },
            },
          },
        },
      },
      responses: { "200": { description: "{stdout, stderr, exitCode}" }, "403": errorResponse },
    },
  },
};

/** The OpenAPI 3.1 document of every route, from the zod schemas that validate requests. */
export function openApiDocument(version: string, withAdmin = false) {
  const segmentPaths = Object.fromEntries(
    [...MESSAGE_TYPES, "batch" as const].map((type) => [
      `/v1/${type}`,
      {
        post: {
          summary: `Segment ${type}`,
          tags: ["ingestion"],
          security: [{ writeKeyBasic: [] }],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: schema(type === "batch" ? batchSchema : MESSAGE_SCHEMAS[type]) },
            },
          },
          responses: {
            "200": {
              description: "Stored durably",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { success: { type: "boolean" } } },
                },
              },
            },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
            "413": errorResponse,
            "429": errorResponse,
          },
        },
      },
    ]),
  );
  const readSecurity = [{ readKey: [] }];
  // Only `sextant serve` has the admin route (for commands forwarded from this machine).
  const adminPaths = withAdmin ? ADMIN_PATHS : {};
  return {
    openapi: "3.1.0",
    info: {
      title: "Sextant",
      version,
      description: "Marketing KPIs: ingestion (Segment, Plausible) and the KPI query API.",
    },
    components: {
      securitySchemes: {
        writeKeyBasic: {
          type: "http",
          scheme: "basic",
          description: "The workspace write key as user name, empty password",
        },
        readKey: { type: "http", scheme: "bearer", description: "A workspace read key" },
      },
    },
    paths: {
      ...segmentPaths,
      ...adminPaths,
      "/api/event": {
        post: {
          summary: "Plausible Events API",
          tags: ["ingestion"],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: schema(plausibleSchema) },
              "text/plain": { schema: schema(plausibleSchema) },
            },
          },
          responses: {
            "202": { description: "Stored durably (or dropped as a bot)" },
            "400": errorResponse,
            "413": errorResponse,
            "429": errorResponse,
          },
        },
      },
      "/api/v1/funnel": {
        get: {
          summary: "An ad-hoc funnel (SPEC §7 JSON, as `sextant funnel --steps … --format json`)",
          tags: ["analysis"],
          security: readSecurity,
          parameters: queryParameters(funnelQuerySchema),
          responses: {
            "200": { description: "{funnel, window, from, to, steps}" },
            "400": errorResponse,
            "401": errorResponse,
          },
        },
      },
      "/api/v1/funnels": {
        get: {
          summary: "Saved funnels",
          tags: ["analysis"],
          security: readSecurity,
          responses: { "200": { description: "{funnels}" }, "401": errorResponse },
        },
      },
      "/api/v1/funnels/{id}": {
        get: {
          summary: "A saved funnel over a range (as `sextant funnel ID --format json`)",
          tags: ["analysis"],
          security: readSecurity,
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            ...queryParameters(funnelQuerySchema),
          ],
          responses: {
            "200": { description: "{funnel, window, from, to, steps}" },
            "400": errorResponse,
            "401": errorResponse,
            "404": errorResponse,
          },
        },
      },
      "/api/v1/attribution": {
        get: {
          summary:
            "Revenue, orders and CPA per campaign under each attribution model (`sextant attribution --format json`)",
          tags: ["analysis"],
          security: readSecurity,
          parameters: queryParameters(rangeQuerySchema),
          responses: {
            "200": { description: "{from, to, models, campaigns}" },
            "400": errorResponse,
            "401": errorResponse,
          },
        },
      },
      "/api/v1/experiments": {
        get: {
          summary: "Saved experiments and experiment ids seen in Experiment Viewed events",
          tags: ["analysis"],
          security: readSecurity,
          responses: { "200": { description: "{saved, seen}" }, "401": errorResponse },
        },
      },
      "/api/v1/experiments/{id}": {
        get: {
          summary: "An experiment's analysis (SPEC §7 JSON, as `sextant experiment ID --format json`)",
          tags: ["analysis"],
          security: readSecurity,
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            ...queryParameters(experimentQuerySchema),
          ],
          responses: {
            "200": { description: "{experiment, control, variations, srm, verdict}" },
            "400": errorResponse,
            "401": errorResponse,
          },
        },
      },
      "/api/v1/budget": {
        get: {
          summary: "Budget advice per campaign (same JSON as `sextant budget --format json`, SPEC §7.2)",
          tags: ["analysis"],
          security: readSecurity,
          parameters: queryParameters(budgetQuerySchema),
          responses: {
            "200": { description: "{from, to, total, campaigns}" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/experiments/size": {
        get: {
          summary:
            "Visitors per variation, as R's power.prop.test (same JSON as `sextant experiment size --format json`)",
          tags: ["analysis"],
          security: readSecurity,
          parameters: queryParameters(sizeQuerySchema),
          responses: {
            "200": { description: "{per_variation}" },
            "400": errorResponse,
            "401": errorResponse,
          },
        },
      },
      "/api/v1/kpis": {
        get: {
          summary:
            "KPIs for a range, interval, grouping and filters (same JSON as `sextant kpi --format json`)",
          tags: ["query"],
          security: readSecurity,
          parameters: queryParameters(kpiQuerySchema),
          responses: {
            "200": { description: "KPI rows and totals" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/workspaces": {
        get: {
          summary: "The key's workspace",
          tags: ["query"],
          security: readSecurity,
          responses: { "200": { description: "Workspaces" }, "401": errorResponse },
        },
      },
      "/api/v1/workspaces/{name}": {
        get: {
          summary: "A workspace's settings",
          tags: ["query"],
          security: readSecurity,
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "Settings" }, "401": errorResponse, "403": errorResponse },
        },
      },
      "/api/v1/workspaces/{name}/keys": {
        get: {
          summary: "A workspace's keys (ids and kinds, never secrets)",
          tags: ["query"],
          security: readSecurity,
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "Keys" }, "401": errorResponse, "403": errorResponse },
        },
      },
      "/js/sextant.js": {
        get: {
          summary: "The first-party tracker",
          tags: ["ingestion"],
          responses: { "200": { description: "JavaScript" } },
        },
      },
      "/healthz": { get: { summary: "Liveness", responses: { "200": { description: "ok" } } } },
      "/metrics": {
        get: {
          summary: "Prometheus metrics",
          responses: { "200": { description: "text exposition format" } },
        },
      },
      "/api/v1/openapi.json": {
        get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } },
      },
    },
  };
}
