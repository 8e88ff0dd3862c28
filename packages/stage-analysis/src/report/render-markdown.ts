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

const cell = (s: string) => s.replace(/\|/g, '\\|');

function table(t: TextTable): string {
  // right-align columns of numbers (intervals, p-values, counts), left-align text
  const numeric = t.header.map(
    (_, i) => i > 0 && t.rows.every((r) => /^[-−–<\d.,[\]() n=/]*$/.test(r.cells[i] ?? '')),
  );
  return [
    `| ${t.header.map(cell).join(' | ')} |`,
    `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.cells.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The report as Markdown; figures are the PNGs next to it. */
export function renderMarkdown(model: ReportModel): string {
  const out: string[] = [`# ${model.title}`];
  if (model.spec) {
    out.push('## Spec', `\`${model.spec.file}\``);
    const overrides = model.spec.overrides ?? [];
    if (overrides.length)
      out.push(
        'With command-line overrides, applied over the file below in this order:',
        overrides.map((o) => `- \`${o}\``).join('\n'),
      );
    out.push('```yaml', model.spec.text.trimEnd(), '```');
  }
  out.push(
    '## Data',
    table(dataTable(model)),
    '',
    `Utterances per corpus, split and class (${model.data.source}).`,
  );
  out.push(
    '## Table 2: cross-corpus speech emotion recognition',
    table(table2Table(model)),
    '',
    table2Caption(model.table2),
  );
  if (model.comparisons.length > 0) {
    out.push(
      '## Pre-trained encoder vs from scratch',
      table(comparisonTable(model)),
      '',
      comparisonCaption(model),
    );
  }
  if (model.claims.length > 0)
    out.push(`## Claims${model.strict ? ' (strict)' : ''}`, table(claimsTable(model)));
  if (model.tsne.length > 0)
    out.push(
      '## Cluster separation in the last hidden layer',
      table(silhouetteSummaryTable(model)),
      '',
      'Mean silhouette per method over its embedded seeds (t interval); per run:',
      table(silhouetteTable(model)),
    );
  out.push('## Figures');
  for (const f of model.figures) out.push(`### ${f.title}`, `![${f.title}](${f.png})`, '', f.caption);
  const timings = timingTable(model);
  if (timings && model.run)
    out.push(
      '## Run',
      `run ${model.run.runId}: ${model.run.status}, ${(model.run.durationMs / 1000).toFixed(1)} s`,
      '',
      table(timings),
    );
  if (model.notes.length > 0) out.push('## Notes', ...model.notes.map((n) => `- ${n}`));
  return `${out.filter((part) => part !== '').join('\n\n')}\n`;
}
