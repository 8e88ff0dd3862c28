import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../stats/rng.ts';
import { comparisonFigureSpec } from './comparison-figure.ts';
import { confusionFigureSpec } from './confusion-figure.ts';
import { learningCurvesSpec } from './learning-curves-figure.ts';
import { reconstructionSpec } from './reconstruction-figure.ts';
import { renderFigure } from './render.ts';
import { tsneFigureSpec } from './tsne-figure.ts';

const OUT = process.env.SERX_FIGURE_DIR; // set to keep the PNGs for a visual check
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

async function check(name: string, spec: Parameters<typeof renderFigure>[2], texts: string[]) {
  const fig = await renderFigure(name, name, spec);
  expect(fig.svg.startsWith('<svg')).toBe(true);
  for (const t of texts) expect(fig.svg).toContain(t);
  expect(fig.png.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
  expect(fig.png.readUInt32BE(16)).toBeGreaterThan(300); // width at 2× zoom
  if (OUT) {
    await mkdir(OUT, { recursive: true });
    await writeFile(join(OUT, `${name}.png`), fig.png);
  }
}

describe('figures (Vega-Lite → SVG → PNG)', () => {
  const rng = createRng(1);
  it('t-SNE panels: 4 titled panels with silhouettes and both legends', async () => {
    const model = (title: string, sep: number) => ({
      title,
      silhouette: { class: sep / 10, corpus: 0.05 },
      points: Array.from({ length: 120 }, (_, i) => ({
        x: (i % 3) * sep + rng.normal(),
        y: rng.normal(),
        class: ['negative', 'neutral', 'positive'][i % 3]!,
        corpus: ['emodb', 'savee', 'tess'][Math.floor(i / 40)]!,
      })),
    });
    await check('tsne', tsneFigureSpec([model('from scratch', 2), model('pre-trained encoder', 6)]), [
      '(a) from scratch — by class',
      '(d) pre-trained encoder — by corpus',
      'silhouette by class: 0.600',
      'emotion class',
      'tess',
    ]);
  });
  it('confusion matrices', async () => {
    const classes = ['negative', 'neutral', 'positive'];
    const panels = ['CNN-LSTM (from scratch)', 'CNN-LSTM + pre-trained encoder'].flatMap((method) =>
      ['emodb', 'tess'].map((corpus) => ({
        method,
        corpus,
        classes,
        confusion: [
          [30, 5, 2],
          [4, 20, 6],
          [3, 7, 25],
        ],
      })),
    );
    await check('confusion', confusionFigureSpec(panels), [
      'CNN-LSTM (from scratch)',
      'predicted',
      'true',
      '>30<',
    ]);
  });
  it('learning curves', async () => {
    const points = ['ser_scratch[seed=1]', 'ser_frozen[seed=1]'].flatMap((run) =>
      Array.from({ length: 10 }, (_, e) => [
        { run, epoch: e + 1, series: 'loss', value: 1 / (e + 1) },
        { run, epoch: e + 1, series: 'val_loss', value: 1.2 / (e + 1) + 0.1 },
        { run, epoch: e + 1, series: 'val_ua', value: 0.4 + e * 0.02 },
      ]).flat(),
    );
    await check('learning-curves', learningCurvesSpec('SER learning curves', points), [
      'SER learning curves',
      'val_loss',
      'epoch',
    ]);
  });
  it('Figure 2: input MFCC vs reconstruction heatmaps', async () => {
    const input = Array.from({ length: 100 }, (_, t) =>
      Array.from({ length: 40 }, (_, k) => Math.sin(t / 7 + k / 5) * (1 - k / 40)),
    );
    const output = input.map((r) => r.map((v) => v * 0.8 + rng.normal() * 0.05));
    await check('reconstruction', reconstructionSpec([{ id: 'librispeech/19-198-0001', input, output }]), [
      '(a) actual MFCC series',
      '(b) autoencoder output',
      'MFCC',
    ]);
  });
  it('paired comparison with ablation pairs: long labels stay readable', async () => {
    const rows = ['parry-cnn', 'temporal-conv1d'].flatMap((encoder) =>
      ['Emo-DB', 'TESS'].map((corpus, k) => ({
        pair: `ser_frozen[encoder=${encoder}] − ser_scratch[encoder=${encoder}]`,
        corpus,
        estimate: 0.05 + k * 0.03,
        lo: -0.02 + k * 0.03,
        hi: 0.12 + k * 0.03,
        diffs: [0.04, 0.07, 0.03].map((d) => d + k * 0.03),
      })),
    );
    await check('comparison', comparisonFigureSpec('UA differences, paired by seed', 'UA', rows), [
      '>ser_frozen[encoder=temporal-conv1d] − ser_scratch[encoder=temporal-conv1d]<',
      '>TESS<',
      'UA difference (percentage points)',
    ]);
  });
});
