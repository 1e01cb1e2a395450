import type { Store } from "../store/store.js";
import type { Workspace } from "../workspace/settings.js";
import type { ReportProviders } from "./types.js";

/**
 * The providers the CLI and the server give reports. Goals, alerts, funnels and budget advice are
 * built on other branches: wire them here when they land (one place for both the CLI and HTTP).
 */
export function reportProviders(_store: Store, _workspace: Workspace): ReportProviders {
  return {};
}
