// Every experiment YAML resolves against the real plugins, and the matrix shares what does not vary.
import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpec } from '@serx/core';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const specs = readdirSync(here, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .sort();
// Corpus roots are checked before anything runs, so the specs resolve against the real corpora.
const data = resolve(process.env.SERX_DATA ?? join(here, '..', '..', 'shared', 'corpora'));
const variantsOf = async (file: string) => {
  const graph = await loadSpec(join(here, file), { env: { SERX_DATA: data } });
  const count = new Map<string, number>();
  for (const node of graph.nodes.values()) count.set(node.stageId, (count.get(node.stageId) ?? 0) + 1);
  return { graph, count };
};

describe('experiment specs', () => {
  it('finds the paper, the smoke run and every ablation', () => {
    expect(specs).toEqual([
      'ablations/class-weights.yaml',
      'ablations/egemaps-input.yaml',
      'ablations/encoder-seed.yaml',
      'ablations/encoder-structure.yaml',
      'ablations/frozen-vs-finetune.yaml',
      'ablations/loco/emodb.yaml',
      'ablations/loco/emovo.yaml',
      'ablations/loco/ravdess.yaml',
      'ablations/loco/savee.yaml',
      'ablations/loco/tess.yaml',
      'ablations/normalisation-encoder.yaml',
      'ablations/normalisation-tess-own.yaml',
      'ablations/normalisation.yaml',
      'ablations/pretraining-data.yaml',
      'ablations/pretraining-size.yaml',
      'ablations/regularisation.yaml',
      'ablations/sparsity.yaml',
      'own-script.yaml',
      'paper.yaml',
      'smoke.yaml',
    ]);
  });

  it.each(specs)('%s resolves with TESS (or the left-out corpus) held out', async (file) => {
    const { graph } = await variantsOf(file);
    expect(graph.spec.heldOut).toContain(
      file.startsWith('ablations/loco/') ? relative('ablations/loco', file).replace('.yaml', '') : 'tess',
    );
    expect(graph.nodes.get('ingest_emodb')!.params.root).toBe(join(data, 'emodb'));
  });

  it('paper: 5 seeds of every classifier, one encoder, features computed once', async () => {
    const { graph, count } = await variantsOf('paper.yaml');
    expect(count.get('mfcc_emodb')).toBe(1);
    expect(count.get('ae')).toBe(1);
    expect(graph.nodes.get('ae')!.seed).toBe(1);
    for (const stage of ['ser_scratch', 'ser_frozen', 'ser_finetune', 'eval_frozen', 'tsne'])
      expect(count.get(stage)).toBe(5);
    for (const seed of [1, 2, 3, 4, 5])
      expect(graph.nodes.get(`ser_frozen[seed=${seed}]`)!.inputs.encoder).toMatchObject({ node: 'ae' });
    expect(count.get('report')).toBe(1);
  });

  it("encoder-seed ablation: the encoder varies with the classifier; seed 1 is the paper's own", async () => {
    const { graph, count } = await variantsOf('ablations/encoder-seed.yaml');
    expect(count.get('ae')).toBe(3);
    expect(graph.nodes.get('ae[seed=2]')!.seed).toBe(2);
    const paper = (await variantsOf('paper.yaml')).graph;
    expect(graph.nodes.get('ae[seed=1]')!.params).toEqual(paper.nodes.get('ae')!.params);
    expect(count.get('report')).toBe(1);
  });

  it("paper: the sanity baselines are trained once on the CNN-LSTMs' data and are Table 2 rows", async () => {
    const { graph, count } = await variantsOf('paper.yaml');
    for (const stage of ['baseline_majority', 'baseline_logistic', 'eval_baselines'])
      expect(count.get(stage)).toBe(1);
    const nodes = (id: string, input: string) =>
      (graph.nodes.get(id)!.inputs[input] as { node: string }[]).map((d) => d.node);
    expect(nodes('baseline_logistic', 'data')).toEqual(nodes('ser_scratch[seed=1]', 'data'));
    expect(nodes('baseline_logistic', 'features')).toEqual(nodes('predict_scratch[seed=1]', 'features'));
    expect(graph.nodes.get('baseline_majority')!.params.model).toBe('majority');
    expect(nodes('report', 'evaluations')).toContain('eval_baselines');
  });

  it('paper: eGeMAPS functionals from openSMILE + logistic regression / linear SVM, on the same partitions', async () => {
    const { graph, count } = await variantsOf('paper.yaml');
    const nodes = (id: string, input: string) =>
      (graph.nodes.get(id)!.inputs[input] as { node: string }[]).map((d) => d.node);
    const corpora = ['emodb', 'emovo', 'iemocap', 'ravdess', 'savee'];
    for (const corpus of [...corpora, 'tess']) {
      const node = graph.nodes.get(`egemaps_${corpus}`)!;
      expect(node.params).toMatchObject({ featureSet: 'eGeMAPSv02', level: 'functionals' });
      expect((node.inputs.utterances as { node: string }).node).toBe(`split_${corpus}`);
    }
    const baselines = [
      ['logistic', 'baseline_egemaps_logistic'],
      ['linear-svm', 'baseline_egemaps_svm'],
    ] as const;
    for (const [model, id] of baselines) {
      expect(count.get(id)).toBe(1);
      expect(graph.nodes.get(id)!.params.model).toBe(model);
      expect(nodes(id, 'data')).toEqual(corpora.map((c) => `egemaps_${c}`));
      expect(nodes(id, 'features')).toEqual([...corpora, 'tess'].map((c) => `egemaps_${c}`));
      expect(nodes('eval_baselines', 'predictions')).toContain(id);
    }
  });

  it('egemaps-input ablation: the from-scratch CNN-LSTM on eGeMAPS LLDs beside the one on MFCCs', async () => {
    const { graph, count } = await variantsOf('ablations/egemaps-input.yaml');
    const nodes = (id: string, input: string) =>
      (graph.nodes.get(id)!.inputs[input] as { node: string }[]).map((d) => d.node);
    expect(count.get('ser_scratch_egemaps')).toBe(3);
    expect(count.get('ser_scratch')).toBe(3);
    expect(count.get('ae')).toBeUndefined();
    expect(count.get('mfcc_unlabelled')).toBeUndefined();
    expect(graph.nodes.get('lld_tess')!.params).toMatchObject({ featureSet: 'eGeMAPSv02', level: 'lld' });
    expect(nodes('ser_scratch_egemaps[seed=2]', 'data')).toEqual(
      nodes('ser_scratch[seed=2]', 'data').map((n) => n.replace('mfcc_', 'lld_')),
    );
    expect(graph.nodes.get('ser_scratch_egemaps[seed=2]')!.params).toEqual(
      graph.nodes.get('ser_scratch[seed=2]')!.params,
    );
    expect(nodes('predict_scratch_egemaps[seed=1]', 'features')).toContain('lld_tess');
  });

  it("normalisation ablation: every corpus under each choice, TESS by the training corpora's statistics", async () => {
    const { graph, count } = await variantsOf('ablations/normalisation.yaml');
    expect(count.get('mfcc_emodb')).toBe(4);
    expect(count.get('ser_scratch')).toBe(12);
    expect(count.get('ser_frozen')).toBeUndefined(); // the encoder under normalisation: normalisation-encoder.yaml
    expect(count.get('ae')).toBeUndefined();
    expect(count.get('baseline_logistic')).toBe(4);
    const tess = graph.nodes.get('mfcc_tess[normalise=corpus]')!;
    expect(tess.params).toMatchObject({ normalise: 'corpus', statsFrom: 'training-corpora' });
    expect((tess.inputs.statistics as { node: string }[]).map((d) => d.node)).toEqual([
      'mfcc_emodb[normalise=corpus]',
      'mfcc_emovo[normalise=corpus]',
      'mfcc_iemocap[normalise=corpus]',
      'mfcc_ravdess[normalise=corpus]',
      'mfcc_savee[normalise=corpus]',
    ]);
    const own = await variantsOf('ablations/normalisation-tess-own.yaml');
    expect(own.graph.nodes.get('mfcc_tess[normalise=corpus]')!.params.statsFrom).toBe('own');
    // the models are normalisation.yaml's own: same params and inputs, so the same cache keys
    expect(own.graph.nodes.get('ser_scratch[seed=1,normalise=corpus]')!.params).toEqual(
      graph.nodes.get('ser_scratch[seed=1,normalise=corpus]')!.params,
    );
  });

  it('normalisation-encoder ablation: one encoder per normalisation, its unlabelled input normalised alike', async () => {
    const { graph, count } = await variantsOf('ablations/normalisation-encoder.yaml');
    expect(count.get('ae')).toBe(2);
    expect(count.get('ser_frozen')).toBe(6);
    expect(graph.nodes.get('mfcc_unlabelled_extra[normalise=corpus]')!.params).toMatchObject({
      normalise: 'corpus',
      statsFrom: 'own',
    });
    expect(graph.nodes.get('ser_frozen[seed=2,normalise=corpus]')!.inputs.encoder).toMatchObject({
      node: 'ae[normalise=corpus]',
    });
    // the utterance-normalised encoder and models are the paper's own
    const paper = (await variantsOf('paper.yaml')).graph;
    expect(graph.nodes.get('ae[normalise=utterance]')!.params).toEqual(paper.nodes.get('ae')!.params);
  });

  it('pretraining-data ablation: all unlabelled (paper), LibriSpeech only, in-domain train partitions', async () => {
    const { graph } = await variantsOf('ablations/pretraining-data.yaml');
    const nodes = (id: string, input: string) =>
      (graph.nodes.get(id)!.inputs[input] as { node: string }[]).map((d) => d.node);
    expect(nodes('ae', 'features')).toEqual(['mfcc_unlabelled', 'mfcc_unlabelled_extra']);
    expect(nodes('ae_librispeech', 'features')).toEqual(['mfcc_unlabelled']);
    expect(nodes('ae_indomain', 'features')).toEqual(['indomain']);
    expect(graph.nodes.get('indomain')!.params.splits).toEqual(['train']);
    expect(graph.nodes.get('indomain')!.corpora).not.toContain('tess');
    expect(nodes('ser_frozen_indomain[seed=2]', 'data')).toEqual(nodes('ser_frozen[seed=2]', 'data'));
  });

  it('regularisation ablation: the same models with every regulariser off', async () => {
    const { graph, count } = await variantsOf('ablations/regularisation.yaml');
    expect(count.get('ser_scratch_noreg')).toBe(3);
    const on = graph.nodes.get('ser_frozen[seed=1]')!;
    const off = graph.nodes.get('ser_frozen_noreg[seed=1]')!;
    expect(off.params).toEqual({
      ...on.params,
      dropout: { conv: 0, lstmInput: 0, lstmRecurrent: 0, dense: 0 },
      weightDecay: 0,
      specAugment: false,
      clipNorm: 0,
      lrSchedule: expect.objectContaining({ kind: 'constant' }),
    });
    expect(off.inputs).toEqual(on.inputs);
  });

  it('fine-tune ablation: ser_finetune continues ser_frozen per seed at each learning rate', async () => {
    const { graph, count } = await variantsOf('ablations/frozen-vs-finetune.yaml');
    expect(count.get('ser_frozen')).toBe(3);
    const ft = graph.nodes.get('ser_finetune[seed=2,finetuneLr=0.00001]')!;
    expect(ft.params.learningRate).toBe(0.00001);
    expect(ft.inputs.model).toEqual({ node: 'ser_frozen[seed=2]', output: 'model' });
  });

  it('class-weight ablation: the autoencoder is shared, classifiers and the baseline vary', async () => {
    const { graph, count } = await variantsOf('ablations/class-weights.yaml');
    expect(count.get('ae')).toBe(1);
    expect(count.get('ser_scratch')).toBe(6);
    expect(graph.nodes.get('ser_frozen[seed=2,classWeights=none]')!.params.classWeights).toBe('none');
    expect(graph.nodes.get('baseline_logistic[classWeights=balanced]')!.params.classWeights).toBe('balanced');
  });

  it('sparsity ablation shares the from-scratch models across sparsity values', async () => {
    const { graph, count } = await variantsOf('ablations/sparsity.yaml');
    expect(count.get('ae')).toBe(4);
    expect(count.get('ser_frozen')).toBe(12);
    expect(count.get('ser_scratch')).toBe(3);
    expect(graph.nodes.get('ae[sparsity=0]')!.params.sparsity).toBe(0);
  });

  it('leave-one-corpus-out trains without the left-out corpus', async () => {
    const { graph } = await variantsOf('ablations/loco/savee.yaml');
    const data = graph.nodes.get('ser_frozen[seed=1]')!.inputs.data as { node: string }[];
    expect(data.map((d) => d.node)).toEqual(['mfcc_emodb', 'mfcc_emovo', 'mfcc_iemocap', 'mfcc_ravdess']);
  });
});
