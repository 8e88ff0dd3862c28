import { describe, expect, it } from 'vitest';
import { evaluatedFixtures } from '../../test/evaluated.ts';
import { evaluatePredictions } from '../evaluation/evaluate-predictions.ts';
import { tInterval } from '../stats/t-interval.ts';
import { compareMethods } from './comparison.ts';
import { collectMethods } from './method-runs.ts';
import { buildTable2 } from './table2.ts';
import { renderTable2Csv, renderTable2Markdown } from './table2-render.ts';

const { docs } = await evaluatedFixtures();
const methods = collectMethods(docs);

describe('Table 2', () => {
  it('has the paper layout: methods as rows (scratch, encoder), within-corpus test sets then the unseen corpus', () => {
    const table = buildTable2(methods, {
      metric: 'ua',
      reference: [{ label: 'CNN-LSTM (literature)', values: { emodb: 0.6, tess: 0.4 } }],
    });
    expect(table.columns).toEqual([
      { corpus: 'emodb', unseen: false },
      { corpus: 'savee', unseen: false },
      { corpus: 'tess', unseen: true },
    ]);
    expect(table.rows.map((r) => r.label)).toEqual([
      'CNN-LSTM (literature)',
      'CNN-LSTM (from scratch)',
      'CNN-LSTM + pre-trained encoder',
    ]);
    const cell = table.rows[2]!.cells[2]!;
    const perSeed = methods[1]!.runs.map((r) => r.model.corpora.find((c) => c.corpus === 'tess')!.ua);
    expect(cell.values).toEqual(perSeed);
    const ci = tInterval(perSeed);
    expect(cell).toMatchObject({
      mean: ci.mean,
      sd: ci.sd,
      n: 3,
      lo: Math.max(0, ci.lo!),
      hi: Math.min(1, ci.hi!),
    });
    expect(cell.n).toBe(3);
    const md = renderTable2Markdown(table);
    expect(md.split('\n')[0]).toBe('| Method | Emo-DB | SAVEE | TESS* |');
    expect(md).toContain(`| CNN-LSTM + pre-trained encoder | `);
    expect(md).toContain(
      `${(cell.mean * 100).toFixed(1)} [${(cell.lo! * 100).toFixed(1)}, ${(cell.hi! * 100).toFixed(1)}] |`,
    );
    expect(md).toContain('| CNN-LSTM (literature) | 60.0 | – | 40.0 |');
    expect(md).toContain('n = 3 seeds');
    const csv = renderTable2Csv(table).trim().split('\n');
    expect(csv[0]).toBe('method,label,corpus,unseen,metric,mean,ci_lo,ci_hi,sd,n,level,values');
    expect(csv).toContain(
      `ser_frozen,CNN-LSTM + pre-trained encoder,tess,true,ua,${cell.mean.toFixed(6)},${cell.lo!.toFixed(6)},${cell.hi!.toFixed(6)},${cell.sd!.toFixed(6)},3,0.95,${perSeed.map((v) => v.toFixed(6)).join(' ')}`,
    );
  });

  it('says which sources of variance the intervals cover: one shared encoder, or one per run', () => {
    const withEncoders = (hashes: (string | null)[]) =>
      methods.map((m, i) => ({
        ...m,
        runs: m.runs.map((r, k) => ({ ...r, model: { ...r.model, encoder: i === 0 ? null : hashes[k] } })),
      }));
    const shared = buildTable2(withEncoders(['h-ae', 'h-ae', 'h-ae']), { metric: 'ua' });
    expect(shared.rows.map((r) => r.encoders)).toEqual([null, 1]);
    const md = renderTable2Markdown(shared);
    expect(md).toContain("Intervals cover the variance between seeds of each row's own training");
    expect(md).toContain(
      'CNN-LSTM + pre-trained encoder: all runs share one pretrained encoder, so encoder (pretraining) variance is not in its interval.',
    );
    const own = buildTable2(withEncoders(['h-1', 'h-2', 'h-3']), { metric: 'ua' });
    expect(renderTable2Markdown(own)).toContain(
      'CNN-LSTM + pre-trained encoder (3 encoders over 3 runs): encoder variance included.',
    );
  });

  it('an ablation row sharing a strategy is told apart by structure and stage id', () => {
    const ablation = docs
      .filter((d) => d.models[0]!.method === 'ser_frozen')
      .map((d) => ({
        ...d,
        models: d.models.map((m) => ({ ...m, method: 'ser_frozen_deep', structure: 'deep-cnn' })),
      }));
    const labels = collectMethods([...docs, ...ablation]).map((m) => m.label);
    expect(labels).toEqual([
      'CNN-LSTM (from scratch)',
      'CNN-LSTM + pre-trained encoder [parry-cnn, ser_frozen]',
      'CNN-LSTM + pre-trained encoder [deep-cnn, ser_frozen_deep]',
    ]);
  });
});

