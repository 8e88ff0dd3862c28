/** Table 2 of the paper: rows = methods, columns = each corpus's test partition and the unseen corpus. */
import { collapseOf } from '../evaluation/collapse.ts';
import type { MetricName } from '../stats/metric-on-index.ts';
import { type MeanInterval, tInterval } from '../stats/t-interval.ts';
import { collectCorpora, corpusOf, type MethodRuns } from './method-runs.ts';

export interface Table2Cell extends MeanInterval {
  corpus: string;
  /** The per-seed values the mean and t interval are computed from, in run order. */
  values: number[];
}

export interface Table2Row {
  method: string;
  label: string;
  /** Reference rows (published numbers) carry values without seeds or intervals. */
  reference: boolean;
  cells: (Table2Cell | null)[];
  /** Runs (seed keys) whose test predictions collapsed to one class ({@link collapseOf}). */
  collapsed: { run: string; class: string; share: number }[];
  /** Number of runs behind the row. */
  runs: number;
  /**
   * Distinct pretrained encoders among the row's runs (1 = all runs share one encoder, so encoder
   * variance is not in the row's interval); null when the runs rest on no encoder (or it is unknown).
   */
  encoders?: number | null;
}

export interface Table2 {
  metric: MetricName;
  level: number;
  columns: { corpus: string; unseen: boolean }[];
  rows: Table2Row[];
}

/** A published row (e.g. `CNN-LSTM (literature)`), values per corpus in [0, 1]. */
export interface ReferenceRow {
  label: string;
  values: { [corpus: string]: number };
}

export function buildTable2(
  methods: readonly MethodRuns[],
  options: { metric: MetricName; level?: number; reference?: readonly ReferenceRow[] },
): Table2 {
  const level = options.level ?? 0.95;
  const columns = collectCorpora(methods);
  const rows: Table2Row[] = (options.reference ?? []).map((ref) => ({
    method: ref.label,
    label: ref.label,
    reference: true,
    collapsed: [],
    runs: 0,
    cells: columns.map(({ corpus }) => {
      const v = ref.values[corpus];
      return v === undefined
        ? null
        : { corpus, values: [v], mean: v, sd: null, lo: null, hi: null, n: 0, level };
    }),
  }));
  for (const m of methods) {
    rows.push({
      method: m.method,
      label: m.label,
      reference: false,
      collapsed: m.runs.flatMap(({ key, model }) => {
        const c = collapseOf(model);
        return c.collapsed ? [{ run: key, class: c.class, share: c.share }] : [];
      }),
      runs: m.runs.length,
      encoders: distinctEncoders(m),
      cells: columns.map(({ corpus }) => {
        const values = m.runs
          .map((r) => corpusOf(r.model, corpus)?.[options.metric])
          .filter((v): v is number => typeof v === 'number');
        if (values.length === 0) return null;
        // the metrics live in [0, 1]: a t interval past the bounds is cut there (coverage only grows)
        const ci = tInterval(values, level);
        return {
          corpus,
          values,
          ...ci,
          lo: ci.lo === null ? null : Math.max(0, ci.lo),
          hi: ci.hi === null ? null : Math.min(1, ci.hi),
        };
      }),
    });
  }
  return { metric: options.metric, level, columns, rows };
}

/** Distinct encoder hashes among a method's runs; null when none of them names one. */
function distinctEncoders(m: MethodRuns): number | null {
  const hashes = m.runs.map((r) => r.model.encoder).filter((h): h is string => typeof h === 'string');
  return hashes.length === 0 ? null : new Set(hashes).size;
}
