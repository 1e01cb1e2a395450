import type { AppendResult, IncomingEvent, Store } from "../store/store.js";

interface Pending {
  readonly events: readonly IncomingEvent[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

export interface WriterStats {
  commits: number;
  events: number;
  duplicates: number;
  lastCommitMs: number;
}

/**
 * Group commit: requests that arrive while a commit is running wait together and go into the
 * next commit, so throughput grows with load while each request is answered only after the
 * transaction holding its events has committed (a 2xx means durable).
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private dirty = false;
  private lastCommitStart = Number.NEGATIVE_INFINITY;
  private idleTimer: NodeJS.Timeout | null = null;
  readonly stats: WriterStats = { commits: 0, events: 0, duplicates: 0, lastCommitMs: 0 };

  constructor(
    private readonly store: Store,
    private readonly maxEventsPerCommit = 20_000,
    private readonly onCommit?: (result: AppendResult, ms: number) => void,
    /** Quiet time after the last commit before the store tidies up (a DuckDB checkpoint). */
    private readonly idleMs = 1_000,
  ) {}

  /** Resolves once the events are committed (duplicates are counted, not stored twice). */
  write(events: readonly IncomingEvent[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error("the writer is closed"));
    if (events.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    const promise = new Promise<AppendResult>((resolve, reject) =>
      this.queue.push({ events, resolve, reject }),
    );
    this.running ??= this.drain();
    return promise;
  }

  /**
   * After `idleMs` without writes, lets the store do its deferred work, so that a commit under
   * load rarely pays for a checkpoint. A write arriving meanwhile waits for it, but after a
   * quiet second the log is short and so is the checkpoint.
   */
  private scheduleTidy(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.running || this.closed || !this.dirty) return;
      this.dirty = false;
      this.store.tidy().catch(() => {
        // Not essential: DuckDB checkpoints on its own when the log grows.
      });
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /** Stops taking writes and waits until everything queued is committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // A store that wants few large commits gets them: requests arriving meanwhile join the group.
        const wait = this.lastCommitStart + this.store.commitIntervalMs - performance.now();
        if (wait > 0 && !this.closed) await new Promise((resolve) => setTimeout(resolve, wait));
        this.lastCommitStart = performance.now();
        const group = this.takeGroup();
        try {
          await this.commit(group);
        } catch (error) {
          if (group.length === 1) group[0]?.reject(error);
          else await this.commitEachAlone(group);
        }
      }
    } finally {
      this.running = null;
      if (this.dirty) this.scheduleTidy();
    }
  }

  /** After a failed group commit: each request alone, so only the request at fault fails. */
  private async commitEachAlone(group: readonly Pending[]): Promise<void> {
    for (const p of group) await this.commit([p]).catch(p.reject);
  }

  /** One transaction for the requests' events; each request is answered once it has committed. */
  private async commit(group: readonly Pending[]): Promise<void> {
    const started = performance.now();
    const result = await this.store.appendEvents(group.flatMap((p) => p.events));
    const ms = performance.now() - started;
    this.stats.commits++;
    this.stats.events += result.stored;
    this.stats.duplicates += result.duplicates;
    this.stats.lastCommitMs = ms;
    this.dirty = true;
    this.onCommit?.(result, ms);
    // Per-request split of duplicates is not tracked: every event of the group is durable.
    for (const p of group) p.resolve({ stored: p.events.length, duplicates: 0 });
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (!next || (group.length > 0 && size + next.events.length > this.maxEventsPerCommit)) break;
      group.push(next);
      size += next.events.length;
      this.queue.shift();
    }
    return group;
  }
}
