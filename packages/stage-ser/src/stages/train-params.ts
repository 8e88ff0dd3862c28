import type { Json, JsonSchema } from '@serx/core';
import type { LstmImpl } from '../model/lstm-sequence.ts';
import type { ClassWeightSetting } from '../training/class-weights.ts';

/** Params of `ser:train` (defaults from the paper where it gives them; ours otherwise). */
export interface TrainParams {
  /** `scratch`: random encoder trained with the LSTM; `frozen`: pretrained encoder, frozen (the paper's method); `finetune`: frozen, then unfrozen at `finetuneLearningRate`. */
  strategy: 'scratch' | 'frozen' | 'finetune';
  /** Encoder structure for `scratch` (with `frozen`/`finetune` the encoder artifact's own is used). */
  structure: { name: string; params: { [key: string]: Json } };
  /** Softmax classes in order; null = the sorted classes of the training rows. */
  classes: string[] | null;
  lstmUnits: number;
  /** Units of the last hidden layer (the embedding `ser:predict` writes). */
  hiddenUnits: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a better validation UA before stopping (0: never stop early). */
  patience: number;
  finetuneEpochs: number;
  finetuneLearningRate: number;
  classWeights: ClassWeightSetting;
  minFrames: number;
  maxFrames: number;
  /** Padded batch lengths are multiples of this (and of the time stride): bounds distinct shapes. */
  padMultiple: number;
  /** How the LSTM runs; not part of the maths (`auto`: fused native kernels when available). */
  lstmImpl: LstmImpl;
}

export const trainParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    strategy: { enum: ['scratch', 'frozen', 'finetune'], default: 'frozen' },
    structure: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1 }, params: { type: 'object', default: {} } },
      default: { name: 'parry-cnn', params: {} },
    },
    classes: {
      anyOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' }, minItems: 2, uniqueItems: true }],
      default: null,
    },
    lstmUnits: { type: 'integer', minimum: 1, default: 128 },
    hiddenUnits: { type: 'integer', minimum: 1, default: 64 },
    epochs: { type: 'integer', minimum: 1, default: 30 },
    batchSize: { type: 'integer', minimum: 1, default: 32 },
    learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
    patience: { type: 'integer', minimum: 0, default: 5 },
    finetuneEpochs: { type: 'integer', minimum: 1, default: 10 },
    finetuneLearningRate: { type: 'number', exclusiveMinimum: 0, default: 0.0001 },
    classWeights: {
      anyOf: [
        { enum: ['none', 'balanced'] },
        { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
      ],
      default: 'none',
    },
    minFrames: { type: 'integer', minimum: 1, default: 100 },
    maxFrames: { type: 'integer', minimum: 1, default: 1500 },
    padMultiple: { type: 'integer', minimum: 1, default: 32 },
    lstmImpl: { enum: ['auto', 'cellgrad', 'block', 'autodiff'], default: 'auto' },
  },
};
