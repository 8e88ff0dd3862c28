import type { SymbolicTensor } from '@tensorflow/tfjs';
import { defineEncoderStructure } from './registry.ts';

export interface TemporalConv1dParams {
  /** 1-D convolutions over time; the cepstral coefficients are the input channels. */
  conv: { filters: number; kernelSize: number; strides: number }[];
  activation: 'relu' | 'elu' | 'tanh';
  units: number;
  bottleneckActivation: 'relu' | 'linear' | 'tanh';
}

/**
 * `temporal-conv1d`: the ablation against `parry-cnn`. Convolves only along time, treating the
 * 40 coefficients of a frame as channels (no weight sharing across the cepstrum), then projects
 * each step to the bottleneck. Defaults: kernels of 5 frames, 64 and 128 filters, stride 2 twice
 * (the same 40 ms bottleneck step as `parry-cnn`, so the two are interchangeable in a CNN-LSTM).
 */
export const temporalConv1d = defineEncoderStructure<TemporalConv1dParams>({
  name: 'temporal-conv1d',
  description: '1-D convolutions over time with the MFCCs as channels + per-step dense bottleneck',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      conv: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['filters', 'kernelSize', 'strides'],
          properties: {
            filters: { type: 'integer', minimum: 1 },
            kernelSize: { type: 'integer', minimum: 1 },
            strides: { type: 'integer', minimum: 1 },
          },
        },
        default: [
          { filters: 64, kernelSize: 5, strides: 2 },
          { filters: 128, kernelSize: 5, strides: 2 },
        ],
      },
      activation: { enum: ['relu', 'elu', 'tanh'], default: 'relu' },
      units: { type: 'integer', minimum: 1, default: 128 },
      bottleneckActivation: { enum: ['relu', 'linear', 'tanh'], default: 'relu' },
    },
  },
  timeStride: (p) => p.conv.reduce((s, layer) => s * layer.strides, 1),
  buildEncoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, ctx.numCeps, 1], name: 'mfcc' });
    let x = tf.layers.reshape({ targetShape: [-1, ctx.numCeps] }).apply(input) as SymbolicTensor;
    for (const layer of p.conv) {
      x = tf.layers
        .conv1d({
          ...layer,
          padding: 'same',
          activation: p.activation,
          kernelInitializer: ctx.kernelInitializer(),
        })
        .apply(x) as SymbolicTensor;
    }
    const bottleneck = tf.layers
      .dense({
        units: p.units,
        activation: p.bottleneckActivation,
        kernelInitializer: ctx.kernelInitializer(),
        name: 'bottleneck',
      })
      .apply(x) as SymbolicTensor;
    return tf.model({ inputs: input, outputs: bottleneck, name: 'encoder' });
  },
  buildDecoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, p.units], name: 'bottleneck' });
    // A time-only transposed convolution is a 2-D one over [time, 1]: tfjs has no conv1dTranspose.
    let x = tf.layers.reshape({ targetShape: [-1, 1, p.units] }).apply(input) as SymbolicTensor;
    for (let i = p.conv.length - 1; i >= 0; i--) {
      const layer = p.conv[i]!;
      const filters = i > 0 ? p.conv[i - 1]!.filters : ctx.numCeps;
      x = tf.layers
        .conv2dTranspose({
          filters,
          kernelSize: [layer.kernelSize, 1],
          strides: [layer.strides, 1],
          padding: 'same',
          activation: i > 0 ? p.activation : 'linear',
          kernelInitializer: ctx.kernelInitializer(),
        })
        .apply(x) as SymbolicTensor;
    }
    const out = tf.layers
      .reshape({ targetShape: [-1, ctx.numCeps], name: 'reconstruction' })
      .apply(x) as SymbolicTensor;
    return tf.model({ inputs: input, outputs: out, name: 'decoder' });
  },
});
