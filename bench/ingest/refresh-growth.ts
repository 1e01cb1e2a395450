import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Random } from "../../src/demo/random.js";
import { validateSettings } from "../../src/model/parse-setting.js";
import type { Workspace } from "../../src/model/workspace.js";
import { DuckdbStore } from "../../src/store/duckdb/duckdb-store.js";
import { numberFlags } from "../util.js";

/**
 * What a refresh of the derived tables costs per new event as history grows: rounds of new events
 * from the same visitors, one hour of site time each (page views, clicks, engagements at random
 * minutes, in visits of four events), appended and then derived, as a server does between
 * dashboard queries. Prints the CPU time of this process (DuckDB's threads included) per new event,
 * round by round: flat when a refresh derives only what the new events change, growing when it
 * derives whole histories again.
 *
 *   npm run bench -- refresh-growth [--rounds N] [--events N] [--visitors N]
 */
export async function benchRefreshGrowth(argv: readonly string[]): Promise<void> {
  const {
    rounds,
    events: perRound,
    visitors,
  } = numberFlags(argv, { rounds: 12, events: 20_000, visitors: 5_000 });

  const dir = mkdtempSync(join(tmpdir(), "sextant-refresh-growth-"));
  try {
    const store = await DuckdbStore.open(join(dir, "growth.duckdb"));
    const workspace: Workspace = { name: "growth", settings: validateSettings({ timezone: "Europe/Paris" }) };
    await store.createWorkspace(workspace);
    // Seeded, so that both builds of a comparison get the same events.
    const random = new Random(20261205);
    const start = Date.UTC(2026, 10, 2, 8, 0);
    let id = 0;
    const lastPage = new Map<string, string>();
    const perEvent: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const hour = start + round * 3_600_000;
      // Visits as sites see them: a burst of four events a minute or so apart from one visitor, at a
      // random minute of the hour, the first a page view; in time order, so that an engagement reports
      // on the page its visitor viewed last, as the tracker sends it when the page is left.
      const draws = Array.from({ length: perRound / 4 }, () => {
        const visitor = `v${Math.floor(random.next() * visitors)}`;
        const begin = hour + Math.floor(random.next() * 3_600_000);
        return [0, 1, 2, 3].map((i) => ({
          visitor,
          at: begin + i * Math.floor(30_000 + random.next() * 60_000),
          first: i === 0,
        }));
      })
        .flat()
        .sort((a, b) => a.at - b.at);
      const events = draws.map(({ visitor, at, first }) => {
        const kind = random.next();
        const viewed = lastPage.get(visitor);
        id += 1;
        let record: Record<string, string>;
        if (first || kind < 0.7 || viewed === undefined) {
          const url = `https://shop.example/p${Math.floor(random.next() * 20)}`;
          lastPage.set(visitor, url);
          record = { event: "pageview", type: "page", url };
        } else if (kind < 0.9) {
          record = { event: "Button Clicked", type: "track", url: viewed };
        } else {
          record = { event: "engagement", type: "engagement", url: viewed, properties: '{"e":4000,"sd":60}' };
        }
        return {
          workspace: workspace.name,
          record: {
            ...record,
            timestamp: new Date(at).toISOString(),
            visitor_id: visitor,
            message_id: `m${id}`,
          },
        };
      });
      for (let i = 0; i < events.length; i += 1_000) await store.appendEvents(events.slice(i, i + 1_000));
      const before = process.cpuUsage();
      await store.refreshDerived(workspace);
      const used = process.cpuUsage(before);
      perEvent.push((used.user + used.system) / perRound);
    }
    await store.close();
    console.log(
      `refresh CPU per new event, ${rounds} rounds of ${perRound} events from ${visitors} visitors (µs): ${perEvent
        .map((v) => v.toFixed(1))
        .join(", ")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
