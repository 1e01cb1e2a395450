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
  readonly stats: WriterStats = { commits: 0, events: 0, duplicates: 0, lastCommitMs: 0 };

  constructor(
    private readonly store: Store,
    private readonly maxEventsPerCommit = 20_000,
    private readonly onCommit?: (events: number, ms: number) => void,
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

  /** Stops taking writes and waits until everything queued is committed. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
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
    this.onCommit?.(result.stored + result.duplicates, ms);
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
