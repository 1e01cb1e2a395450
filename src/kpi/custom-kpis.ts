import { UserError } from "../errors.js";
import type { Store } from "../store/store.js";
import { KPI_BY_ID } from "./catalog.js";
import { type Formula, parseFormula } from "./formula/index.js";

export interface CustomKpi {
  readonly id: string;
  readonly formula: Formula;
}

const ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
const BUILT_IN = new Set(KPI_BY_ID.keys());

/** Parses a custom KPI over the built-in KPI ids, rejecting bad ids and formulas with their position. */
export function parseCustomKpi(id: string, source: string): CustomKpi {
  if (!ID_PATTERN.test(id)) {
    throw new UserError(
      `"${id}" is not a KPI id: use lower-case letters, digits and _ (starting with a letter).`,
      [{ field: "id", reason: "invalid id" }],
    );
  }
  if (BUILT_IN.has(id)) {
    throw new UserError(`"${id}" is a built-in KPI; choose another id for a custom KPI.`, [
      { field: "id", reason: "built-in id" },
    ]);
  }
  return { id, formula: parseFormula(source, BUILT_IN) };
}

/** The custom KPIs saved for a workspace. */
export async function loadCustomKpis(store: Store, workspace: string): Promise<CustomKpi[]> {
  return (await store.listCustomKpis(workspace)).map((k) => parseCustomKpi(k.id, k.formula));
}
