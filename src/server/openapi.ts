import { z } from "zod";
import { definitionSchema } from "../definitions/one-definition.js";
import { reportScheduleSchema } from "../definitions/schemas.js";
import { plausibleSchema } from "../ingest/plausible/normalize.js";
import { batchSchema, MESSAGE_SCHEMAS } from "../ingest/segment/schema.js";
import { ACCESS_WORDS, type Access, routeRow } from "./route-table.js";
import { alertsQuerySchema, alertsRunQuerySchema } from "./routes/alerts.js";
import {
  budgetQuerySchema,
  cohortQuerySchema,
  experimentQuerySchema,
  funnelQuerySchema,
  rangeQuerySchema,
  sizeQuerySchema,
} from "./routes/analysis.js";
import { DEFINITION_PATHS, definitionQuerySchema } from "./routes/definitions.js";
import {
  configPutQuerySchema,
  configQuerySchema,
  goalsQuerySchema,
  historyQuerySchema,
  suggestQuerySchema,
} from "./routes/goals.js";
import { importParamsSchema } from "./routes/imports.js";
import { segmentsQuerySchema } from "./routes/kpi-segments.js";
import { peopleQuerySchema, retentionBodySchema } from "./routes/people.js";
import { kpiQuerySchema } from "./routes/query.js";
import { scheduleQuerySchema } from "./routes/report-schedules.js";
import { auditQuerySchema, periodicQuerySchema } from "./routes/reports.js";
import { SEGMENT_PATHS } from "./routes/segment.js";

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
  const json = schema(s) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: (json.required ?? []).includes(name),
    schema: property,
    ...(name === "where" || name === "metric" ? { style: "form", explode: true } : {}),
  }));
}

const nullableNumber = { type: ["number", "null"] };

/** The JSON of `/api/v1/segments` (docs/segments.md); each segment also carries the dimension's value under its name. */
const SEGMENTS_RESPONSE = {
  type: "object",
  required: ["workspace", "kpi", "by", "from", "to", "total", "share_of", "test", "segments"],
  properties: {
    workspace: { type: "string" },
    kpi: { type: "string" },
    by: { type: "string", description: "the dimension; each segment has it as a key" },
    from: { type: "string", format: "date" },
    to: { type: "string", format: "date" },
    total: { ...nullableNumber, description: "the KPI over the whole selection" },
    share_of: {
      type: ["string", "null"],
      description:
        "what share is a percent of: the KPI (additive), its denominator measure (ratios), null (custom formula)",
    },
    test: {
      type: ["string", "null"],
      description: "the test behind p_value; null when the KPI is not a proportion",
    },
    segments: {
      type: "array",
      description: "sorted by value, highest first",
      items: {
        type: "object",
        additionalProperties: { type: ["string", "number", "boolean", "null"] },
        required: ["value", "share", "diff_abs", "diff_rel", "p_value", "p_value_holm", "significant"],
        properties: {
          value: nullableNumber,
          share: { ...nullableNumber, description: "percent" },
          diff_abs: { ...nullableNumber, description: "value − total, in the KPI's unit" },
          diff_rel: { ...nullableNumber, description: "(value / total − 1) × 100" },
          p_value: { ...nullableNumber, description: "0..1, two-sided, segment against the rest" },
          p_value_holm: { ...nullableNumber, description: "0..1, Holm-adjusted over the segments" },
          significant: { type: ["boolean", "null"], description: "p_value_holm < 0.05" },
        },
      },
    },
  },
};

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

const importSummary = {
  type: "object",
  required: [
    "kind",
    "preset",
    "rowsRead",
    "rowsStored",
    "rowsReplaced",
    "rowsDuplicate",
    "rejected",
    "totalRowsSkipped",
  ],
  properties: {
    kind: { type: "string" },
    preset: { type: ["string", "null"], description: "the preset that read the file (named or recognised)" },
    rowsRead: { type: "integer" },
    rowsStored: { type: "integer" },
    rowsReplaced: { type: "integer" },
    rowsDuplicate: { type: "integer" },
    rejected: {
      type: "array",
      items: { type: "object", properties: { line: { type: "integer" }, reason: { type: "string" } } },
    },
    totalRowsSkipped: {
      type: "integer",
      description: "total, summary and footer rows of an export left out",
    },
  },
};

