import { existsSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { runStage, tempDir } from '../../test/context.ts';
import { evaluatedFixtures } from '../../test/evaluated.ts';
import { encoderFixture, serModelFixture } from '../../test/training-fixtures.ts';
import type { EvaluationDoc } from '../evaluation/types.ts';
import { studentTQuantile } from '../stats/special.ts';
import { report } from './report.ts';
import { tsneStage } from './tsne.ts';

const { evaluations, predictions } = await evaluatedFixtures();
const root = await tempDir();
const { encoder, reconstruction } = await encoderFixture(root);
const training = [
  encoder,
  await serModelFixture(root, 'ser_scratch[seed=1]'),
  await serModelFixture(root, 'ser_frozen[seed=1]'),
];
const tsneRun = await runStage(tsneStage, {
  params: {
    perplexity: 10,
    iterations: 300,
    theta: 0.5,
    method: 'barnes-hut' as const,
    maxPoints: 5000,
    splits: ['test'],
  },
  inputs: { predictions: [predictions[0]!, predictions[3]!] },
  heldOut: ['tess'],
});
const tsne = [
  { path: tsneRun.outputs.tsne!, type: 'tsne', hash: 't', producer: 'tsne', meta: {}, corpora: [] },
];
const params = {
  title: 'Paper reproduction',
  metric: 'ua' as const,
  level: 0.95,
  resamples: 400,
  reference: [],
  strict: false,
  samples: 1,
  claims: [
    'UA on tess of ser_frozen minus ser_scratch >= 0.05',
    { corpus: 'tess', a: 'ser_frozen', b: 'ser_scratch', op: '>=' as const, value: 0.6 },
  ],
};

/** Table 2 cell text computed here independently from the evaluation artifacts. */
function expectedCell(docs: EvaluationDoc[], method: string, corpus: string): string {
  const values = docs
    .filter((d) => d.models[0]!.method === method)
    .map((d) => d.models[0]!.corpora.find((c) => c.corpus === corpus)!.ua);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
  const p = (v: number) => (v * 100).toFixed(1);
  return `${p(mean)} [${p(Math.max(0, mean - half))}, ${p(Math.min(1, mean + half))}]`;
}

describe('analysis:report', () => {
  it('writes one self-contained HTML whose figures and numbers match the artifacts, plus Markdown and CSV', async () => {
    const { outputs, result } = await runStage(report, {
      params,
      inputs: { evaluations, tsne, training, reconstruction: [reconstruction] },
      seed: 7,
    });
    const dir = outputs.report!;
    if (process.env.SERX_FIGURE_DIR)
      await cp(dir, join(process.env.SERX_FIGURE_DIR, 'report'), { recursive: true }); // for a visual check
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const doc = parse(html);
    // self-contained: no external resources
    expect(doc.querySelectorAll('img, script[src], link[href]')).toHaveLength(0);
    const figureIds = doc.querySelectorAll('figure').map((f) => f.id);
    expect(figureIds).toEqual([
      'fig-comparison',
      'fig-confusion',
      'fig-curves-ser',
      'fig-curves-autoencoder',
      'fig-figure2',
      'fig-tsne-1',
    ]);
    for (const id of figureIds) {
      expect(doc.querySelector(`#${id} svg`)).not.toBeNull();
      expect(existsSync(join(dir, 'figures', `${id.slice(4)}.png`))).toBe(true);
    }
    expect(doc.querySelector('#fig-tsne-1')!.toString()).toContain(
      '(b) CNN-LSTM + pre-trained encoder — by class',
    );

    const docs: EvaluationDoc[] = await Promise.all(
      evaluations.map(async (e) => JSON.parse(await readFile(join(e.path, 'evaluation.json'), 'utf8'))),
    );
    const cells = doc.querySelectorAll('#table2 td[data-corpus]');
    expect(cells).toHaveLength(6);
    for (const td of cells) {
      const method = td.getAttribute('data-method')!;
      const corpus = td.getAttribute('data-corpus')!;
      expect(td.text).toBe(expectedCell(docs, method, corpus));
      expect(td.getAttribute('data-n')).toBe('3');
    }
    expect(doc.querySelectorAll('#table2 th').map((th) => th.text)).toEqual([
      'Method',
      'Emo-DB',
      'SAVEE',
      'TESS*',
    ]);

    const comparison = doc.querySelectorAll('#comparison tbody tr');
    expect(comparison.map((r) => r.querySelectorAll('td')[1]!.text)).toEqual(['Emo-DB', 'SAVEE', 'TESS']);
    expect(comparison.map((r) => r.querySelectorAll('td')[0]!.text)).toEqual(
      Array(3).fill('ser_frozen − ser_scratch'),
    );
    const tess = comparison[2]!.querySelectorAll('td');
    const diffs = [1, 2, 3].map((s) => {
      const ua = (m: string) =>
        docs
          .find((d) => d.models[0]!.model === `${m}[seed=${s}]`)!
          .models[0]!.corpora.find((c) => c.corpus === 'tess')!.ua;
      return ua('ser_frozen') - ua('ser_scratch');
    });
    expect(tess[2]!.text).toBe('3');
    expect(tess[3]!.text).toBe(diffs.map((d) => (d * 100).toFixed(1)).join(', '));
    expect(tess[6]!.text).toBe('0.250'); // exact sign-flip p with 3 seeds, all positive

    const verdicts = doc
      .querySelectorAll('#claims td[data-verdict]')
      .map((td) => td.getAttribute('data-verdict'));
    expect(verdicts).toEqual(['holds', 'does not hold']);
    expect(result).toMatchObject({
      metrics: { claim_1_holds: 1, claim_2_holds: 0, 'p_signflip.tess': 0.25 },
    });

    const md = await readFile(join(dir, 'report.md'), 'utf8');
    expect(md).toContain(`| CNN-LSTM + pre-trained encoder | ${expectedCell(docs, 'ser_frozen', 'emodb')} |`);
    expect(md).toContain('![Confusion matrices](figures/confusion.png)');
    const csv = await readFile(join(dir, 'table2.csv'), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(7);
    // data summary from the evaluated utterances: emodb test 32, savee 24, tess 60
    const totals = doc
      .querySelectorAll('#data tbody tr')
      .map((r) => [r.querySelector('td')!.text, r.querySelectorAll('td').at(-1)!.text]);
    expect(totals).toEqual([
      ['Emo-DB', '32'],
      ['SAVEE', '24'],
      ['TESS', '60'],
    ]);
  });

  it('fails only with strict: true when a claim does not hold', async () => {
    await expect(
      runStage(report, { params: { ...params, strict: true }, inputs: { evaluations } }),
    ).rejects.toMatchObject({
      code: 'analysis:CLAIM_FAILED',
      message: expect.stringContaining('UA on tess of ser_frozen minus ser_scratch ≥ 0.6'),
    });
  });

  it('refuses to compare models with different class sets', async () => {
    const [first, ...rest] = evaluations;
    const odd = await tempDir();
    const doc: EvaluationDoc = JSON.parse(await readFile(join(first!.path, 'evaluation.json'), 'utf8'));
    doc.models[0]!.classes = ['neg', 'neu', 'pos'];
    await writeFile(join(odd, 'evaluation.json'), JSON.stringify(doc));
    await expect(
      runStage(report, { params, inputs: { evaluations: [{ ...first!, path: odd }, ...rest] } }),
    ).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining('models predict different classes'),
    });
  });
});
