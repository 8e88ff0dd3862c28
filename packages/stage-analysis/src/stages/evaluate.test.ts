import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifact, runStage, tempDir } from '../../test/context.ts';
import type { EvaluationDoc } from '../evaluation/types.ts';
import { writePredictionsFixture } from '../io/write-predictions-fixture.ts';
import { evaluate } from './evaluate.ts';

const row = (id: string, corpus: string, split: string | null, cls: string | null, pred: string) => ({
  id,
  corpus,
  split,
  class: cls,
  label: cls,
  pred,
  probs: [0.2, 0.3, 0.5],
  embedding: [1, 2],
});

describe('analysis:evaluate', () => {
  it('computes hand-checked UA / WA / macro-F1 per corpus, marks the held-out corpus unseen and tracks metrics', async () => {
    const dir = join(await tempDir(), 'pred');
    await writePredictionsFixture(
      dir,
      [
        row('e1', 'emodb', 'test', 'negative', 'negative'),
        row('e2', 'emodb', 'test', 'negative', 'neutral'),
        row('e3', 'emodb', 'test', 'neutral', 'neutral'),
        row('e4', 'emodb', 'test', 'positive', 'negative'),
        row('e5', 'emodb', 'validation', 'positive', 'negative'),
        row('t1', 'tess', 'all', 'positive', 'positive'),
        row('t2', 'tess', 'all', 'positive', 'negative'),
        row('t3', 'tess', 'all', 'neutral', 'neutral'),
        row('t4', 'tess', null, 'neutral', 'neutral'), // a never-split row
        row('u1', 'tess', null, null, 'neutral'), // unlabelled: left out
      ],
      { classes: ['negative', 'neutral', 'positive'] },
    );
    const { outputs, result, recorded } = await runStage(evaluate, {
      params: { splits: ['test'] },
      inputs: {
        predictions: [
          artifact(dir, 'predictions', 'predict_frozen[seed=2]', {
            model: 'c0ffee',
            modelProducer: 'ser_frozen[seed=2]',
            strategy: 'frozen',
          }),
        ],
      },
      heldOut: ['tess'],
    });
    const doc: EvaluationDoc = JSON.parse(
      await readFile(join(outputs.evaluation!, 'evaluation.json'), 'utf8'),
    );
    const [model] = doc.models;
    expect(model).toMatchObject({
      model: 'ser_frozen[seed=2]',
      method: 'ser_frozen',
      strategy: 'frozen',
      variant: { seed: 2 },
    });
    const [emodb, tess] = model!.corpora;
    expect(emodb).toMatchObject({ corpus: 'emodb', unseen: false, n: 4, splits: ['test'] });
    expect(emodb!.ua).toBeCloseTo(0.5, 12);
    expect(emodb!.wa).toBeCloseTo(0.5, 12);
    expect(emodb!.macroF1).toBeCloseTo((0.5 + 2 / 3 + 0) / 3, 12);
    expect(emodb!.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    expect(tess).toMatchObject({
      corpus: 'tess',
      unseen: true,
      n: 4,
      splits: ['all', 'none'],
      recall: { negative: null, neutral: 1, positive: 0.5 },
    });
    expect(tess!.ua).toBeCloseTo(0.75, 12);
    expect(tess!.utterances).toEqual({
      ids: ['t1', 't2', 't3', 't4'],
      truth: [2, 2, 1, 1],
      pred: [2, 0, 1, 1],
    });
    expect(tess!.wa).toBeCloseTo(3 / 4, 12);
    expect(recorded.logs).toContain('warn: predict_frozen[seed=2]: 1 unlabelled utterance(s) left out');
    expect(result).toMatchObject({ metrics: { 'ua.emodb': 0.5, 'ua.tess': 0.75, 'ua.within_mean': 0.5 } });
    expect(recorded.artifacts).toEqual([join(outputs.evaluation!, 'evaluation.json')]);
  });

  it('rejects a predictions row without a prediction, naming its file and line', async () => {
    const dir = join(await tempDir(), 'pred');
    await writePredictionsFixture(dir, [
      row('e1', 'emodb', 'test', 'negative', 'negative'),
      row('e2', 'emodb', 'test', 'neutral', 'neutral'),
    ]);
    const index = join(dir, 'index.jsonl');
    const lines = (await readFile(index, 'utf8')).trim().split('\n');
    const { pred: _drop, ...second } = JSON.parse(lines[1]!);
    await writeFile(index, `${lines[0]}\n${JSON.stringify(second)}\n`);
    await expect(
      runStage(evaluate, {
        params: { splits: ['test'] },
        inputs: { predictions: [artifact(dir, 'predictions', 'p')] },
      }),
    ).rejects.toMatchObject({
      code: 'INPUT_DATA',
      loc: { file: index, line: 2 },
      message: expect.stringContaining("lacks string field 'pred'"),
    });
  });

  it('evaluates several models in one stage, grouped by model, with prefixed tracking metrics', async () => {
    const root = await tempDir();
    const rows = [
      row('e1', 'emodb', 'test', 'negative', 'negative'),
      row('e2', 'emodb', 'test', 'neutral', 'negative'),
    ];
    await writePredictionsFixture(join(root, 'a'), rows);
    await writePredictionsFixture(
      join(root, 'b'),
      rows.map((r) => ({ ...r, pred: r.class! })),
    );
    const { result } = await runStage(evaluate, {
      params: { splits: ['test'] },
      inputs: {
        predictions: [
          artifact(join(root, 'a'), 'predictions', 'predict_scratch[seed=1]', {
            modelProducer: 'ser_scratch[seed=1]',
            strategy: 'scratch',
          }),
          artifact(join(root, 'b'), 'predictions', 'predict_frozen[seed=1]', {
            modelProducer: 'ser_frozen[seed=1]',
            strategy: 'frozen',
          }),
        ],
      },
    });
    expect(result).toMatchObject({
      metrics: {
        'ser_scratch_seed_1.ua.emodb': 0.5,
        'ser_frozen_seed_1.ua.emodb': 1,
        'ser_frozen_seed_1.wa.emodb': 1,
      },
    });
  });

  it('flags a model whose test predictions are >= 90 % one class: tag, metric and warning', async () => {
    const root = await tempDir();
    const classes = ['negative', 'neutral', 'positive'];
    // 10 test utterances of three classes; 'collapsed' predicts negative for 9 of them (90 %),
    // 'healthy' for 8 (80 %)
    const truth = [
      'negative',
      'negative',
      'negative',
      'negative',
      'neutral',
      'neutral',
      'neutral',
      'positive',
      'positive',
      'positive',
    ];
    const rows = (negatives: number) =>
      truth.map((cls, i) =>
        row(`u${i}`, i < 6 ? 'emodb' : 'savee', 'test', cls, i < negatives ? 'negative' : 'positive'),
      );
    await writePredictionsFixture(join(root, 'collapsed'), rows(9), { classes });
    await writePredictionsFixture(join(root, 'healthy'), rows(8), { classes });
    const run = (name: string) =>
      runStage(evaluate, {
        params: { splits: ['test'] },
        inputs: { predictions: [artifact(join(root, name), 'predictions', `predict_${name}[seed=1]`, {})] },
      });
    const collapsed = await run('collapsed');
    expect(collapsed.recorded.tags).toEqual({ collapsed: 'true' });
    expect(collapsed.result).toMatchObject({ metrics: { max_class_share: 0.9 } });
    expect(collapsed.recorded.logs).toContainEqual(
      expect.stringMatching(
        /^warn: predict_collapsed\[seed=1\] collapsed: 90\.0 % of its test predictions are 'negative'/,
      ),
    );
    const healthy = await run('healthy');
    expect(healthy.recorded.tags).toEqual({ collapsed: 'false' });
    expect(healthy.result).toMatchObject({ metrics: { max_class_share: 0.8 } });
    expect(healthy.recorded.logs.filter((l) => l.startsWith('warn:'))).toEqual([]);
  });
});
