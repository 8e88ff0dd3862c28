import { describe, expect, it } from 'vitest';
import { artifact } from '../../test/context.ts';
import type { EvaluationDoc, ModelEvaluation } from '../evaluation/types.ts';
import { attachModels, encoderOf } from './attach-models.ts';

const evaluated = (
  model: string,
  modelHash: string | null,
  strategy: string | null = null,
): ModelEvaluation => ({
  model,
  modelHash,
  predictions: [model],
  method: model.replace(/\[.*$/, ''),
  strategy,
  structure: null,
  variant: { seed: 1 },
  classes: ['a', 'b'],
  corpora: [],
});

describe('attachModels', () => {
  it('renames models found by hash among the training artifacts, keeps the rest', () => {
    const doc: EvaluationDoc = {
      format: 'serx-evaluation/1',
      heldOut: ['tess'],
      models: [
        evaluated('predict_frozen[seed=2]', 'h-frozen-2'),
        evaluated('predict_x[seed=1]', 'h-unknown'),
        evaluated('ser_s[seed=1]', null, 'scratch'),
      ],
    };
    const training = [
      artifact('/m', 'model', 'ser_frozen[seed=2]', { strategy: 'frozen', structure: 'parry-cnn' }),
      artifact('/e', 'encoder', 'ae'),
    ].map((a) => ({ ...a, hash: a.producer === 'ae' ? 'h-ae' : 'h-frozen-2' }));
    const [out] = attachModels([doc], training);
    expect(out!.models[0]).toMatchObject({
      model: 'ser_frozen[seed=2]',
      method: 'ser_frozen',
      variant: { seed: 2 },
      strategy: 'frozen',
      structure: 'parry-cnn',
      predictions: ['predict_frozen[seed=2]'],
    });
    expect(out!.models[1]).toEqual(doc.models[1]);
    expect(out!.models[2]).toEqual(doc.models[2]);
  });
});

describe('encoder lineage', () => {
  const lineage = new Map([
    ['h-frozen', { encoderArtifact: 'h-ae', initialModel: null }],
    ['h-finetune', { encoderArtifact: null, initialModel: 'h-frozen' }],
    ['h-scratch', { encoderArtifact: null, initialModel: null }],
  ]);

  it('follows a fine-tuned model to the encoder of its initial model', () => {
    expect(encoderOf('h-frozen', lineage)).toBe('h-ae');
    expect(encoderOf('h-finetune', lineage)).toBe('h-ae');
    expect(encoderOf('h-scratch', lineage)).toBeNull();
    expect(encoderOf('h-missing', lineage)).toBeUndefined();
    expect(
      encoderOf('h-loop', new Map([['h-loop', { encoderArtifact: null, initialModel: 'h-loop' }]])),
    ).toBe(undefined);
  });

  it('is attached to the evaluated models', () => {
    const doc: EvaluationDoc = {
      format: 'serx-evaluation/1',
      heldOut: [],
      models: [evaluated('p[seed=1]', 'h-finetune'), evaluated('q[seed=1]', 'h-scratch')],
    };
    const training = [
      { ...artifact('/f', 'model', 'ser_finetune[seed=1]', { strategy: 'finetune' }), hash: 'h-finetune' },
      { ...artifact('/s', 'model', 'ser_scratch[seed=1]', { strategy: 'scratch' }), hash: 'h-scratch' },
    ];
    const [out] = attachModels([doc], training, lineage);
    expect(out!.models.map((m) => m.encoder)).toEqual(['h-ae', null]);
  });
});
