import { KPI_CATALOG, type KpiDefinition, type Unit } from "./catalog.js";

/** What each unit means to a reader of the table. */
const UNIT_NOTES: Readonly<Record<Unit, string>> = {
  count: "a whole number of things",
  percent: "in percent (12.5 means 12.5 %)",
  money: "in the workspace currency",
  seconds: "a duration in seconds",
  ratio: "a plain ratio (2 means 2 to 1)",
};

/** A table cell: pipes and line breaks would end the cell or the row. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * The built-in KPI catalog as a Markdown page: what `sextant kpi list --format md` prints and
 * docs/kpis.md holds (a test keeps the two equal). Custom KPIs belong to a workspace, not to the
 * reference, so they are left out.
 */
export function kpiCatalogMarkdown(catalog: readonly KpiDefinition[] = KPI_CATALOG): string {
  const lines = [
    "# KPIs",
    "",
    "<!-- Generated from src/kpi/catalog.ts by `sextant kpi list --format md`: do not edit by hand. -->",
    "<!-- Regenerate with: npm run docs:kpis -->",
    "",
    `Sextant's ${catalog.length} built-in KPIs (docs/concepts.md#kpis), as \`sextant kpi list\` prints them. Every KPI is`,
    "computed over the whole selection from base measures (sums and exact distinct counts), never by",
    "adding or averaging ratios; a division by zero gives `null`. Pick them with `--kpis id,id` on",
    "`sextant kpi`, or `kpis=id,id` on `GET /api/v1/kpis`. See [concepts](concepts.md) for ranges,",
    "sessions, channels and attribution.",
    "",
    "Units:",
    "",
    ...(Object.keys(UNIT_NOTES) as Unit[]).map((unit) => `- \`${unit}\`: ${UNIT_NOTES[unit]}.`),
    "",
    "*Better* says which way is good news (goals and alerts use it: lower is better for costs,",
    "bounce rate and unsubscribes).",
    "",
    "| id | KPI | KPI (fr) | unit | better | definition |",
    "| --- | --- | --- | --- | --- | --- |",
    ...catalog.map(
      (k) =>
        `| \`${k.id}\` | ${cell(k.label.en)} | ${cell(k.label.fr)} | ${k.unit} | ${k.better} | ${cell(k.definition)} |`,
    ),
    "",
    "## Custom KPIs",
    "",
    "A workspace can add its own KPIs as formulas over these ids: `sextant kpi define profit",
    '"revenue * 0.4 - spend"` (numbers, `+ - * /`, parentheses, `min`, `max`, `abs`,',
    "`if(cond, a, b)`). `sextant kpi list` shows them beside the built-in ones; `sextant kpi remove",
    "profit` deletes one.",
    "",
  ];
  return lines.join("\n");
}
