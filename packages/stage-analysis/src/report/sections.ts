/**
 * The report's sections as plain rows of text cells, shared by the HTML and Markdown renderers so
 * both show exactly the same numbers.
 */
import { fixed, meanWithInterval, pct, pValue } from './format.ts';
import { corpusTitle } from './method-runs.ts';
import type { ReportModel } from './model.ts';
import { columnTitle, rowLabel } from './table2-render.ts';

export interface TextTable {
  id: string;
  header: string[];
  rows: { cells: string[]; attrs?: { [key: string]: string }[] }[];
}

export function dataTable(model: ReportModel): TextTable {
  const classes = [...new Set(model.data.counts.map((c) => c.class))].sort();
  const groups = new Map<string, { corpus: string; split: string; byClass: Map<string, number> }>();
  for (const c of model.data.counts) {
    const key = `${c.corpus}\u0000${c.split}`;
    const g = groups.get(key) ?? { corpus: c.corpus, split: c.split, byClass: new Map() };
    g.byClass.set(c.class, (g.byClass.get(c.class) ?? 0) + c.count);
    groups.set(key, g);
  }
  return {
    id: 'data',
    header: ['Corpus', 'Split', ...classes, 'Total'],
    rows: [...groups.values()].map((g) => ({
      cells: [
        corpusTitle(g.corpus),
        g.split,
        ...classes.map((c) => String(g.byClass.get(c) ?? 0)),
        String([...g.byClass.values()].reduce((a, b) => a + b, 0)),
      ],
    })),
  };
}

export function table2Table(model: ReportModel): TextTable {
  const t = model.table2;
  return {
    id: 'table2',
    header: ['Method', ...t.columns.map(columnTitle)],
    rows: t.rows.map((row) => ({
      cells: [rowLabel(row), ...row.cells.map((c) => (c ? meanWithInterval(c, row.reference) : '–'))],
      attrs: [
        {
          'data-method': row.method,
          ...(row.collapsed.length > 0
            ? { 'data-collapsed': row.collapsed.map((c) => c.run).join(' ') }
            : {}),
        },
        ...row.cells.map((c, i): { [key: string]: string } =>
          c
            ? {
                'data-method': row.method,
                'data-corpus': t.columns[i]!.corpus,
                'data-mean': String(c.mean),
                'data-lo': String(c.lo ?? ''),
                'data-hi': String(c.hi ?? ''),
                'data-n': String(c.n),
              }
            : { 'data-corpus': t.columns[i]!.corpus },
        ),
      ],
    })),
  };
}

export function comparisonTable(model: ReportModel): TextTable {
  return {
    id: 'comparison',
    header: [
      'Comparison',
      'Test set',
      'Seeds',
      'Per-seed difference (pp)',
      'Mean [t CI] (pp)',
      'Bootstrap CI (pp)',
      'p sign-flip',
      'p sign test',
      'p utterance perm.',
    ],
    rows: model.comparisons.map((c) => ({
      cells: [
        `${c.a} − ${c.b}`,
        corpusTitle(c.corpus),
        String(c.pairedRuns.length),
        c.diffs.map((d) => pct(d)).join(', '),
        meanWithInterval(c.seedInterval),
        `${pct(c.bootstrap.estimate)} [${pct(c.bootstrap.lo)}, ${pct(c.bootstrap.hi)}]`,
        pValue(c.signFlip.p),
        pValue(c.signTest.p),
        pValue(c.utterancePermutation.p),
      ],
      attrs: [
        {
          'data-a': c.a,
          'data-b': c.b,
          'data-corpus': c.corpus,
          'data-estimate': String(c.bootstrap.estimate),
          'data-lo': String(c.bootstrap.lo),
          'data-hi': String(c.bootstrap.hi),
          'data-p': String(c.signFlip.p),
        },
      ],
    })),
  };
}

