import type { Json, JsonSchema } from '@serx/core/stage';
import type { DropoutRates } from '../model/cnn-lstm.ts';
import type { LstmImpl } from '../model/lstm-sequence.ts';
import { dropoutSchema, type RecipeParams, recipeSchema } from './recipe-params.ts';

/** Params of `ser:train` (defaults from the paper where it gives them; measured or argued otherwise). */
export interface TrainParams extends RecipeParams {
  /** `scratch`: random encoder trained with the LSTM; `frozen`: pretrained encoder, frozen (the paper's method). Fine-tuning is `ser:finetune`. */
  strategy: 'scratch' | 'frozen';
  /** Encoder structure for `scratch` (with `frozen` the encoder artifact's own is used). */
  structure: { name: string; params: { [key: string]: Json } };
  /** Softmax classes in order; null = the sorted classes of the training rows. */
  classes: string[] | null;
  lstmUnits: number;
  /** Units of the last hidden layer (the embedding `ser:predict` writes). */
  hiddenUnits: number;
  dropout: DropoutRates;
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
    strategy: { enum: ['scratch', 'frozen'], default: 'frozen' },
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
    dropout: dropoutSchema,
    ...recipeSchema({ epochs: 30, learningRate: 0.001, patience: 5, minEpochs: 5 }),
    minFrames: { type: 'integer', minimum: 1, default: 100 },
    maxFrames: { type: 'integer', minimum: 1, default: 1500 },
    padMultiple: { type: 'integer', minimum: 1, default: 32 },
    lstmImpl: { enum: ['auto', 'fused', 'cellgrad', 'block', 'autodiff'], default: 'auto' },
  },
};