const IMPORT_PATHS = {
  "/api/v1/imports": {
    post: {
      summary:
        "Imports a file as `sextant import` does (presets, recognition, all-or-nothing); answers its summary as `--format json` does",
      description:
        "A workspace import or admin key (Bearer, or HTTP Basic user name) imports into its own workspace only; a write key never does. " +
        "Parameters go in the query string, or as multipart fields sent before the file.",
      tags: ["import"],
      parameters: queryParameters(importParamsSchema),
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: { type: "object", properties: { file: { type: "string", format: "binary" } } },
          },
          "text/csv": { schema: { type: "string" } },
          "application/octet-stream": { schema: { type: "string", format: "binary" } },
        },
      },
      responses: {
        "200": { description: "Imported", content: { "application/json": { schema: importSummary } } },
        "400": errorResponse,
        "401": errorResponse,
        "403": errorResponse,
        "413": errorResponse,
        "415": errorResponse,
        "422": errorResponse,
      },
    },
  },
};

const DASHBOARD_PATHS = {
  "/api/v1/session": {
    get: {
      summary: "The signed-in dashboard session: user, role (admin, viewer or share), workspaces, CSRF token",
      tags: ["dashboard"],
      responses: { "200": { description: "Session" }, "401": errorResponse },
    },
  },
  "/api/v1/catalog": {
    get: {
      summary: "KPI ids, labels {en, fr}, units, direction and definitions, with the workspace's custom KPIs",
      tags: ["query"],
      parameters: [{ name: "workspace", in: "query", required: false, schema: { type: "string" } }],
      responses: { "200": { description: "Catalog" }, "401": errorResponse, "403": errorResponse },
    },
  },
  "/login": {
    get: { summary: "The sign-in form", tags: ["dashboard"], responses: { "200": { description: "HTML" } } },
    post: {
      summary: "Signs in (form fields username, password, csrf, next); sets the session cookie",
      tags: ["dashboard"],
      responses: {
        "303": { description: "Signed in" },
        "200": { description: "The form again, saying the user name or password is wrong" },
      },
    },
  },
  "/logout": {
    post: {
      summary: "Signs out (needs the session's CSRF token as X-CSRF-Token or form field csrf)",
      tags: ["dashboard"],
      responses: { "303": { description: "Signed out" }, "403": errorResponse },
    },
  },
  "/share/{token}": {
    get: {
      summary: "Opens a read-only share link: sets a session for its one workspace",
      tags: ["dashboard"],
      parameters: [{ name: "token", in: "path", required: true, schema: { type: "string" } }],
      responses: { "303": { description: "To the dashboard" }, "401": { description: "Expired or revoked" } },
    },
  },
};

/** The OpenAPI 3.1 document of every route, from the zod schemas that validate requests. */
/** One person's data and the workspace's retention (docs/operations.md): admin key or admin session. */
const adminSecurity = [{ adminKey: [] }, { session: [] }];
const personPath = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
const adminErrors = { "400": errorResponse, "401": errorResponse, "403": errorResponse };
const PEOPLE_PATHS = {
  "/api/v1/people/{id}": {
    get: {
      summary: "Everything stored about a person, by user or anonymous id (like `sextant people show`)",
      tags: ["people"],
      security: adminSecurity,
      parameters: [...personPath, ...queryParameters(peopleQuerySchema)],
      responses: { "200": { description: "{workspace, id, ids, events, orders}" }, ...adminErrors },
    },
    delete: {
      summary: "Erases a person and every row derived from them (like `sextant people erase`)",
      tags: ["people"],
      security: adminSecurity,
      parameters: [...personPath, ...queryParameters(peopleQuerySchema)],
      responses: { "200": { description: "{workspace, kind, at, idHash, before, rows}" }, ...adminErrors },
    },
  },
  "/api/v1/retention": {
    put: {
      summary: "Sets the workspace's retention_days (null keeps everything)",
      tags: ["people"],
      security: adminSecurity,
      parameters: queryParameters(peopleQuerySchema),
      requestBody: {
        required: true,
        content: { "application/json": { schema: schema(retentionBodySchema) } },
      },
      responses: { "200": { description: "{workspace, retention_days}" }, ...adminErrors },
    },
  },
  "/api/v1/retention/apply": {
    post: {
      summary: "Removes now the events and orders older than retention_days (like `sextant retention apply`)",
      tags: ["people"],
      security: adminSecurity,
      parameters: queryParameters(peopleQuerySchema),
      responses: {
        "200": { description: "{workspace, removal}: null without retention_days" },
        ...adminErrors,
      },
    },
  },
};

