import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** The queue stub a site puts before the tracker, so that calls made before it loads are kept. */
const QUEUE_STUB =
  "<script>window.sextant=window.sextant||function(){(window.sextant.q=window.sextant.q||[]).push(arguments)}</script>";

function page(title: string, trackerSrc: string, head: string, body: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
${QUEUE_STUB}
${head}
<script defer data-domain="shop.test" src="${trackerSrc}"></script>
</head><body>
${body}
</body></html>`;
}

export interface Site {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A tiny customer site on its own loopback port: a landing page that queues a custom event before
 * the tracker loads and links to a single-page app, whose buttons navigate with history.pushState
 * and send a sign-up and an order.
 */
export async function startSite(sextantOrigin: string): Promise<Site> {
  const trackerSrc = `${sextantOrigin}/js/sextant.js`;
  const landing = page(
    "Landing",
    trackerSrc,
    `<script>sextant("Landing Viewed", {props: {queued: "yes"}})</script>`,
    `<h1>Spring sale</h1><a id="to-spa" href="/spa">Go to the shop</a>`,
  );
  const spa = page(
    "Shop",
    trackerSrc,
    "",
    `<h1>Shop</h1>
<button id="step2" onclick="history.pushState({}, '', '/spa/step2')">Next step</button>
<button id="signup" onclick="sextant('Signed Up', {props: {plan: 'pro'}})">Sign up</button>
<button id="order" onclick="sextant('Order Completed', {props: {order_id: 'o-1'}, revenue: {currency: 'EUR', amount: 49.9}})">Buy</button>`,
  );
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://site.invalid").pathname;
    const html = path === "/landing" ? landing : path === "/spa" || path.startsWith("/spa/") ? spa : null;
    if (html === null) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response
      .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
      .end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
