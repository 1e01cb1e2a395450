import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the browser builds of the clients are, inside this repository's node_modules. */
const NODE_MODULES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules");
const VENDOR: Readonly<Record<string, string>> = {
  // Segment's UMD build (window.AnalyticsNext); its lazy chunks load relative to the page.
  segment: join(NODE_MODULES, "@segment", "analytics-next", "dist", "umd"),
  // Plausible's npm tracker: one ES module.
  plausible: join(NODE_MODULES, "@plausible-analytics", "tracker"),
  // The older plausible-tracker: ES modules whose imports have no `.js` (served with it added).
  "plausible-tracker": join(NODE_MODULES, "plausible-tracker", "build", "module"),
};

export interface ClientsSite {
  readonly origin: string;
  close(): Promise<void>;
}

const TALL = `<div style="height: 3000px">Content</div><p id="bottom">The end</p>`;

function html(head: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>${head}</head>
<body><h1>Shop</h1>${body}${TALL}</body></html>`;
}

/**
 * A customer site on its own origin, as sites run these clients unchanged: Segment's
 * analytics-next with `apiHost` set to Sextant (`?batch=1` for its batching delivery), Plausible's
 * npm tracker and the older plausible-tracker, each with buttons for SPA navigation and events.
 */
export async function startClientsSite(sextantOrigin: string, writeKey: string): Promise<ClientsSite> {
  const host = new URL(sextantOrigin).host;
  const segment = (batch: boolean) =>
    html(
      `<script src="/vendor/segment/index.js"></script>
<script>
window.analytics = AnalyticsNext.AnalyticsBrowser.load({
  writeKey: ${JSON.stringify(writeKey)},
  cdnSettings: { integrations: { "Segment.io": {
    apiKey: ${JSON.stringify(writeKey)}, apiHost: ${JSON.stringify(`${host}/v1`)}, protocol: "http"
    ${batch ? `, deliveryStrategy: { strategy: "batching", config: { size: 3, timeout: 60000 } }` : ""}
  } } },
});
analytics.page();
</script>`,
      `<button id="pricing" onclick="history.pushState({}, '', '/segment/pricing'); analytics.page()">Pricing</button>
<button id="signup" onclick="analytics.track('Signed Up', {plan: 'pro'})">Sign up</button>
<button id="identify" onclick="analytics.identify('user-1', {email: 'ann@example.com'})">Log in</button>
<button id="order" onclick="analytics.track('Order Completed', {order_id: 'o-1', revenue: 49.9, currency: 'EUR'})">Buy</button>`,
    );
  const plausible = html(
    `<script type="module">
import { init, track } from "/vendor/plausible/plausible.js";
init({ domain: "shop.test", endpoint: ${JSON.stringify(`${sextantOrigin}/api/event`)}, captureOnLocalhost: true });
window.track = track;
document.documentElement.dataset.ready = "yes";
</script>`,
    `<button id="pricing" onclick="history.pushState({}, '', '/plausible/pricing')">Pricing</button>
<button id="order" onclick="track('Order Completed', {props: {order_id: 'o-3'}, revenue: {currency: 'EUR', amount: 20}})">Buy</button>
<button id="video" onclick="track('Video Played', {interactive: false})">Play</button>`,
  );
  const legacy = html(
    `<script type="module">
import Plausible from "/vendor/plausible-tracker/index.js";
const plausible = Plausible({ domain: "shop.test", apiHost: ${JSON.stringify(sextantOrigin)}, trackLocalhost: true });
plausible.enableAutoPageviews();
window.trackEvent = plausible.trackEvent;
document.documentElement.dataset.ready = "yes";
</script>`,
    `<button id="signup" onclick="trackEvent('Signed Up', {props: {plan: 'free'}})">Sign up</button>`,
  );

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://site.invalid").pathname;
    const send = (type: string, body: string | Buffer) =>
      response.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
    if (path.startsWith("/segment/"))
      return send("text/html; charset=utf-8", segment(request.url?.includes("batch=1") ?? false));
    if (path.startsWith("/plausible/")) return send("text/html; charset=utf-8", plausible);
    if (path.startsWith("/legacy/")) return send("text/html; charset=utf-8", legacy);
    const file = vendorFile(path);
    if (file) return send("text/javascript; charset=utf-8", readFileSync(file));
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
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

/** The file of node_modules a vendor path names (`.js` added where an import left it out), or null. */
function vendorFile(path: string): string | null {
  const match = /^\/vendor\/([^/]+)\/(.+)$/.exec(path) ?? /\/([^/]+\.bundle\.[^/]+\.js)$/.exec(path);
  if (!match) return null;
  const [root, rest] =
    match.length === 3 ? [VENDOR[match[1] ?? ""], match[2] ?? ""] : [VENDOR.segment, match[1] ?? ""];
  if (!root) return null;
  const file = normalize(join(root, rest));
  if (!file.startsWith(root)) return null;
  for (const candidate of [file, `${file}.js`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}
