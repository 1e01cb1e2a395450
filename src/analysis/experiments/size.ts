import { UserError } from "../../errors.js";
import { sampleSizeTwoProportions } from "./sample-size.js";

export interface SizeRequest {
  readonly baseline: number;
  readonly mde: number;
  readonly relative: boolean;
  readonly alpha: number;
  readonly power: number;
}

/** `sextant experiment size`: visitors per variation, a whole number rounded up (docs/funnels-and-experiments.md#sample-size). */
export function sampleSize(request: SizeRequest): { per_variation: number } {
  const { baseline, mde, relative, alpha, power } = request;
  const bad = (field: string, text: string) =>
    new UserError(`--${field} ${text}.`, [{ field, reason: text }]);
  if (!(baseline >= 0 && baseline <= 1)) throw bad("baseline", "must be a rate from 0 to 1, such as 0.05");
  if (!Number.isFinite(mde) || mde === 0) throw bad("mde", "must be a non-zero change, such as 0.01");
  if (!(alpha > 0 && alpha < 1)) throw bad("alpha", "must be strictly between 0 and 1");
  if (!(power > 0 && power < 1)) throw bad("power", "must be strictly between 0 and 1");
  const target = snapToBounds(relative ? baseline * (1 + mde) : baseline + mde);
  // A target of exactly 0 or 1 is a valid alternative: R's power.prop.test takes p1, p2 in [0, 1].
  if (!(target >= 0 && target <= 1)) {
    throw bad("mde", `gives a target rate of ${target}, outside 0 to 1; choose a smaller change`);
  }
  const n = sampleSizeTwoProportions(baseline, target, alpha, power);
  if (n === null) throw bad("mde", "gives no detectable change");
  return { per_variation: Math.ceil(n) };
}

/** 0.9 + 0.1 and 0.5 × 2 are 1 within rounding: a target that close to 0 or 1 is that bound. */
function snapToBounds(target: number): number {
  if (Math.abs(target - 1) < 1e-12) return 1;
  if (Math.abs(target) < 1e-12) return 0;
  return target;
}
