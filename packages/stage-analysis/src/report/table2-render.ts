import { COLLAPSE_SHARE } from '../evaluation/collapse.ts';
import { fixed, meanWithInterval } from './format.ts';
import { corpusTitle } from './method-runs.ts';
import type { Table2, Table2Row } from './table2.ts';

const METRIC_TITLES = { ua: 'UA', wa: 'WA', macroF1: 'macro-F1' } as const;

export function columnTitle(column: { corpus: string; unseen: boolean }): string {
  return `${corpusTitle(column.corpus)}${column.unseen ? '*' : ''}`;
}

/** The row's label, flagged when some of its runs collapsed to one class (`⚠ collapsed 2/5`). */
export function rowLabel(row: Table2Row): string {
  return row.collapsed.length === 0
    ? row.label
    : `${row.label} ⚠ collapsed ${row.collapsed.length}/${row.runs}`;
}

/** The seed counts behind the table, e.g. `n = 5 seeds` or `n = 3–5 seeds`. */
export function seedCountNote(table: Table2): string {
  const ns = table.rows
    .filter((r) => !r.reference)
    .flatMap((r) => r.cells.filter((c) => c !== null).map((c) => c!.n));
  if (ns.length === 0) return 'no runs';
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return `n = ${lo === hi ? lo : `${lo}–${hi}`} seed${hi === 1 ? '' : 's'}`;
}

export function table2Caption(table: Table2): string {
  const level = Math.round(table.level * 100);
  const collapse = table.rows.some((r) => r.collapsed.length > 0)
    ? ` ⚠ collapsed k/n: k of the row's n runs predict one class for ≥ ${COLLAPSE_SHARE * 100} % of their test utterances.`
    : '';
  return `${METRIC_TITLES[table.metric]} (%) per test set, mean over seeds with ${level}% t interval [lo, hi] (cut at 0 and 100); ${seedCountNote(table)}. *unseen (left-out) corpus.${collapse}${varianceNote(table)}`;
}

/**
 * Which sources of variance the intervals cover: every row's runs differ by their seed (weight
 * initialisation, batch order, crops, dropout and SpecAugment masks); rows on a pretrained encoder
 * say whether their runs share one encoder (then pretraining variance is not in the interval).
 */
export function varianceNote(table: Table2): string {
  const rows = table.rows.filter((r) => !r.reference && r.runs > 1);
  if (rows.length === 0) return '';
  const shared = rows.filter((r) => r.encoders === 1).map((r) => r.label);
  const own = rows.filter((r) => typeof r.encoders === 'number' && r.encoders > 1);
  const parts = [
    " Intervals cover the variance between seeds of each row's own training (initialisation, batch order, crops, dropout and SpecAugment masks; none for deterministic baselines)",
  ];
  if (shared.length > 0)
    parts.push(
      `; ${shared.join(', ')}: all runs share one pretrained encoder, so encoder (pretraining) variance is not in ${shared.length === 1 ? 'its interval' : 'their intervals'}`,
    );
  if (own.length > 0)
    parts.push(
      `; ${own.map((r) => `${r.label} (${r.encoders} encoders over ${r.runs} runs)`).join(', ')}: encoder variance included`,
    );
  return `${parts.join('')}.`;
}

export function renderTable2Markdown(table: Table2): string {
  const header = `| Method | ${table.columns.map(columnTitle).join(' | ')} |`;
  const rule = `|---|${table.columns.map(() => '---:').join('|')}|`;
  const lines = table.rows.map(
    (row) =>
      `| ${rowLabel(row)} | ${row.cells.map((c) => (c ? meanWithInterval(c, row.reference) : '–')).join(' | ')} |`,
  );
  return [header, rule, ...lines, '', table2Caption(table)].join('\n');
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One line per (method, corpus): full-precision numbers for further analysis. */
export function renderTable2Csv(table: Table2): string {
  const lines = ['method,label,corpus,unseen,metric,mean,ci_lo,ci_hi,sd,n,level,values'];
  for (const row of table.rows) {
    row.cells.forEach((cell, i) => {
      if (!cell) return;
      const col = table.columns[i]!;
      lines.push(
        [
          row.method,
          row.label,
          col.corpus,
          String(col.unseen),
          table.metric,
          fixed(cell.mean, 6),
          fixed(cell.lo, 6),
          fixed(cell.hi, 6),
          fixed(cell.sd, 6),
          String(cell.n),
          String(table.level),
          cell.values.map((v) => fixed(v, 6)).join(' '),
        ]
          .map(csvField)
          .join(','),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
