import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CampaignFigures, planBudget } from "./plan.js";

const campaign = fc.record({
  campaign: fc.string({ minLength: 1, maxLength: 8 }),
  spend: fc.integer({ min: 1, max: 10_000_000 }).map((c) => c / 100),
  revenue: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 20_000_000 }).map((c) => c / 100),
  ),
  customers: fc.integer({ min: 0, max: 500 }),
});

function figures(
  raw: { campaign: string; spend: number; revenue: number; customers: number }[],
): CampaignFigures[] {
  return raw.map((r, i) => ({
    campaign: `${r.campaign}-${i}`,
    spend: r.spend,
    revenue: r.revenue,
    roi: ((r.revenue - r.spend) / r.spend) * 100,
    cpa: r.customers === 0 ? null : r.spend / r.customers,
  }));
}

const options = fc.record({
  maxShift: fc.integer({ min: 0, max: 100 }),
  floor: fc.integer({ min: 0, max: 100 }),
  lang: fc.constantFrom("en" as const, "fr" as const),
});

const cents = (x: number) => Math.round(x * 100);

describe("budget advice invariants (docs/budget.md#budget-advice)", () => {
  it("holds every invariant on random campaigns", () => {
    fc.assert(
      fc.property(fc.array(campaign, { minLength: 0, maxLength: 12 }), options, (raw, opts) => {
        const input = figures(raw);
        const plan = planBudget(input, opts);
        const byRoi = input.some((c) => c.revenue > 0);
        const score = (c: CampaignFigures) =>
          byRoi ? (c.roi ?? -Infinity) : c.cpa === null ? -Infinity : -c.cpa;
        // Sum to the cent.
        expect(plan.reduce((s, l) => s + cents(l.proposed), 0)).toBe(
          input.reduce((s, c) => s + cents(c.spend), 0),
        );
        for (const [i, line] of plan.entries()) {
          const spend = cents(input[i]?.spend ?? 0);
          // Floor and max shift.
          expect(cents(line.proposed) * 100).toBeGreaterThanOrEqual(spend * opts.floor - 1e-6);
          expect(Math.abs(cents(line.proposed) - spend) * 100).toBeLessThanOrEqual(
            spend * opts.maxShift + 1e-6,
          );
          expect(cents(line.change)).toBe(cents(line.proposed) - spend);
          expect(line.reason).toMatch(/\.$/);
          expect(line.reason.split(". ").length).toBe(1);
        }
        // Money only from worse to better: every giver ranks strictly below every taker.
        const givers = plan
          .map((l, i) => ({ l, c: input[i] as CampaignFigures }))
          .filter((x) => x.l.change < 0);
        const takers = plan
          .map((l, i) => ({ l, c: input[i] as CampaignFigures }))
          .filter((x) => x.l.change > 0);
        for (const g of givers) for (const t of takers) expect(score(g.c)).toBeLessThan(score(t.c));
        expect(JSON.stringify(plan)).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 300 },
    );
  });

  it("moves money from the worse ROI to the better, within 20 %", () => {
    const plan = planBudget(
      [
        { campaign: "a", spend: 1000, revenue: 500, roi: -50, cpa: null },
        { campaign: "b", spend: 1000, revenue: 3000, roi: 200, cpa: null },
      ],
      { maxShift: 20, floor: 10, lang: "en" },
    );
    expect(plan.map((l) => l.proposed)).toEqual([800, 1200]);
    expect(plan[1]?.reason).toMatch(/^Receives 200\.00 from less efficient campaigns/);
  });

  it("refuses percentages out of range with a sentence", () => {
    expect(() => planBudget([], { maxShift: 120, floor: 10, lang: "en" })).toThrow(/--max-shift must be/);
    expect(() => planBudget([], { maxShift: 20, floor: -1, lang: "en" })).toThrow(/--floor must be/);
  });
});
