import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type CatalogKpi, getJson, type SessionInfo, setCsrf } from "./api";
import { AppContext, type Ctx, translator } from "./context";
import { Controls } from "./controls";
import type { Lang } from "./i18n";
import { PAGES } from "./pages";
import { useSignal } from "./signal";
import { addDays, hrefTo, navigate, todayIn, view } from "./state";
import "./style.css";

function App() {
  const v = useSignal(view);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [catalog, setCatalog] = useState<Map<string, CatalogKpi> | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    getJson<SessionInfo>("/api/v1/session").then(
      (s) => {
        setCsrf(s.csrf);
        setSession(s);
      },
      (e: Error) => setFailure(e.message),
    );
  }, []);
  const workspace =
    session?.workspaces.find((w) => w.name === v.params.get("workspace")) ?? session?.workspaces[0];
  useEffect(() => {
    if (!workspace) return;
    setCatalog(null);
    getJson<{ kpis: CatalogKpi[] }>(
      "/api/v1/catalog",
      new URLSearchParams({ workspace: workspace.name }),
    ).then(
      (c) => setCatalog(new Map(c.kpis.map((k) => [k.id, k]))),
      (e: Error) => setFailure(e.message),
    );
  }, [workspace?.name]);
  const lang: Lang =
    v.params.get("lang") === "fr" ? "fr" : v.params.get("lang") === "en" ? "en" : (workspace?.locale ?? "en");
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  if (failure)
    return (
      <p role="alert" class="error">
        {failure}
      </p>
    );
  if (!session) return <p class="muted">…</p>;
  if (!workspace) {
    const t = translator(lang);
    return (
      <div role="alert" class="empty">
        <p>
          {t("empty_workspace")} <code>sextant workspace create NAME</code> · <code>sextant demo</code>
        </p>
        <p>
          {t("see_docs")} <code>docs/getting-started.md</code>
        </p>
      </div>
    );
  }
  if (!catalog) return <p class="muted">{translator(lang)("loading")}</p>;
  const to = v.params.get("to") ?? todayIn(workspace.timezone);
  const ctx: Ctx = {
    session,
    workspace,
    lang,
    t: translator(lang),
    catalog,
    from: v.params.get("from") ?? addDays(to, -27),
    to,
    interval: v.params.get("interval") ?? "day",
    compare: v.params.get("compare") ?? "previous_period",
    where: v.params.getAll("where"),
    params: v.params,
  };
  const page = PAGES.find((p) => p.path === v.page) ?? PAGES[0];
  if (!page) return null;
  const Page = page.component;
  document.title = `${ctx.t(page.key)} · ${workspace.name} · Sextant`;
  return (
    <AppContext.Provider value={ctx}>
      <a class="skip" href="#main">
        {lang === "fr" ? "Aller au contenu" : "Skip to content"}
      </a>
      <header>
        <strong class="brand">Sextant</strong>
        <nav aria-label={lang === "fr" ? "Pages" : "Pages"}>
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a
                  href={hrefTo(p.path)}
                  aria-current={p.path === page.path ? "page" : undefined}
                  onClick={(e) => {
                    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
                    e.preventDefault();
                    navigate(p.path);
                  }}
                >
                  {ctx.t(p.key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {session.role === "share" ? (
            <span class="badge">{ctx.t("read_only")}</span>
          ) : (
            <form method="post" action="/logout">
              <input type="hidden" name="csrf" value={session.csrf} />
              <span>{session.user}</span> <button type="submit">{ctx.t("sign_out")}</button>
            </form>
          )}
        </div>
      </header>
      <Controls />
      <main id="main" tabIndex={-1}>
        <h1>{ctx.t(page.key)}</h1>
        <Page />
      </main>
    </AppContext.Provider>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
