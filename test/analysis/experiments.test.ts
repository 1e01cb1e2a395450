import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runExperiment } from "../../src/analysis/experiments/run-experiment.js";
import type { Workspace } from "../../src/model/workspace.js";
import { type Kit, openKit } from "../kpi/fixture.js";

/** An `Experiment Viewed` row of an events CSV. */
const seen = (ts: string, visitor: string, experiment: string, variation: string) =>
  `${ts},Experiment Viewed,${visitor},"{""experiment_id"":""${experiment}"",""variation_id"":""${variation}""}"`;
const event = (ts: string, name: string, visitor: string) => `${ts},${name},${visitor},`;

describe("experiments read from events (docs/funnels-and-experiments.md#experiments)", () => {
  let kit: Kit;
  let ws: Workspace;
  beforeEach(async () => {
    kit = await openKit();
    ws = await kit.workspace("shop");
    await kit.load(
      ws,
      "events",
      [
        "timestamp,event,visitor_id,properties",
        // v1: first exposure control, later sees v2: stays in control; converts after → counts.
        seen("2026-03-02T10:00:00Z", "v1", "landing", "control"),
        seen("2026-03-02T11:00:00Z", "v1", "landing", "v2"),
        event("2026-03-02T12:00:00Z", "Signed Up", "v1"),
        // v2: converted BEFORE exposure only → not a conversion.
        event("2026-03-02T09:00:00Z", "Signed Up", "v2"),
        seen("2026-03-02T10:00:00Z", "v2", "landing", "control"),
        // v3, v4: v2; v3 converts twice (one converted visitor), v4 converts after the end date.
        seen("2026-03-03T10:00:00Z", "v3", "landing", "v2"),
        event("2026-03-03T10:05:00Z", "Signed Up", "v3"),
        event("2026-03-04T10:05:00Z", "Signed Up", "v3"),
        seen("2026-03-03T10:00:00Z", "v4", "landing", "v2"),
        event("2026-03-09T10:05:00Z", "Signed Up", "v4"),
        // v5: exposed before the dates only; v6: another experiment.
        seen("2026-02-27T10:00:00Z", "v5", "landing", "v2"),
        seen("2026-03-03T10:00:00Z", "v6", "other", "b"),
      ].join("\n"),
    );
  });
  afterEach(async () => {
    await kit.close();
  });

  it("assigns first exposures and counts conversions after them, within the dates", async () => {
    const rows = await kit.store.queryExposures({
      workspace: ws,
      experiment: "landing",
      conversion: "Signed Up",
      from: "2026-03-01",
      to: "2026-03-08",
    });
    expect(rows).toEqual([
      { variation: "control", visitors: 2, conversions: 1 },
      { variation: "v2", visitors: 2, conversions: 1 },
    ]);
    expect(await kit.store.experimentIds("shop")).toEqual(["landing", "other"]);
  });

  it("gives docs/funnels-and-experiments.md#experiments's JSON with the control first and no NaN", async () => {
    const result = await runExperiment(kit.store, ws, {
      id: "landing",
      conversion: "Signed Up",
      from: "2026-03-01",
      to: "2026-03-08",
    });
    expect(result.control).toBe("control");
    expect(result.variations.map((v) => [v.id, v.visitors, v.conversions, v.rate])).toEqual([
      ["control", 2, 1, 50],
      ["v2", 2, 1, 50],
    ]);
    expect(result.variations[1]?.lift_abs).toBe(0);
    expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
  });

  it("reads a saved experiment's definition, and explains what is missing", async () => {
    await kit.store.writeDocuments("shop", [
      {
        kind: "experiment",
        id: "landing",
        body: { id: "landing", conversion: "Signed Up", split: [50, 50] },
      },
    ]);
    const saved = await runExperiment(kit.store, ws, { id: "landing" });
    expect(saved.conversion).toBe("Signed Up");
    expect(saved.variations.map((v) => v.visitors)).toEqual([2, 3]);
    await expect(runExperiment(kit.store, ws, { id: "nothing" })).rejects.toThrow(/--conversion/);
    const none = await runExperiment(kit.store, ws, { id: "nothing", conversion: "Signed Up" });
    expect(none.variations).toEqual([]);
    expect(none.verdict).toMatch(/No exposures/);
    const single = await runExperiment(kit.store, ws, {
      id: "other",
      conversion: "Signed Up",
      split: [50, 50],
    });
    expect(single.verdict).toMatch(/Only one variation/);
  });
});
