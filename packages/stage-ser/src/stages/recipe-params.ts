import type { JsonSchema } from '@serx/core/stage';
import type { FitSettings, LrSchedule, SpecAugmentSettings } from '@serx/training';
import type { ClassWeightSetting } from '../training/class-weights.ts';
import type { SelectionMetric } from '../training/trainer.ts';

/**
 * The recipe: params `ser:train` (`train-params.ts`, which adds the model's own) and `ser:finetune`
 * share, the optimisation around the model. Defaults and the reasons for them are in the package
 * README ("Regularisation and balancing").
 */
export interface RecipeParams {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Eligible epochs without a better validation score before stopping (0: never stop early). */
  patience: number;
  weightDecay: number;
  /** Weights the L2 term covers, by the last part of their name (default: every kernel). */
  weightDecayOn: string[];
  specAugment: SpecAugmentSettings;
  clipNorm: number;
  lrSchedule: LrSchedule;
  classWeights: ClassWeightSetting;
  selection: { metric: SelectionMetric; minEpochs: number };
}

/**
 * What L2 covers by default: every kernel of the CNN-LSTM (conv, LSTM input, LSTM recurrent, dense),
 * no bias. The kit's selection used to be the pattern `/kernel$/`, which took the LSTM's
 * `recurrent_kernel` along unsaid; this names it, so models train to what they always did.
 */
export const WEIGHT_DECAY_ON_DEFAULT = ['kernel', 'recurrent_kernel'];
export const SPEC_AUGMENT_DEFAULTS = { timeMasks: 2, timeMaskWidth: 20, freqMasks: 2, freqMaskWidth: 5 };
export const PLATEAU_DEFAULTS = { factor: 0.5, patience: 2, minLr: 0.00001 };

export const dropoutSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'dropout rates; 0 = none',
  properties: {
    conv: {
      type: 'number',
      minimum: 0,
      maximum: 0.9,
      default: 0.1,
      description: 'after each conv block of the encoder',
    },
    lstmInput: {
      type: 'number',
      minimum: 0,
      maximum: 0.9,
      default: 0.2,
      description: 'on the bottleneck sequence',
    },
    lstmRecurrent: {
      type: 'number',
      minimum: 0,
      maximum: 0.9,
      default: 0.1,
      description: 'DropConnect on the recurrent kernel',
    },
    dense: { type: 'number', minimum: 0, maximum: 0.9, default: 0.3, description: 'before each dense layer' },
  },
  default: { conv: 0.1, lstmInput: 0.2, lstmRecurrent: 0.1, dense: 0.3 },
};

/** Schema properties of {@link RecipeParams}; `overrides` changes defaults per stage. */
export function recipeSchema(overrides: {
  epochs: number;
  learningRate: number;
  patience: number;
  minEpochs: number;
}): { [name: string]: JsonSchema } {
  return {
    epochs: { type: 'integer', minimum: 1, default: overrides.epochs },
    batchSize: { type: 'integer', minimum: 1, default: 32 },
    learningRate: {
      type: 'number',
      exclusiveMinimum: 0,
      default: overrides.learningRate,
      description: 'Adam',
    },
    patience: { type: 'integer', minimum: 0, default: overrides.patience },
    weightDecay: {
      type: 'number',
      minimum: 0,
      default: 0.0001,
      description: 'L2 coefficient on the weights weightDecayOn names; 0 = none',
    },
    weightDecayOn: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      uniqueItems: true,
      default: WEIGHT_DECAY_ON_DEFAULT,
      description:
        "weights under L2, by the last part of their name: 'kernel' (conv, dense, LSTM input), 'recurrent_kernel' (LSTM), 'bias'; each must exist in the model",
    },
    specAugment: {
      description: 'masks on training batches, or false; a missing field takes the default shown',
      anyOf: [
        { const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            timeMasks: { type: 'integer', minimum: 0, description: 'default 2' },
            timeMaskWidth: { type: 'integer', minimum: 0, description: 'frames, default 20' },
            freqMasks: { type: 'integer', minimum: 0, description: 'default 2' },
            freqMaskWidth: { type: 'integer', minimum: 0, description: 'coefficients, default 5' },
          },
        },
      ],
      default: SPEC_AUGMENT_DEFAULTS,
    },
    clipNorm: { type: 'number', minimum: 0, default: 5, description: 'global gradient norm; 0 = none' },
    lrSchedule: {
      description:
        'constant, or reduce-on-plateau of the validation loss; a missing field takes the default shown',
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: { kind: { const: 'constant' } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: {
            kind: { const: 'plateau' },
            factor: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'default 0.5' },
            patience: { type: 'integer', minimum: 1, description: 'epochs, default 2' },
            minLr: { type: 'number', minimum: 0, description: 'default 0.00001' },
          },
        },
      ],
      default: { kind: 'plateau', ...PLATEAU_DEFAULTS },
    },
    classWeights: {
      anyOf: [
        { enum: ['none', 'balanced'] },
        { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
      ],
      default: 'balanced',
    },
    selection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        metric: { enum: ['ua_corpus_mean', 'ua'], default: 'ua_corpus_mean' },
        minEpochs: { type: 'integer', minimum: 1, default: overrides.minEpochs },
      },
      default: { metric: 'ua_corpus_mean', minEpochs: overrides.minEpochs },
    },
  };
}

/** The kit's fit settings from the recipe params (filling defaults ajv leaves out inside `anyOf`). */
export function fitSettingsOf(p: RecipeParams, seed: number): FitSettings {
  return {
    epochs: p.epochs,
    learningRate: p.learningRate,
    lrSchedule: p.lrSchedule.kind === 'plateau' ? { ...PLATEAU_DEFAULTS, ...p.lrSchedule } : p.lrSchedule,
    patience: p.patience,
    minEpochs: p.selection.minEpochs,
    minDelta: 0,
    weightDecay: p.weightDecay,
    weightDecayOn: p.weightDecayOn,
    clipNorm: p.clipNorm,
    seed,
  };
}

/** SpecAugment settings with defaults filled in. */
export function specAugmentOf(p: RecipeParams): SpecAugmentSettings {
  return p.specAugment === false ? false : { ...SPEC_AUGMENT_DEFAULTS, ...p.specAugment };
}
