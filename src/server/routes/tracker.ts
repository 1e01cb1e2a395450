import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";

/**
 * The first-party tracker (docs/sending-events.md#the-tracker), served at /js/sextant.js: page views on load and on
 * single-page-app navigation (history.pushState, popstate), the URL with its utm_* tags, and
 * `sextant(name, {props, revenue})` for custom events (calls made before it loads are queued in
 * `sextant.q`); a page restored from the back/forward cache counts again. When a page is hidden or
 * left (visibilitychange, pagehide, or the next single-page-app navigation) it sends Plausible's
 * `engagement` event for that page view: the time the page was visible (`e`, ms) and the largest
 * scroll depth reached (`sd`, %), which give every site time on page and scroll depth. It posts text/plain JSON, which needs no CORS preflight, with keepalive so that
 * an event sent while leaving the page still arrives. `data-domain` and `data-api` override the
 * site's host name and the endpoint.
 */
export const TRACKER_SCRIPT = `(function(){"use strict";
var w=window;if(w.__sextant)return;w.__sextant=1;var d=document,l=w.location,s=d.currentScript,
a=s&&s.getAttribute("data-api")||(s?new URL(s.src).origin:"")+"/api/event",
m=s&&s.getAttribute("data-domain")||l.hostname,last=null,pu=null,t0=0,en=0,sd=0;
function send(n,o,u){o=o||{};var b={n:n,u:u||l.href,d:m,r:d.referrer||null};
if(o.props)b.p=o.props;if(o.revenue)b.$=o.revenue;if(o.sd!=null){b.sd=o.sd;b.e=o.e}
try{return fetch(a,{method:"POST",headers:{"Content-Type":"text/plain"},body:JSON.stringify(b),keepalive:true}).catch(function(){})}catch(e){}}
function on(){if(!t0&&d.visibilityState=="visible")t0=Date.now()}
function scroll(){var e=d.documentElement,h=Math.max(e.scrollHeight,d.body?d.body.scrollHeight:0),
p=h?Math.min(100,Math.round((w.scrollY+w.innerHeight)/h*100)):0;if(p>sd)sd=p}
function leave(){if(t0){en+=Date.now()-t0;t0=0}if(pu&&(en||sd)){send("engagement",{sd:sd,e:en},pu);en=0}}
function page(){var p=l.pathname+l.search;if(p===last)return;leave();last=p;pu=l.href;en=0;sd=0;on();scroll();send("pageview")}
var h=w.history,push=h.pushState;
if(push){h.pushState=function(){push.apply(this,arguments);page()};w.addEventListener("popstate",page)}
w.addEventListener("pageshow",function(e){if(e.persisted){last=null;page()}});
d.addEventListener("visibilitychange",function(){d.visibilityState=="hidden"?leave():on()});
w.addEventListener("pagehide",leave);w.addEventListener("scroll",scroll,{passive:true});
var q=w.sextant&&w.sextant.q||[];
w.sextant=function(n,o){return send(n,o)};
for(var i=0;i<q.length;i++)w.sextant.apply(w,q[i]);
page()})();
`;

const GZIPPED = gzipSync(TRACKER_SCRIPT, { level: 9 });

export function trackerRoutes(app: FastifyInstance): void {
  app.get("/js/sextant.js", async (request, reply) => {
    reply
      .type("application/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .header("access-control-allow-origin", "*")
      .header("vary", "accept-encoding");
    if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) {
      return reply.header("content-encoding", "gzip").send(GZIPPED);
    }
    return reply.send(TRACKER_SCRIPT);
  });
}

/** Size of the tracker as served compressed, for tests and docs. */
export const TRACKER_GZIP_BYTES = GZIPPED.length;
