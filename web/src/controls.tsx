import { useState } from "preact/hooks";
import { useCtx } from "./context";
import type { Key } from "./i18n";
import { navigate, PRESETS, presetRange, todayIn } from "./state";

const INTERVALS = ["day", "week", "month", "quarter", "year"] as const;
const COMPARES = ["previous_period", "previous_year", "none"] as const;

/** Workspace, range with presets, interval, comparison, filters and language: all in the URL. */
export function Controls() {
  const ctx = useCtx();
  const { t } = ctx;
  const [filter, setFilter] = useState("");
  const today = todayIn(ctx.workspace.timezone);
  const preset = PRESETS.find((p) => {
    const r = presetRange(p, today);
    return r && r.from === ctx.from && r.to === ctx.to;
  });
  return (
    <section class="controls" aria-label={t("filters")}>
      <label>
        {t("workspace")}
        <select
          name="workspace"
          value={ctx.workspace.name}
          onChange={(e) => navigate(null, { workspace: e.currentTarget.value, where: null })}
        >
          {ctx.session.workspaces.map((w) => (
            <option key={w.name} value={w.name}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("preset")}
        <select
          name="preset"
          value={preset ?? "custom"}
          onChange={(e) => {
            const r = presetRange(e.currentTarget.value, today);
            if (r) navigate(null, r);
          }}
        >
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(p as Key)}
            </option>
          ))}
          <option value="custom" disabled>
            {t("custom")}
          </option>
        </select>
      </label>
      <label>
        {t("from")}
        <input
          type="date"
          name="from"
          value={ctx.from}
          max={ctx.to}
          onChange={(e) => e.currentTarget.value && navigate(null, { from: e.currentTarget.value })}
        />
      </label>
      <label>
        {t("to")}
        <input
          type="date"
          name="to"
          value={ctx.to}
          min={ctx.from}
          onChange={(e) => e.currentTarget.value && navigate(null, { to: e.currentTarget.value })}
        />
      </label>
      <label>
        {t("interval")}
        <select
          name="interval"
          value={ctx.interval}
          onChange={(e) => navigate(null, { interval: e.currentTarget.value })}
        >
          {INTERVALS.map((i) => (
            <option key={i} value={i}>
              {t(i)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("compare")}
        <select
          name="compare"
          value={ctx.compare}
          onChange={(e) => navigate(null, { compare: e.currentTarget.value })}
        >
          {COMPARES.map((c) => (
            <option key={c} value={c}>
              {t(c)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("language")}
        <select
          name="lang"
          value={ctx.lang}
          onChange={(e) => navigate(null, { lang: e.currentTarget.value })}
        >
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
      </label>
      <form
        class="filter"
        onSubmit={(e) => {
          e.preventDefault();
          if (/^[^=]+=.+$/.test(filter.trim())) {
            navigate(null, { where: [...ctx.where, filter.trim()] });
            setFilter("");
          }
        }}
      >
        <label>
          {t("filters")}
          <input
            name="filter"
            value={filter}
            placeholder={t("filter_placeholder")}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
        </label>
        <button type="submit">{t("add_filter")}</button>
      </form>
      {ctx.where.length > 0 && (
        <ul class="chips">
          {ctx.where.map((w) => (
            <li key={w}>
              <span>{w}</span>{" "}
              <button
                type="button"
                aria-label={`${t("remove")} ${w}`}
                onClick={() => navigate(null, { where: ctx.where.filter((x) => x !== w) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
