/** One self-contained HTML file: tables, inline SVG figures, no external resources. */
import type { ReportModel } from './model.ts';
import {
  claimsTable,
  comparisonCaption,
  comparisonTable,
  dataTable,
  silhouetteSummaryTable,
  silhouetteTable,
  type TextTable,
  table2Table,
  timingTable,
} from './sections.ts';
import { table2Caption } from './table2-render.ts';

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const attrs = (a: { [key: string]: string } | undefined) =>
  a
    ? Object.entries(a)
        .map(([k, v]) => ` ${k}="${escapeHtml(v)}"`)
        .join('')
    : '';

function table(t: TextTable, caption?: string): string {
  const head = `<tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map(
      (r) => `<tr>${r.cells.map((c, i) => `<td${attrs(r.attrs?.[i])}>${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table id="${t.id}">${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}caption{caption-side:bottom;text-align:left;font-size:90%;color:#555;padding-top:4px}
td[data-verdict="holds"]{background:#e3f4e3}td[data-verdict="does not hold"]{background:#f8e0e0}td[data-verdict="inconclusive"]{background:#fff4d6}
figure{margin:2em 0}figcaption{font-size:90%;color:#555}pre{background:#f6f6f6;padding:1em;overflow:auto}svg{max-width:100%;height:auto}`;

/**
 * Prefixes the ids inside one inline SVG (Vega numbers gradients and clip paths per process, so
 * two figures rendered by different stages may both define `gradient_0`).
 */
export function scopeSvgIds(svg: string, scope: string): string {
  const prefix = `${scope.replace(/[^A-Za-z0-9_-]/g, '_')}-`;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}

/**
 * Above this size a figure is embedded as its PNG instead of inline SVG: a Figure 2 heatmap of a
 * few utterances is a million SVG rectangles (120 MB), its PNG a few MB.
 */
export const MAX_INLINE_SVG = 1_500_000;

function overridesHtml(overrides: readonly string[] | undefined): string {
  if (!overrides?.length) return '';
  const items = overrides.map((o) => `<li><code>${escapeHtml(o)}</code></li>`).join('');
  return `<p>With command-line overrides, applied over the file below in this order:</p><ul id="overrides">${items}</ul>`;
}

export function renderHtml(model: ReportModel, pngs: { readonly [name: string]: Buffer } = {}): string {
  const parts: string[] = [`<h1>${escapeHtml(model.title)}</h1>`];
  if (model.spec)
    parts.push(
      `<h2>Spec</h2><p>${escapeHtml(model.spec.file)}</p>${overridesHtml(model.spec.overrides)}<pre id="spec">${escapeHtml(model.spec.text)}</pre>`,
    );
  parts.push(
    `<h2>Data</h2>`,
    table(dataTable(model), `Utterances per corpus, split and class (${model.data.source}).`),
  );
  parts.push(
    `<h2>Table 2: cross-corpus speech emotion recognition</h2>`,
    table(table2Table(model), table2Caption(model.table2)),
  );
  if (model.comparisons.length > 0) {
    parts.push(
      `<h2>Pre-trained encoder vs from scratch</h2>`,
      table(comparisonTable(model), comparisonCaption(model)),
    );
  }
  if (model.claims.length > 0)
    parts.push(
      `<h2>Claims${model.strict ? ' (strict)' : ''}</h2>`,
      table(
        claimsTable(model),
        'holds: the whole CI satisfies the claim; does not hold: the whole CI violates it; inconclusive: the CI straddles the threshold.',
      ),
    );
  if (model.tsne.length > 0)
    parts.push(
      `<h2>Cluster separation in the last hidden layer</h2>`,
      table(
        silhouetteSummaryTable(model),
        `Mean silhouette coefficient (−1…1; higher = tighter, better separated groups) per method over its embedded seeds, ${Math.round(model.table2.level * 100)}% t interval.`,
      ),
      table(silhouetteTable(model), 'Silhouette per embedded run.'),
    );
  parts.push(`<h2>Figures</h2>`);
  for (const f of model.figures) {
    parts.push(
      `<figure id="fig-${escapeHtml(f.name)}">\n${figureBody(f, pngs[f.name])}\n<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`,
    );
  }
  const timings = timingTable(model);
  if (timings && model.run)
    parts.push(
      `<h2>Run</h2><p>run ${escapeHtml(model.run.runId)}: ${escapeHtml(model.run.status)}, ${(model.run.durationMs / 1000).toFixed(1)} s</p>`,
      table(timings),
    );
  if (model.notes.length > 0)
    parts.push(`<h2>Notes</h2><ul>${model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(model.title)}</title><style>${STYLE}</style></head>\n<body>\n${parts.join('\n')}\n</body></html>\n`;
}

export function figureBody(f: ReportModel['figures'][number], png: Buffer | undefined): string {
  if (f.svg.length <= MAX_INLINE_SVG || !png) return scopeSvgIds(f.svg, f.name);
  return `<img alt="${escapeHtml(f.title)}" src="data:image/png;base64,${png.toString('base64')}">`;
}