export function comparisonCaption(model: ReportModel): string {
  const unpaired = [...new Set(model.comparisons.flatMap((c) => c.unpairedRuns))];
  const resamples = model.comparisons[0]?.bootstrap.resamples ?? 0;
  return `Differences a − b in percentage points, runs paired by seed (Seeds column). Bootstrap: ${resamples} resamples over seeds, then utterances within each seed. Two-sided p-values; with n seeds the exact sign-flip p cannot go below 2/2^n.${unpaired.length > 0 ? ` Runs without a partner, left out: ${unpaired.join(', ')}.` : ''}`;
}

export function claimsTable(model: ReportModel): TextTable {
  return {
    id: 'claims',
    header: [
      'Claim',
      'Estimate',
      `${Math.round((model.claims[0]?.level ?? 0.95) * 100)}% bootstrap CI`,
      'Seeds',
      'Verdict',
      'p (sign-flip / utterance perm.)',
    ],
    rows: model.claims.map((c) => ({
      cells: [
        c.text,
        fixed(c.estimate),
        `[${fixed(c.lo)}, ${fixed(c.hi)}]`,
        c.seeds === 1 ? '1 (CI: utterance sampling only)' : String(c.seeds),
        c.verdict,
        c.p ? `${pValue(c.p.signFlip)} / ${pValue(c.p.utterancePermutation)}` : '–',
      ],
      attrs: [
        {
          'data-verdict': c.verdict,
          'data-estimate': String(c.estimate),
          'data-lo': String(c.lo),
          'data-hi': String(c.hi),
          'data-seeds': String(c.seeds),
        },
      ],
    })),
  };
}

export function silhouetteTable(model: ReportModel): TextTable {
  return {
    id: 'silhouette',
    header: [
      'Model',
      'Points',
      'Silhouette by class (t-SNE)',
      'by corpus (t-SNE)',
      'by class (hidden layer)',
      'by corpus (hidden layer)',
    ],
    rows: model.tsne.map((t) => ({
      cells: [
        `${t.label} (${t.model})`,
        String(t.n),
        fixed(t.silhouette.tsne.class, 3),
        fixed(t.silhouette.tsne.corpus, 3),
        fixed(t.silhouette.hidden.class, 3),
        fixed(t.silhouette.hidden.corpus, 3),
      ],
    })),
  };
}

/** Silhouettes per method, mean over its seeds with a t interval (raw coefficients, not percent). */
export function silhouetteSummaryTable(model: ReportModel): TextTable {
  const show = (ci: { mean: number; lo: number | null; hi: number | null; n: number }) =>
    ci.lo === null || ci.hi === null
      ? `${fixed(ci.mean, 3)} (n=${ci.n})`
      : `${fixed(ci.mean, 3)} [${fixed(ci.lo, 3)}, ${fixed(ci.hi, 3)}]`;
  return {
    id: 'silhouette-summary',
    header: [
      'Method',
      'Seeds',
      'by class (t-SNE)',
      'by corpus (t-SNE)',
      'by class (hidden layer)',
      'by corpus (hidden layer)',
    ],
    rows: model.silhouetteSummary.map((s) => ({
      cells: [
        s.label,
        String(s.n),
        show(s.tsneClass),
        show(s.tsneCorpus),
        show(s.hiddenClass),
        show(s.hiddenCorpus),
      ],
      attrs: [{ 'data-method': s.method }],
    })),
  };
}

export function timingTable(model: ReportModel): TextTable | null {
  if (!model.run) return null;
  return {
    id: 'timings',
    header: ['Stage', 'Uses', 'This run', 'Compute time (s)', 'Key'],
    rows: model.run.stages.map((s) => ({
      cells: [
        s.id,
        s.stage,
        s.status === 'cached' ? 'cache hit' : s.status,
        s.computeMs === undefined ? '–' : (s.computeMs / 1000).toFixed(1),
        s.key ? s.key.slice(0, 12) : '–',
      ],
    })),
  };
}
