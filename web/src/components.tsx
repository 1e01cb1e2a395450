import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { NotAvailable } from "./api";
import { useCtx } from "./context";
import { formatKpi } from "./format";
import type { Key } from "./i18n";

/**
 * An empty state: what would fill it, the command that does, and the page of the docs that says
 * more (the docs/ folder of the installation). `children` holds a button where the page has one.
 */
export function Empty(props: { what: Key; command: string; doc: string; children?: ComponentChildren }) {
  const { t } = useCtx();
  return (
    <div class="empty muted">
      <p>
        {t(props.what)} <code>{props.command}</code>
      </p>
      <p>
        {t("see_docs")} <code>docs/{props.doc}</code>
      </p>
      {props.children}
    </div>
  );
}

export type Loaded<T> =
  | { state: "loading" }
  | { state: "ok"; data: T }
  | { state: "na" }
  | { state: "error"; message: string };

/** Runs a loader when its key changes; a 404 route becomes "not available yet". */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: "loading" });
  useEffect(() => {
    let live = true;
    setResult({ state: "loading" });
    load().then(
      (data) => live && setResult({ state: "ok", data }),
      (error: unknown) =>
        live &&
        setResult(
          error instanceof NotAvailable
            ? { state: "na" }
            : { state: "error", message: error instanceof Error ? error.message : String(error) },
        ),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return result;
}

/** Shows loading, "not available yet", an error sentence, or the content. */
export function Show<T>({
  loaded,
  children,
}: {
  loaded: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  const { t } = useCtx();
  if (loaded.state === "loading")
    return (
      <p class="muted" aria-busy="true">
        {t("loading")}
      </p>
    );
  if (loaded.state === "na")
    return (
      <p class="notice" data-state="not-available">
        {t("not_available")}
      </p>
    );
  if (loaded.state === "error")
    return (
      <p class="error" role="alert">
        {t("error")}: {loaded.message}
      </p>
    );
  return <>{children(loaded.data)}</>;
}

/** A KPI value as people read it, with the raw number for tests and scripts (docs/dashboard.md#pages). */
export function KpiValue({ id, value }: { id: string; value: number | null | undefined }) {
  const { catalog, lang, workspace } = useCtx();
  const raw = value === null || value === undefined ? "" : String(value);
  return (
    <span class="kpi-value" data-kpi={id} data-value={raw}>
      {formatKpi(value ?? null, catalog.get(id)?.unit, lang, workspace.currency)}
    </span>
  );
}

/** A KPI's label in the user's language, its definition (the formula) as a tooltip. */
export function KpiLabel({ id }: { id: string }) {
  const { catalog, lang } = useCtx();
  const def = catalog.get(id);
  return (
    <abbr class="kpi-label" title={def?.definition ?? id}>
      {def?.label[lang] ?? id}
    </abbr>
  );
}

export interface Column<R> {
  key: string;
  label: ComponentChildren;
  value: (row: R) => string | number | null;
  render?: (row: R) => ComponentChildren;
  numeric?: boolean;
}

/** A table sortable by any column (click the header, or Enter on it). */
export function Table<R>({
  rows,
  columns,
  caption,
  initialSort,
}: {
  rows: R[];
  columns: Column<R>[];
  caption: string;
  initialSort?: string;
}) {
  const [sort, setSort] = useState<{ key: string; desc: boolean }>({
    key: initialSort ?? columns[0]?.key ?? "",
    desc: true,
  });
  const column = columns.find((c) => c.key === sort.key);
  const sorted = column
    ? [...rows].sort((a, b) => {
        const x = column.value(a);
        const y = column.value(b);
        if (x === y) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        const order = x < y ? -1 : 1;
        return sort.desc ? -order : order;
      })
    : rows;
  if (rows.length === 0)
    return <Empty what="empty_table" command="sextant import events FILE.csv" doc="importing.md" />;
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                class={c.numeric ? "num" : ""}
                aria-sort={sort.key === c.key ? (sort.desc ? "descending" : "ascending") : "none"}
              >
                <button
                  type="button"
                  class="sort"
                  onClick={() => setSort({ key: c.key, desc: sort.key === c.key ? !sort.desc : true })}
                >
                  {c.label}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c.key} class={c.numeric ? "num" : ""}>
                  {c.render ? c.render(row) : String(c.value(row) ?? "—")}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A line chart (uPlot): x are dates (YYYY-MM-DD), each series one line; null leaves a gap. */
export function LineChart({
  dates,
  series,
  height = 200,
  label,
  small = false,
}: {
  dates: string[];
  series: { label: string; values: (number | null)[]; color: string; dash?: number[] }[];
  height?: number;
  label: string;
  small?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || dates.length === 0) return;
    const xs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const width = Math.max(120, el.clientWidth || 300);
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: !small },
        cursor: { show: !small },
        scales: { x: { time: true } },
        axes: small ? [{ show: false }, { show: false }] : [{}, { size: 60 }],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            ...(s.dash ? { dash: s.dash } : {}),
            spanGaps: false,
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [JSON.stringify(dates), JSON.stringify(series), height, small]);
  return <div ref={ref} class={small ? "spark" : "chart"} role="img" aria-label={label} />;
}
