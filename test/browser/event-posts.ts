import type { Page, Request } from "playwright-core";

/** One POST /api/event the page made, as the browser sent it and as the server answered it. */
export interface EventPost {
  readonly contentType: string | undefined;
  readonly body: {
    n: string;
    u: string;
    d: string;
    r: string | null;
    p?: Record<string, unknown>;
    $?: unknown;
    /** Engagement only: scroll depth (%) and engaged time (ms). */
    sd?: number;
    e?: number;
  };
  readonly status: number;
}

/**
 * Records every POST to /api/event that a page makes and lets a test wait until a number of them
 * have been answered (Sextant answers once the event is committed, so answered means stored).
 * Engagement events, sent whenever a page is hidden or left, are kept apart in `engagements`, so
 * that `posts` and `waitFor` follow the page views and custom events in their order.
 */
export function recordEventPosts(page: Page) {
  const posts: EventPost[] = [];
  const engagements: EventPost[] = [];
  const failures: string[] = [];
  const answered = new WeakSet<Request>();
  const isEvent = (url: string, method: string) =>
    method === "POST" && new URL(url).pathname === "/api/event";
  page.on("response", (response) => {
    const request = response.request();
    if (!isEvent(request.url(), request.method())) return;
    answered.add(request);
    const post: EventPost = {
      contentType: request.headers()["content-type"],
      body: request.postDataJSON() as EventPost["body"],
      status: response.status(),
    };
    (post.body.n === "engagement" ? engagements : posts).push(post);
  });
  // A page frozen into the back/forward cache aborts reading the bodies of POSTs already answered:
  // those were stored, so only a POST that got no answer is a failure.
  page.on("requestfailed", (request) => {
    if (isEvent(request.url(), request.method()) && !answered.has(request)) {
      failures.push(`${request.url()}: ${request.failure()?.errorText}`);
    }
  });
  return {
    posts,
    engagements,
    /** Waits until `count` event POSTs in all have been answered; fails on a failed one or after the timeout. */
    async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (posts.length < count) {
        if (failures.length > 0) throw new Error(`An event POST failed: ${failures.join("; ")}`);
        if (Date.now() > deadline) {
          throw new Error(
            `Waited ${timeoutMs} ms for ${count} event POSTs, got ${posts.length}: ${JSON.stringify(posts.map((p) => p.body))}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
