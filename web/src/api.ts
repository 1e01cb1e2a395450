/** A route that has not landed in this version answers 404: pages say so plainly. */
export class NotAvailable extends Error {}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

let csrf = "";
export function setCsrf(token: string): void {
  csrf = token;
}
export function csrfToken(): string {
  return csrf;
}

let routes: Promise<RegExp[]> | null = null;

/**
 * The routes this server has, from its OpenAPI document: a page asks only for routes that exist,
 * so a route not landed yet shows "not available" without a failed request in the console.
 */
function knownRoutes(): Promise<RegExp[]> {
  routes ??= fetch("/api/v1/openapi.json", { credentials: "same-origin" })
    .then((r) => r.json() as Promise<{ paths: Record<string, unknown> }>)
    .then((doc) =>
      Object.keys(doc.paths).map(
        (p) => new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
      ),
    )
    .catch(() => []);
  return routes;
}

export async function routeExists(path: string): Promise<boolean> {
  const known = await knownRoutes();
  return known.length === 0 || known.some((r) => r.test(path));
}

/** GET a JSON route with the session cookie; 401 sends the browser to the sign-in page. */
export async function getJson<T>(path: string, params?: URLSearchParams): Promise<T> {
  if (!(await routeExists(path))) throw new NotAvailable(path);
  const url = params && [...params.keys()].length ? `${path}?${params}` : path;
  const response = await fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } });
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError("signed out", 401);
  }
  if (response.status === 404) {
    const body = (await response.json().catch(() => ({}))) as { details?: { reason?: string }[] };
    if (body.details?.[0]?.reason === "no such route") throw new NotAvailable(path);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(body.error ?? `${response.status} ${response.statusText}`, response.status);
  }
  return (await response.json()) as T;
}

/** The JSON shape of /api/v1/kpis (docs/command-line.md#output-and-errors). */
export interface KpiResult {
  workspace: string;
  from: string;
  to: string;
  interval: string | null;
  groupBy: string[];
  kpis: string[];
  rows: Record<string, string | number | null>[];
  totals: Record<string, number | null>;
}

export interface CatalogKpi {
  id: string;
  label: { en: string; fr: string };
  unit: "count" | "percent" | "money" | "seconds" | "ratio";
  better: "higher" | "lower";
  definition: string;
  custom: boolean;
}

export interface SessionInfo {
  user: string | null;
  role: "admin" | "viewer" | "share";
  workspaces: {
    name: string;
    timezone: string;
    currency: string;
    locale: "en" | "fr";
    attribution: string;
  }[];
  csrf: string;
  expires_at: string | null;
}

/** PUT or DELETE a JSON route with the session's CSRF token; a refusal's sentence is thrown. */
export async function sendJson<T>(method: "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: {
      accept: "application/json",
      "x-csrf-token": csrf,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok)
    throw new ApiError(json.error ?? `${response.status} ${response.statusText}`, response.status);
  return json as T;
}
