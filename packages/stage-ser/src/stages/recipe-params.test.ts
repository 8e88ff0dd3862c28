import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { finetune } from './finetune.ts';
import { fitSettingsOf, specAugmentOf } from './recipe-params.ts';
import { trainParamsSchema } from './train-params.ts';

// The options core validates stage params with (packages/core/src/spec/params-schema.ts).
const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  strict: true,
  strictTypes: false,
  allowUnionTypes: true,
});
const validateTrain = ajv.compile(trainParamsSchema);
const validateFinetune = ajv.compile(finetune.params);

describe('ser:train / ser:finetune params', () => {
  it('fill the documented defaults (strict schemas)', () => {
    const p: Record<string, unknown> = {};
    expect(validateTrain(p)).toBe(true);
    expect(p).toMatchObject({
      strategy: 'frozen',
      learningRate: 0.001,
      classWeights: 'balanced',
      dropout: { conv: 0.1, lstmInput: 0.2, lstmRecurrent: 0.1, dense: 0.3 },
      weightDecay: 0.0001,
      weightDecayOn: ['kernel', 'recurrent_kernel'],
      specAugment: { timeMasks: 2, timeMaskWidth: 20, freqMasks: 2, freqMaskWidth: 5 },
      clipNorm: 5,
      lrSchedule: { kind: 'plateau', factor: 0.5, patience: 2, minLr: 0.00001 },
      selection: { metric: 'ua_corpus_mean', minEpochs: 5 },
    });
    const f: Record<string, unknown> = {};
    expect(validateFinetune(f)).toBe(true);
    expect(f).toMatchObject({ learningRate: 0.0001, epochs: 10, patience: 3, selection: { minEpochs: 1 } });
  });

  it('complete partial schedule and masking objects, and keep `false` / `constant`', () => {
    const p: Record<string, unknown> = {
      lrSchedule: { kind: 'plateau', factor: 0.2 },
      specAugment: { timeMasks: 1 },
    };
    expect(validateTrain(p)).toBe(true);
    const typed = p as unknown as Parameters<typeof fitSettingsOf>[0];
    expect(fitSettingsOf(typed, 3).lrSchedule).toEqual({
      kind: 'plateau',
      factor: 0.2,
      patience: 2,
      minLr: 0.00001,
    });
    expect(specAugmentOf(typed)).toEqual({ timeMasks: 1, timeMaskWidth: 20, freqMasks: 2, freqMaskWidth: 5 });
    const off: Record<string, unknown> = { lrSchedule: { kind: 'constant' }, specAugment: false };
    expect(validateTrain(off)).toBe(true);
    const typedOff = off as unknown as Parameters<typeof fitSettingsOf>[0];
    expect(fitSettingsOf(typedOff, 3).lrSchedule).toEqual({ kind: 'constant' });
    expect(specAugmentOf(typedOff)).toBe(false);
  });

  it('refuse the removed finetune strategy and unknown or malformed settings', () => {
    expect(validateTrain({ strategy: 'finetune' })).toBe(false);
    expect(validateTrain({ finetuneEpochs: 3 })).toBe(false);
    expect(validateTrain({ specAugment: true })).toBe(false);
    expect(validateTrain({ dropout: { dense: 1 } })).toBe(false);
    expect(validateTrain({ selection: { metric: 'wa' } })).toBe(false);
    expect(validateFinetune({ dropout: { dense: 0.1 } })).toBe(false);
    expect(validateTrain({ weightDecayOn: 'kernel' })).toBe(false);
    expect(validateFinetune({ weightDecayOn: ['kernel', 'kernel'] })).toBe(false);
  });
});
