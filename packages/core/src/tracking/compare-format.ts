/** Renders a `CompareTable` as a terminal table fitted to a width, CSV, JSON or Markdown. */
import type { CompareCell, CompareTable } from './compare-table.ts';

export type CompareFormat = 'table' | 'csv' | 'json' | 'md';

export function formatCompare(table: CompareTable, format: CompareFormat, width = 100): string {
  switch (format) {
    case 'json':
      return JSON.stringify(table, null, 2);
    case 'csv':
      return csv(table);
    case 'md':
      return markdown(table);
    case 'table':
      return terminal(table, width);
  }
}

/** Metrics that are fractions (UA, WA, F1, accuracy) print as percentages, like the report. */
const isFraction = (key: string) => /(^|[._])(ua|wa|f1|macro_f1|acc|accuracy)([._]|$)/i.test(key);

function cellText(cell: CompareCell | null, key: string): string {
  if (!cell) return '–';
  const fraction = isFraction(key);
  const show = (v: number) =>
    fraction ? (v * 100).toFixed(1) : Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return cell.half === null ? show(cell.mean) : `${show(cell.mean)} ± ${show(cell.half)}`;
}

/** Column titles: `emodb`, `tess*` when every metric shares one `ua.` prefix; else the keys. */
function titles(table: CompareTable): { titles: string[]; caption: string } {
  const prefix = /^([^.]+)\./.exec(table.metrics[0] ?? '')?.[1];
  const shared = prefix !== undefined && table.metrics.every((m) => m.startsWith(`${prefix}.`));
  const names = table.metrics.map((m) => {
    const rest = shared ? m.slice(prefix!.length + 1) : m;
    return table.heldOut.includes(m.split('.').pop()!) ? `${rest}*` : rest;
  });
  const what = shared ? `${prefix!.toUpperCase()}${isFraction(prefix!) ? ' (%)' : ''}` : 'metrics';
  const ns = table.rows.flatMap((r) => r.cells.filter((c) => c !== null).map((c) => c!.n));
  const [lo, hi] = [Math.min(...ns), Math.max(...ns)];
  const seeds = ns.length === 0 ? '' : `; n = ${lo === hi ? lo : `${lo}–${hi}`} seed${hi === 1 ? '' : 's'}`;
  const stat =
    table.by === 'method'
      ? `mean ± half-width of the ${Math.round(table.level * 100)}% t interval over seeds${seeds}`
      : table.by === 'seed'
        ? 'one value per method and seed'
        : 'one value per MLflow run, newest first';
  const unseen = table.heldOut.length ? '; * held-out (unseen) corpus' : '';
  return { titles: names, caption: `${what}: ${stat}${unseen}.` };
}

function firstColumn(table: CompareTable): string {
  return table.by === 'run' ? 'run' : 'method';
}

function terminal(table: CompareTable, width: number): string {
  const { titles: names, caption } = titles(table);
  const cells = table.rows.map((r) => r.cells.map((c, i) => cellText(c, table.metrics[i]!)));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((row) => row[i]!.length)));
  // Labels give way only as far as needed to show one metric column beside them.
  const labelWidthCap = Math.max(12, width - 2 - Math.max(0, ...widths));
  const labels = table.rows.map((r) => clip(r.label, labelWidthCap));
  const labelWidth = Math.max(firstColumn(table).length, ...labels.map((l) => l.length));
  // Columns that do not fit the width go to a further block below, the label column repeated.
  const blocks: number[][] = [];
  let used = Number.POSITIVE_INFINITY;
  for (let i = 0; i < names.length; i++) {
    if (used + 2 + widths[i]! > width) {
      blocks.push([]);
      used = labelWidth;
    }
    blocks[blocks.length - 1]!.push(i);
    used += 2 + widths[i]!;
  }
  const out: string[] = [];
  for (const columns of blocks) {
    const line = (label: string, values: string[]) =>
      [label.padEnd(labelWidth), ...columns.map((c, k) => values[k]!.padStart(widths[c]!))]
        .join('  ')
        .trimEnd();
    if (out.length) out.push('');
    out.push(
      line(
        firstColumn(table),
        columns.map((c) => names[c]!),
      ),
    );
    out.push(
      line(
        '-'.repeat(labelWidth),
        columns.map((c) => '-'.repeat(widths[c]!)),
      ),
    );
    table.rows.forEach((_, r) => {
      out.push(
        line(
          labels[r]!,
          columns.map((c) => cells[r]![c]!),
        ),
      );
    });
  }
  return [...out, '', ...wrap(caption, width), `MLflow UI: ${table.uiUrl}`].join('\n');
}

function markdown(table: CompareTable): string {
  const { titles: names, caption } = titles(table);
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  return [
    `| ${firstColumn(table)} | ${names.map(cell).join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|`,
    ...table.rows.map(
      (r) => `| ${cell(r.label)} | ${r.cells.map((c, i) => cellText(c, table.metrics[i]!)).join(' | ')} |`,
    ),
    '',
    caption,
    '',
    `MLflow UI: ${table.uiUrl}`,
  ].join('\n');
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const num = (v: number | null) => (v === null ? '' : String(v));

/** One line per (row, metric), full precision: for spreadsheets and further analysis. */
function csv(table: CompareTable): string {
  const lines = ['label,method,seed,metric,mean,ci_lo,ci_hi,sd,n,level,values,run_ids'];
  for (const row of table.rows)
    row.cells.forEach((cell, i) => {
      if (!cell) return;
      lines.push(
        [
          row.label,
          row.method,
          row.seed === undefined ? '' : String(row.seed),
          table.metrics[i]!,
          num(cell.mean),
          num(cell.lo),
          num(cell.hi),
          num(cell.sd),
          String(cell.n),
          String(table.level),
          cell.values.join(' '),
          row.runIds.join(' '),
        ]
          .map(csvField)
          .join(','),
      );
    });
  return lines.join('\n');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}
