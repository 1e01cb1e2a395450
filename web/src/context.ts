import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { CatalogKpi, SessionInfo } from "./api";
import { type Key, type Lang, TEXT } from "./i18n";

/** What every page reads: who is signed in, the workspace, the language and the controls' values. */
export interface Ctx {
  session: SessionInfo;
  workspace: SessionInfo["workspaces"][number];
  lang: Lang;
  t: (key: Key) => string;
  catalog: Map<string, CatalogKpi>;
  from: string;
  to: string;
  interval: string;
  compare: string;
  where: string[];
  params: URLSearchParams;
}

export const AppContext = createContext<Ctx | null>(null);

export function useCtx(): Ctx {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error("no app context");
  return ctx;
}

export function translator(lang: Lang): (key: Key) => string {
  return (key) => TEXT[lang][key];
}

/** Query parameters of every KPI request: workspace, range and filters. */
export function kpiParams(
  ctx: Ctx,
  extra: Record<string, string> = {},
  range?: { from: string; to: string },
): URLSearchParams {
  const p = new URLSearchParams({
    workspace: ctx.workspace.name,
    from: range?.from ?? ctx.from,
    to: range?.to ?? ctx.to,
  });
  for (const w of ctx.where) p.append("where", w);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p;
}
