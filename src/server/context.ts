import type { VisitorHasher } from "../ingest/visitor-hash.js";
import type { GroupCommitWriter } from "../ingest/writer.js";
import type { Workspace } from "../model/workspace.js";
import type { Store } from "../store/store.js";
import type { KeyResolver } from "./auth.js";
import type { Sessions } from "./dashboard/sessions.js";
import type { Metrics } from "./metrics.js";

/** What routes share: the store, the writer, key checks, metrics. Built once per server. */
export interface ServerContext {
  readonly store: Store;
  readonly writer: GroupCommitWriter;
  readonly keys: KeyResolver;
  readonly metrics: Metrics;
  readonly hasher: VisitorHasher;
  readonly workspaces: WorkspaceDirectory;
  /** The dashboard's sessions (sign-in, idle and absolute timeouts). */
  readonly sessions: Sessions;
  /** The server's clock (tests inject one to step through timeouts and back-off). */
  readonly now: () => number;
  /** Webhook URLs may name loopback, private and link-local hosts (SEXTANT_ALLOW_PRIVATE_WEBHOOKS=1). */
  readonly allowPrivateWebhooks: boolean;
}

/** Workspaces by name and by domain, re-read from the store every few seconds. */
export class WorkspaceDirectory {
  private loaded: { at: number; all: Workspace[] } | null = null;

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 3_000,
  ) {}

  async all(): Promise<Workspace[]> {
    if (!this.loaded || Date.now() - this.loaded.at > this.ttlMs) {
      this.loaded = { at: Date.now(), all: await this.store.listWorkspaces() };
    }
    return this.loaded.all;
  }

  async byName(name: string): Promise<Workspace | undefined> {
    return (await this.all()).find((w) => w.name === name);
  }

  async byDomain(domain: string): Promise<Workspace | undefined> {
    return (await this.all()).find((w) => w.settings.domains.some((d) => d.replace(/^www\./, "") === domain));
  }
}
