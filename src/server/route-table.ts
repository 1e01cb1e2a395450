/**
 * Who may call each route: one row per route, read by the server (a route without a row does not
 * start), by the OpenAPI document (each operation states its principal) and by the principal
 * matrix test (every route × every kind of caller). docs/security.md explains each level.
 */

/**
 * - public: anyone (sign-in, share-link redemption, the tracker script, Plausible events, which
 *   name a registered domain);
 * - write: a write key (Segment's API; the key is public, it sends events and nothing else);
 * - session: a dashboard session (signed-in user or share link);
 * - read: a read or admin key, or any dashboard session (a share link too), for its workspace;
 * - import: an import or admin key, or an administrator's session;
 * - admin: an admin key, or an administrator's session;
 * - operator: this machine only (the socket's address, no proxy in between): the CLI's forwarded
 *   commands with the token `sextant serve` writes beside the store; `/metrics` alone, or with
 *   `--metrics-token` from anywhere.
 */
export const ACCESS_LEVELS = ["public", "write", "session", "read", "import", "admin", "operator"] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export type RouteMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RouteRow {
  readonly method: RouteMethod;
  /** Fastify's form: `/api/v1/goals/:id`. */
  readonly path: string;
  readonly access: Access;
}

/** What a level admits, in words (errors, the OpenAPI document, docs/security.md). */
export const ACCESS_WORDS: Readonly<Record<Access, string>> = {
  public: "anyone",
  write: "a write key",
  session: "a dashboard session (signed in, or a share link)",
  read: "a read or admin key, or a dashboard session (a share link too) of the workspace",
  import: "an import or admin key, or an administrator signed in to the dashboard",
  admin: "an admin key, or an administrator signed in to the dashboard",
  operator:
    "this machine only (the socket's address, no proxy in between), with the operator's token: for /api/v1/admin/cli the one `sextant serve` writes beside the store; /metrics needs none from this machine, and `--metrics-token` from elsewhere",
};

/** The single-page app's pages (web/src/pages.ts has the same list); each serves index.html. */
export const APP_PAGES = [
  "",
  "goals",
  "campaigns",
  "traffic",
  "email",
  "funnels",
  "experiments",
  "cohorts",
  "alerts",
  "reports",
  "settings",
] as const;

/** Segment's message types as routes, long and short (`/v1/t` is `/v1/track`…). */
const SEGMENT_ROUTES = ["track", "page", "identify", "screen", "group", "alias", "batch"];
const SEGMENT_SHORT = ["t", "p", "i", "s", "g", "a", "b"];

const row = (method: RouteMethod, path: string, access: Access): RouteRow => ({ method, path, access });

export const ROUTES: readonly RouteRow[] = [
  // Operations and the contract.
  row("GET", "/healthz", "public"),
  row("GET", "/metrics", "operator"),
  row("GET", "/api/v1/openapi.json", "public"),
  row("POST", "/api/v1/admin/cli", "operator"),
  // Collection: from browsers and servers of any origin.
  ...[...SEGMENT_ROUTES, ...SEGMENT_SHORT].map((r) => row("POST", `/v1/${r}`, "write")),
  row("POST", "/api/event", "public"),
  row("GET", "/js/sextant.js", "public"),
  // Files.
  row("POST", "/api/v1/imports", "import"),
  // The dashboard: sign-in, share links, the app and its assets.
  row("GET", "/login", "public"),
  row("POST", "/login", "public"),
  row("GET", "/login.css", "public"),
  row("POST", "/logout", "public"),
  row("GET", "/share/:token", "public"),
  row("GET", "/assets/:file", "public"),
  ...APP_PAGES.map((page) => row("GET", `/${page}`, "public")),
  row("GET", "/api/v1/session", "session"),
  row("GET", "/api/v1/catalog", "read"),
  // KPIs and workspaces.
  row("GET", "/api/v1/kpis", "read"),
  row("GET", "/api/v1/segments", "read"),
  row("GET", "/api/v1/workspaces", "read"),
  row("GET", "/api/v1/workspaces/:name", "read"),
  row("GET", "/api/v1/workspaces/:name/keys", "admin"),
  // Definitions: the configuration file holds channels (webhook headers, recipients).
  row("GET", "/api/v1/config", "admin"),
  row("PUT", "/api/v1/config", "admin"),
  row("GET", "/api/v1/objectives", "read"),
  row("GET", "/api/v1/goals", "read"),
  row("GET", "/api/v1/goals/:id/history", "read"),
  row("GET", "/api/v1/review", "read"),
  row("GET", "/api/v1/kpis/suggest", "read"),
  // One definition at a time (funnels' and experiments' GET /:id are their analyses, below).
  row("GET", "/api/v1/objectives/:id", "read"),
  row("GET", "/api/v1/goals/:id", "read"),
  row("GET", "/api/v1/alerts/rules/:id", "read"),
  ...["objectives", "goals", "funnels", "experiments", "alerts/rules"].flatMap((kind) => [
    row("PUT", `/api/v1/${kind}/:id`, "admin"),
    row("DELETE", `/api/v1/${kind}/:id`, "admin"),
  ]),
  // Analysis.
  row("GET", "/api/v1/budget", "read"),
  row("GET", "/api/v1/funnel", "read"),
  row("GET", "/api/v1/funnels", "read"),
  row("GET", "/api/v1/funnels/:id", "read"),
  row("GET", "/api/v1/attribution", "read"),
  row("GET", "/api/v1/experiments", "read"),
  row("GET", "/api/v1/experiments/size", "read"),
  row("GET", "/api/v1/experiments/:id", "read"),
  row("GET", "/api/v1/cohorts", "read"),
  // Alerts.
  row("GET", "/api/v1/alerts/rules", "read"),
  row("GET", "/api/v1/alerts/history", "read"),
  row("POST", "/api/v1/alerts/run", "admin"),
  // People (GDPR access and erasure) and retention: administrators only.
  row("GET", "/api/v1/people/:id", "admin"),
  row("DELETE", "/api/v1/people/:id", "admin"),
  row("PUT", "/api/v1/retention", "admin"),
  row("POST", "/api/v1/retention/apply", "admin"),
  // Reports; schedules and deliveries name recipients.
  row("GET", "/api/v1/reports/audit", "read"),
  row("GET", "/api/v1/reports/periodic", "read"),
  row("GET", "/api/v1/reports/schedules", "admin"),
  row("POST", "/api/v1/reports/schedules", "admin"),
  row("DELETE", "/api/v1/reports/schedules/:id", "admin"),
  row("GET", "/api/v1/reports/history", "admin"),
];

const byRoute = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r]));

/** The row of a route as Fastify registers it (HEAD answers as its GET does), or undefined. */
export function routeRow(method: string, path: string): RouteRow | undefined {
  return byRoute.get(`${method === "HEAD" ? "GET" : method} ${path}`);
}