export function openApiDocument(version: string, withAdmin = false) {
  const segmentPaths = Object.fromEntries(
    SEGMENT_PATHS.map(({ path, route: type }) => [
      path,
      {
        post: {
          summary:
            path === `/v1/${type}`
              ? `Segment ${type}`
              : `Segment ${type}, the short form analytics.js posts to (CORS, text/plain, writeKey in the body)`,
          tags: ["ingestion"],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: schema(type === "batch" ? batchSchema : MESSAGE_SCHEMAS[type]) },
              "text/plain": { schema: schema(type === "batch" ? batchSchema : MESSAGE_SCHEMAS[type]) },
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
  // Only `sextant serve` has the admin route (for commands forwarded from this machine).
  const adminPaths = withAdmin ? ADMIN_PATHS : {};
  const document = {
    openapi: "3.1.0",
    info: {
      title: "Sextant",
      version,
      description:
        "Marketing KPIs: ingestion (Segment, Plausible) and the KPI query API. Errors share one shape ({error, details}); any route that reads or writes the embedded store answers 503 with it when the store runs out of memory under `sextant serve --memory-limit`, and what the request began is rolled back.",
    },
    components: {
      securitySchemes: {
        writeKeyBasic: {
          type: "http",
          scheme: "basic",
          description: "The workspace write key as user name, empty password",
        },
        readKey: { type: "http", scheme: "bearer", description: "A workspace read key" },
        importKey: {
          type: "http",
          scheme: "bearer",
          description: "A workspace import key (file imports only)",
        },
        adminKey: { type: "http", scheme: "bearer", description: "A workspace admin key" },
        operatorToken: {
          type: "http",
          scheme: "bearer",
          description: "The token `sextant serve` writes beside the store, from this machine only",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "sx_session",
          description:
            "A dashboard session (sign in at /login, or open a share link); named __Host-sx_session over https",
        },
      },
    },
    paths: {
      ...segmentPaths,
      ...adminPaths,
      ...IMPORT_PATHS,
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
      "/api/v1/kpis": {
        get: {
          summary:
            "KPIs for a range, interval, grouping and filters (same JSON as `sextant kpi --format json`)",
          tags: ["query"],
          parameters: queryParameters(kpiQuerySchema),
          responses: {
            "200": { description: "KPI rows and totals" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/config": {
        get: {
          summary:
            "The workspace's definitions as the YAML file of `sextant config export` (?format=json: as JSON)",
          tags: ["definitions"],
          parameters: queryParameters(configQuerySchema),
          responses: { "200": { description: "YAML or JSON" }, "401": errorResponse, "403": errorResponse },
        },
        put: {
          summary:
            "Applies a configuration file (YAML or JSON), all or nothing, like `sextant config apply` (admin key)",
          tags: ["definitions"],
          parameters: queryParameters(configPutQuerySchema),
          requestBody: {
            required: true,
            content: {
              "application/yaml": { schema: { type: "string" } },
              "application/json": { schema: { type: "object" } },
            },
          },
          responses: {
            "200": { description: "{workspace, changes: [{kind, id, action}], unchanged, warnings}" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/objectives": {
        get: {
          summary: "Objectives with the ids of their goals",
          tags: ["goals"],
          parameters: queryParameters(configQuerySchema.pick({ workspace: true })),
          responses: {
            "200": { description: "{objectives: [...]}" },
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/goals": {
        get: {
          summary:
            "Every goal's figures, status and SMART check as of a day (docs/goals.md#goals-and-their-figures; same JSON as `sextant goals --format json`)",
          tags: ["goals"],
          parameters: queryParameters(goalsQuerySchema),
          responses: {
            "200": { description: "{as_of, goals: [...]}" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/goals/{id}/history": {
        get: {
          summary: "A goal's snapshots, one per complete week, month or quarter",
          tags: ["goals"],
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            ...queryParameters(historyQuerySchema),
          ],
          responses: {
            "200": { description: "{goal, interval, as_of, snapshots, rewritten}" },
            "404": errorResponse,
            "401": errorResponse,
          },
        },
      },
      "/api/v1/review": {
        get: {
          summary:
            "KPI review with a suggested action per item (same JSON as `sextant review --format json`)",
          tags: ["goals"],
          parameters: queryParameters(goalsQuerySchema),
          responses: {
            "200": { description: "{as_of, items: [{kind, subject, message, action}]}" },
            "401": errorResponse,
          },
        },
      },
      "/api/v1/kpis/suggest": {
        get: {
          summary: "KPIs suggested for an objective type",
          tags: ["goals"],
          parameters: queryParameters(suggestQuerySchema),
          responses: { "200": { description: "{type, kpis: [{id, label, seed}]}" }, "400": errorResponse },
        },
      },
      "/api/v1/alerts/rules": {
        get: {
          summary: "The workspace's alert rules (docs/configuration.md#configuration-as-a-file)",
          tags: ["alerts"],
          parameters: queryParameters(alertsQuerySchema),
          responses: {
            "200": { description: "Rules" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/alerts/history": {
        get: {
          summary:
            "Every firing and delivery, newest first (same JSON as `sextant alerts history --format json`)",
          tags: ["alerts"],
          parameters: queryParameters(alertsQuerySchema),
          responses: {
            "200": { description: "[{rule, fired_at, period, value, threshold, deliveries}]" },
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/alerts/run": {
        post: {
          summary:
            "Runs the alert rules now, or as of a day (same JSON as `sextant alerts run --format json`)",
          tags: ["alerts"],
          parameters: queryParameters(alertsRunQuerySchema),
          responses: {
            "200": { description: "{as_of, run_at, rules, firings, retried}" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/reports/audit": {
        get: {
          summary:
            "A post-campaign audit as a file (same as `sextant report audit`): HTML, PDF, Markdown or CSV, with a content-disposition file name",
          tags: ["reports"],
          parameters: queryParameters(auditQuerySchema),
          responses: {
            "200": { description: "The report file (text/html, application/pdf, text/markdown or text/csv)" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
            "404": errorResponse,
          },
        },
      },
      "/api/v1/reports/periodic": {
        get: {
          summary:
            "A weekly, monthly or quarterly report as a file (same as `sextant report periodic`), with a content-disposition file name",
          tags: ["reports"],
          parameters: queryParameters(periodicQuerySchema),
          responses: {
            "200": { description: "The report file (text/html, application/pdf, text/markdown or text/csv)" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/reports/schedules": {
        get: {
          summary:
            "The report schedules with their next run and last delivery (same JSON as `sextant report schedules --format json`)",
          tags: ["reports"],
          parameters: queryParameters(scheduleQuerySchema),
          responses: {
            "200": {
              description:
                "[{id, kind, period, campaign, schedule, formats, lang, to, time_zone, next_run, last_delivery}]",
            },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
        post: {
          summary:
            "Creates or replaces a report schedule (as an entry of `reports:` in the configuration file); a running server sends it on its cron from its next refresh",
          tags: ["reports"],
          parameters: queryParameters(scheduleQuerySchema),
          requestBody: {
            required: true,
            content: { "application/json": { schema: schema(reportScheduleSchema) } },
          },
          responses: {
            "200": { description: "Replaced: the schedule" },
            "201": { description: "Created: the schedule" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/reports/schedules/{id}": {
        delete: {
          summary: "Deletes a report schedule (its history stays)",
          tags: ["reports"],
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            ...queryParameters(scheduleQuerySchema),
          ],
          responses: {
            "200": { description: "{deleted: id}" },
            "401": errorResponse,
            "403": errorResponse,
            "404": errorResponse,
          },
        },
      },
      "/api/v1/reports/history": {
        get: {
          summary:
            "Every scheduled report sent or tried, newest first (same JSON as `sextant report history --format json`)",
          tags: ["reports"],
          parameters: queryParameters(scheduleQuerySchema),
          responses: {
            "200": {
              description:
                "[{id, schedule, trigger, as_of, period, recipients, status, attempts, error, created_at, updated_at, sent_at, next_attempt_at}]",
            },
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/funnel": {
        get: {
          summary:
            "An ad-hoc funnel (docs/funnels-and-experiments.md#funnels JSON, as `sextant funnel --steps … --format json`)",
          tags: ["analysis"],
          parameters: queryParameters(funnelQuerySchema),
          responses: {
            "200": {
              description:
                "{funnel, window, from, to, steps}, and with group_by, groups: [{DIM: value, steps}]",
            },
            "400": errorResponse,
            "401": errorResponse,
          },
        },
      },
      "/api/v1/funnels": {
        get: {
          summary: "Saved funnels",
          tags: ["analysis"],
          responses: { "200": { description: "{funnels}" }, "401": errorResponse },
        },
      },
      "/api/v1/funnels/{id}": {
        get: {
          summary: "A saved funnel over a range (as `sextant funnel ID --format json`)",
          tags: ["analysis"],
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            ...queryParameters(funnelQuerySchema),
          ],
          responses: {
            "200": {
              description:
                "{funnel, window, from, to, steps}, and with group_by, groups: [{DIM: value, steps}]",
            },
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
          responses: { "200": { description: "{saved, seen}" }, "401": errorResponse },
        },
      },
      "/api/v1/experiments/{id}": {
        get: {
          summary:
            "An experiment's analysis (docs/funnels-and-experiments.md#experiments JSON, as `sextant experiment ID --format json`)",
          tags: ["analysis"],
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            ...queryParameters(experimentQuerySchema),
          ],
          responses: {
            "200": {
              description:
                "{experiment, control, variations, srm, verdict, metrics (with metric, cuped or sequential)}",
            },
            "400": errorResponse,
            "401": errorResponse,
          },
        },
      },
      "/api/v1/budget": {
        get: {
          summary:
            "Budget advice per campaign (same JSON as `sextant budget --format json`, docs/budget.md#budget-advice)",
          tags: ["analysis"],
          parameters: queryParameters(budgetQuerySchema),
          responses: {
            "200": { description: "{from, to, total, campaigns}" },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/segments": {
        get: {
          summary:
            "A KPI across the segments of a dimension: value, share, difference from the whole and, for proportions, a z-test against the rest with Holm-adjusted p-values (as `sextant segments --format json`, docs/segments.md)",
          tags: ["analysis"],
          parameters: queryParameters(segmentsQuerySchema),
          responses: {
            "200": {
              description: "{workspace, kpi, by, from, to, total, share_of, test, segments}",
              content: { "application/json": { schema: SEGMENTS_RESPONSE } },
            },
            "400": errorResponse,
            "401": errorResponse,
            "403": errorResponse,
          },
        },
      },
      "/api/v1/cohorts": {
        get: {
          summary: "Cohort triangle (same JSON as `sextant cohorts --format json`)",
          tags: ["analysis"],
          parameters: queryParameters(cohortQuerySchema),
          responses: {
            "200": { description: "{by, kpi, period, from, to, periods, cohorts: [{cohort, size, values}]}" },
            "400": errorResponse,
            "401": errorResponse,
          },
        },
      },
      "/api/v1/experiments/size": {
        get: {
          summary:
            "Visitors per variation, as R's power.prop.test (same JSON as `sextant experiment size --format json`)",
          tags: ["analysis"],
          parameters: queryParameters(sizeQuerySchema),
          responses: {
            "200": { description: "{per_variation}" },
            "400": errorResponse,
            "401": errorResponse,
          },
        },
      },
      ...PEOPLE_PATHS,
      "/api/v1/workspaces": {
        get: {
          summary: "The workspaces the key or session may read",
          tags: ["query"],
          responses: { "200": { description: "Workspaces" }, "401": errorResponse },
        },
      },
      "/api/v1/workspaces/{name}": {
        get: {
          summary: "A workspace's settings",
          tags: ["query"],
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "Settings" }, "401": errorResponse, "403": errorResponse },
        },
      },
      "/api/v1/workspaces/{name}/keys": {
        get: {
          summary: "A workspace's keys (ids and kinds, never secrets)",
          tags: ["query"],
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "Keys" }, "401": errorResponse, "403": errorResponse },
        },
      },
      ...DASHBOARD_PATHS,
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
          summary:
            "Prometheus metrics: from this machine only, or with the server's --metrics-token as Bearer",
          responses: {
            "200": { description: "text exposition format" },
            "401": { description: "the server has a metrics token, and this is not it" },
            "403": { description: "not from this machine (the server has no metrics token)" },
          },
        },
      },
      "/api/v1/openapi.json": {
        get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } },
      },
    },
  };
  addDefinitionOperations(document.paths);
  withAccess(document.paths);
  return document;
}

/**
 * GET, PUT and DELETE of one definition (routes/definitions.ts): the body is the definition as the
 * configuration file writes it, checked by the same rules; funnels and experiments keep their
 * GET /{id} analysis, their stored definitions being in GET /api/v1/funnels and /api/v1/experiments.
 */
function addDefinitionOperations(paths: Record<string, Record<string, Record<string, unknown>>>): void {
  const parameters = [
    { name: "id", in: "path", required: true, schema: { type: "string" } },
    ...queryParameters(definitionQuerySchema),
  ];
  const errors = { "400": errorResponse, "401": errorResponse, "403": errorResponse, "404": errorResponse };
  for (const { path, kind, get } of DEFINITION_PATHS) {
    const openApiPath = path.replace(/:(\w+)/g, "{$1}");
    const noun = kind.replace("_", " ");
    const item = paths[openApiPath] ?? {};
    paths[openApiPath] = item;
    const tags = [
      kind === "alert_rule" ? "alerts" : kind === "funnel" || kind === "experiment" ? "analysis" : "goals",
    ];
    if (get) {
      item.get = {
        summary: `The stored ${noun}, as PUT`,
        tags,
        parameters,
        responses: { "200": { description: `The ${noun}` }, ...errors },
      };
    }
    item.put = {
      summary: `Creates or replaces one ${noun}, checked as in the configuration file; a refused one changes nothing`,
      tags,
      parameters,
      requestBody: {
        required: true,
        content: { "application/json": { schema: schema(definitionSchema(kind)) } },
      },
      responses: {
        "200": { description: "{workspace, changes, unchanged, warnings, definition}" },
        ...errors,
      },
    };
    item.delete = {
      summary: `Deletes one ${noun}; refused (409) while others refer to it`,
      tags,
      parameters,
      responses: {
        "200": { description: "{workspace, changes, unchanged, warnings}" },
        ...errors,
        "409": errorResponse,
      },
    };
  }
}

/** Each level's security requirements: any one of them admits (route-table.ts). */
const SECURITY_OF: Readonly<Record<Access, readonly Record<string, string[]>[]>> = {
  public: [],
  write: [{ writeKeyBasic: [] }],
  session: [{ session: [] }],
  read: [{ readKey: [] }, { adminKey: [] }, { session: [] }],
  import: [{ importKey: [] }, { adminKey: [] }, { session: [] }],
  admin: [{ adminKey: [] }, { session: [] }],
  operator: [{ operatorToken: [] }],
};

/**
 * States each operation's principal from the route table, so that the document cannot disagree
 * with what the server enforces: `security`, and `x-sextant-access` with the level's name.
 */
function withAccess(paths: Record<string, Record<string, Record<string, unknown>>>): void {
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const row = routeRow(method.toUpperCase(), path.replace(/\{(\w+)\}/g, ":$1"));
      if (!row)
        throw new Error(`${method.toUpperCase()} ${path} is documented but has no row in route-table.ts`);
      const words = `Who may call it: ${ACCESS_WORDS[row.access]}.`;
      operation.security = SECURITY_OF[row.access];
      operation["x-sextant-access"] = row.access;
      operation.description =
        typeof operation.description === "string" ? `${operation.description} ${words}` : words;
    }
  }
}