describe('paired comparison', () => {
  it('pairs runs by seed, gives per-seed differences, bootstrap CI and exact tests', () => {
    const [scratch, frozen] = methods;
    const c = compareMethods(frozen!, scratch!, 'tess', 'ua', 3, { level: 0.95, resamples: 500, seed: 1 })!;
    expect(c.pairedRuns).toEqual(['seed=1', 'seed=2', 'seed=3']);
    const ua = (m: typeof frozen, k: number) =>
      m!.runs[k]!.model.corpora.find((x) => x.corpus === 'tess')!.ua;
    expect(c.diffs).toEqual([0, 1, 2].map((k) => ua(frozen, k) - ua(scratch, k)));
    expect(c.bootstrap.estimate).toBeCloseTo(c.diffs.reduce((a, b) => a + b) / 3, 12);
    expect(c.bootstrap.lo).toBeLessThan(c.bootstrap.estimate);
    expect(c.bootstrap.hi).toBeGreaterThan(c.bootstrap.estimate);
    // three seeds, all positive: the exact two-sided sign-flip p cannot go below 2/8
    expect(c.diffs.every((d) => d > 0)).toBe(true);
    expect(c.signFlip).toMatchObject({ p: 0.25, method: 'exact', n: 3 });
    expect(c.signTest.p).toBeCloseTo(0.25, 12);
    expect(c.utterancePermutation.p).toBeLessThan(0.01);
  });

  it('pairs a seed-independent baseline (one run, no seed) with every seed of the other method', () => {
    const scratch1 = docs.flatMap((d) => d.models).find((m) => m.model === 'ser_scratch[seed=1]')!;
    const baselineDoc = {
      ...docs[0]!,
      models: [
        {
          ...scratch1,
          model: 'baseline_logistic',
          method: 'baseline_logistic',
          strategy: 'logistic',
          variant: {},
        },
      ],
    };
    const all = collectMethods([...docs, baselineDoc]);
    const baseline = all.find((m) => m.method === 'baseline_logistic')!;
    const frozen = all.find((m) => m.method === 'ser_frozen')!;
    expect(all[0]).toBe(baseline); // baselines are listed first in Table 2
    expect(baseline.label).toBe('Logistic regression on functionals (baseline)');
    const c = compareMethods(frozen, baseline, 'tess', 'ua', 3, { level: 0.95, resamples: 200, seed: 1 })!;
    expect(c.pairedRuns).toEqual(['seed=1', 'seed=2', 'seed=3']);
    expect(c.unpairedRuns).toEqual([]);
    const ua = (m: (typeof frozen.runs)[number]['model']) => m.corpora.find((x) => x.corpus === 'tess')!.ua;
    expect(c.diffs).toEqual(frozen.runs.map((r) => ua(r.model) - ua(scratch1)));
  });

  it('flags a row with a run whose test predictions collapsed to one class', () => {
    const collapsedDocs = docs.map((d) => ({
      ...d,
      models: d.models.map((m) =>
        m.model === 'ser_frozen[seed=2]'
          ? {
              ...m,
              // 92 % of the predictions 'neutral' (index 1): over the 90 % threshold
              corpora: m.corpora.map((c) => ({
                ...c,
                utterances: {
                  ...c.utterances,
                  pred: c.utterances.pred.map((_, i) => (i % 25 === 0 ? 0 : 1)),
                },
              })),
            }
          : m,
      ),
    }));
    const table = buildTable2(collectMethods(collapsedDocs), { metric: 'ua' });
    const frozen = table.rows.find((r) => r.method === 'ser_frozen')!;
    expect(frozen.collapsed).toEqual([{ run: 'seed=2', class: 'neutral', share: expect.closeTo(0.92, 1) }]);
    expect(table.rows.find((r) => r.method === 'ser_scratch')!.collapsed).toEqual([]);
    const md = renderTable2Markdown(table);
    expect(md).toContain('| CNN-LSTM + pre-trained encoder ⚠ collapsed 1/3 |');
    expect(md).toContain("k of the row's n runs predict one class for ≥ 90 % of their test utterances");
    expect(renderTable2Markdown(buildTable2(methods, { metric: 'ua' }))).not.toContain('collapsed');
  });
});

