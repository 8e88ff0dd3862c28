import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportModel } from './model.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import { renderTable2Csv, renderTable2Markdown } from './table2-render.ts';

export const REPORT_FILES = {
  html: 'report.html',
  markdown: 'report.md',
  model: 'report.json',
  table2Md: 'table2.md',
  table2Csv: 'table2.csv',
} as const;

/** Writes report.html, report.md, report.json, table2.md/.csv and `figures/<name>.png` into `dir`. */
export async function writeReport(
  dir: string,
  model: ReportModel,
  pngs: { [name: string]: Buffer },
): Promise<void> {
  await mkdir(join(dir, 'figures'), { recursive: true });
  for (const f of model.figures) {
    const png = pngs[f.name];
    if (png) await writeFile(join(dir, f.png), png);
    await writeFile(join(dir, 'figures', `${f.name}.svg`), f.svg);
  }
  // The SVGs live beside the PNGs; inlined in report.json they made it hundreds of MB (heatmaps).
  const figures = model.figures.map(({ svg: _svg, ...f }) => ({ ...f, svg: `figures/${f.name}.svg` }));
  await writeFile(join(dir, REPORT_FILES.model), `${JSON.stringify({ ...model, figures })}\n`);
  await writeFile(join(dir, REPORT_FILES.html), renderHtml(model, pngs));
  await writeFile(join(dir, REPORT_FILES.markdown), renderMarkdown(model));
  await writeFile(join(dir, REPORT_FILES.table2Md), `${renderTable2Markdown(model.table2)}\n`);
  await writeFile(join(dir, REPORT_FILES.table2Csv), renderTable2Csv(model.table2));
}
