import { lnBeta } from "./distributions.js";

/**
 * Exact P(p_v > p_c) for p_v ~ Beta(1 + xv, 1 + nv − xv), p_c ~ Beta(1 + xc, 1 + nc − xc) (uniform
 * priors), by Evan Miller's closed form ("Formulas for Bayesian A/B Testing", 2015,
 * https://www.evanmiller.org/bayesian-ab-testing.html):
 *   P(B > A) = Σ_{i=0}^{α_B−1} exp(ln B(α_A+i, β_A+β_B) − ln(β_B+i) − ln B(1+i, β_B) − ln B(α_A, β_A)).
 * The sum runs over the arm with fewer successes (using P(B > A) = 1 − P(A > B), ties having
 * probability 0), so it has at most min(xv, xc) + 1 terms.
 */
export function chanceToBeat(xv: number, nv: number, xc: number, nc: number): number | null {
  if (nv <= 0 || nc <= 0) return null;
  const b = { alpha: 1 + xv, beta: 1 + nv - xv };
  const a = { alpha: 1 + xc, beta: 1 + nc - xc };
  const p = b.alpha <= a.alpha ? millerSum(a, b) : 1 - millerSum(b, a);
  return Math.min(1, Math.max(0, p));
}

interface BetaParams {
  readonly alpha: number;
  readonly beta: number;
}

/**
 * P(X_B > X_A), summing over i < α_B. Consecutive terms differ by the factor
 * (α_A + i)(β_B + i) / ((α_A + β_A + β_B + i)(1 + i)) (from B(a + 1, b) = B(a, b)·a/(a + b)), so
 * only the first term needs log-Beta; the rest follow in log space, one logarithm each.
 */
function millerSum(a: BetaParams, b: BetaParams): number {
  let logTerm =
    lnBeta(a.alpha, a.beta + b.beta) - Math.log(b.beta) - lnBeta(1, b.beta) - lnBeta(a.alpha, a.beta);
  let total = 0;
  for (let i = 0; i < b.alpha; i++) {
    total += Math.exp(logTerm);
    logTerm += Math.log(((a.alpha + i) * (b.beta + i)) / ((a.alpha + a.beta + b.beta + i) * (1 + i)));
  }
  return total;
}