describe('Table 2 rows on other features than MFCCs', () => {
  it('names the features: eGeMAPS + logistic regression / linear SVM baselines (after the MFCC row of their model), a CNN-LSTM on eGeMAPS LLDs', () => {
    const model = docs[0]!.models[0]!;
    const as = (method: string, strategy: string, features?: string) => ({
      ...docs[0]!,
      models: [{ ...model, model: method, method, strategy, variant: {}, ...(features ? { features } : {}) }],
    });
    const all = collectMethods([
      as('ser_scratch_egemaps', 'scratch', 'eGeMAPSv02 LLD'),
      as('baseline_svm', 'linear-svm'),
      as('baseline_egemaps_svm', 'linear-svm', 'eGeMAPSv02 functionals'),
      as('baseline_egemaps_logistic', 'logistic', 'eGeMAPSv02 functionals'),
      as('baseline_logistic', 'logistic'),
    ]);
    expect(all.map((m) => [m.method, m.label])).toEqual([
      ['baseline_logistic', 'Logistic regression on functionals (baseline)'],
      ['baseline_egemaps_logistic', 'eGeMAPSv02 functionals + logistic regression (baseline)'],
      ['baseline_svm', 'Linear SVM on functionals (baseline)'],
      ['baseline_egemaps_svm', 'eGeMAPSv02 functionals + linear SVM (baseline)'],
      ['ser_scratch_egemaps', 'CNN-LSTM (from scratch) on eGeMAPSv02 LLD'],
    ]);
    expect(all.find((m) => m.method === 'baseline_svm')!.features).toBeNull();
  });

  it("takes the features from the predictions' inputFeatures; MFCC predictions have none", () => {
    const row = {
      id: 'a',
      corpus: 'emodb',
      speaker: 's',
      label: 'neutral',
      class: 'neutral',
      split: 'test',
      pred: 'neutral',
      frames: 1,
      shard: 0,
      offset: 0,
    };
    const input = (producer: string, meta: { [key: string]: string }) => ({
      producer,
      meta,
      rows: [row],
      file: 'x',
    });
    const doc = evaluatePredictions(
      [
        input('baseline_egemaps_svm', { strategy: 'linear-svm', inputFeatures: 'eGeMAPSv02 functionals' }),
        input('baseline_logistic', { strategy: 'logistic' }),
      ],
      { heldOut: [], splits: ['test'] },
    );
    expect(doc.models.map((m) => m.features)).toEqual(['eGeMAPSv02 functionals', undefined]);
    expect('features' in doc.models[1]!).toBe(false); // MFCC evaluations are written as before
  });
});
