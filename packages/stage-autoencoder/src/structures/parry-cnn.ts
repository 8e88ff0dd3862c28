import type { SymbolicTensor } from '@tensorflow/tfjs';
import { defineEncoderStructure, type StructureBuildContext, type Tf } from './registry.ts';

/** One convolution of the encoder; the decoder mirrors it with a transposed convolution. */
export interface ConvLayerParams {
  /** 'fil' in the paper's Figure 1. */
  filters: number;
  /** 'ks': [time, cepstrum]. */
  kernelSize: [number, number];
  /** 'str': [time, cepstrum]. */
  strides: [number, number];
}

export interface ParryCnnParams {
  conv: ConvLayerParams[];
  activation: 'relu' | 'elu' | 'tanh';
  /** Width of the bottleneck sequence. */
  units: number;
  /** ReLU makes the L1 sparsity penalty produce exact zeros. */
  bottleneckActivation: 'relu' | 'linear' | 'tanh';
}

const convLayer = {
  type: 'object',
  additionalProperties: false,
  required: ['filters', 'kernelSize', 'strides'],
  properties: {
    filters: { type: 'integer', minimum: 1 },
    kernelSize: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
    strides: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
  },
};

/**
 * `parry-cnn`: the CNN component of Parry et al. (2019)'s CNN-LSTM, as the seed paper's Figure 1
 * draws it: stacked 2-D convolutions over (time × cepstrum), each with filters / kernel size /
 * strides, then a per-frame projection to the bottleneck sequence that the LSTM (or the decoder)
 * reads. The figure's numbers are not in the paper's text; the defaults are ours: two 3×3 layers
 * of 32 and 64 filters, stride 2 on both axes (downsampling without pooling, so the decoder is an
 * exact mirror), giving 40 ms per bottleneck step and 10 × 64 cepstral features projected to 128
 * ReLU units. Every number is a param.
 */
export const parryCnn = defineEncoderStructure<ParryCnnParams>({
  name: 'parry-cnn',
  description:
    'CNN component of the Parry et al. 2019 CNN-LSTM: strided 2-D convs + per-step dense bottleneck',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      conv: {
        type: 'array',
        minItems: 1,
        items: convLayer,
        default: [
          { filters: 32, kernelSize: [3, 3], strides: [2, 2] },
          { filters: 64, kernelSize: [3, 3], strides: [2, 2] },
        ],
      },
      activation: { enum: ['relu', 'elu', 'tanh'], default: 'relu' },
      units: { type: 'integer', minimum: 1, default: 128 },
      bottleneckActivation: { enum: ['relu', 'linear', 'tanh'], default: 'relu' },
    },
  },
  timeStride: (p) => p.conv.reduce((s, layer) => s * layer.strides[0], 1),
  buildEncoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, ctx.numCeps, 1], name: 'mfcc' });
    let x: SymbolicTensor = input;
    for (const layer of p.conv) {
      x = conv(tf, ctx, layer.filters, layer.kernelSize, layer.strides, p.activation).apply(
        x,
      ) as SymbolicTensor;
    }
    const [, , cepstra, channels] = x.shape as [null, null, number, number];
    x = tf.layers.reshape({ targetShape: [-1, cepstra * channels] }).apply(x) as SymbolicTensor;
    const bottleneck = dense(tf, ctx, p.units, p.bottleneckActivation, 'bottleneck').apply(
      x,
    ) as SymbolicTensor;
    return tf.model({ inputs: input, outputs: bottleneck, name: 'encoder' });
  },
  buildDecoder(tf, p, ctx) {
    const cepstraAfter = p.conv.map((_, i) =>
      p.conv.slice(0, i + 1).reduce((f, l) => Math.ceil(f / l.strides[1]), ctx.numCeps),
    );
    const last = p.conv.length - 1;
    const input = tf.input({ shape: [null, p.units], name: 'bottleneck' });
    let x = dense(tf, ctx, cepstraAfter[last]! * p.conv[last]!.filters, p.activation).apply(
      input,
    ) as SymbolicTensor;
    x = tf.layers
      .reshape({ targetShape: [-1, cepstraAfter[last]!, p.conv[last]!.filters] })
      .apply(x) as SymbolicTensor;
    for (let i = last; i >= 0; i--) {
      const layer = p.conv[i]!;
      const filters = i > 0 ? p.conv[i - 1]!.filters : 1;
      const activation = i > 0 ? p.activation : 'linear';
      x = tf.layers
        .conv2dTranspose({
          filters,
          kernelSize: layer.kernelSize,
          strides: layer.strides,
          padding: 'same',
          activation,
          kernelInitializer: ctx.kernelInitializer(),
        })
        .apply(x) as SymbolicTensor;
    }
    const overshoot = (x.shape[2] as number) - ctx.numCeps;
    if (overshoot > 0)
      x = tf.layers
        .cropping2D({
          cropping: [
            [0, 0],
            [0, overshoot],
          ],
        })
        .apply(x) as SymbolicTensor;
    const out = tf.layers
      .reshape({ targetShape: [-1, ctx.numCeps], name: 'reconstruction' })
      .apply(x) as SymbolicTensor;
    return tf.model({ inputs: input, outputs: out, name: 'decoder' });
  },
});

function conv(
  tf: Tf,
  ctx: StructureBuildContext,
  filters: number,
  kernelSize: [number, number],
  strides: [number, number],
  activation: string,
) {
  return tf.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    activation: activation as 'relu',
    kernelInitializer: ctx.kernelInitializer(),
  });
}

function dense(tf: Tf, ctx: StructureBuildContext, units: number, activation: string, name?: string) {
  return tf.layers.dense({
    units,
    activation: activation as 'relu',
    kernelInitializer: ctx.kernelInitializer(),
    ...(name ? { name } : {}),
  });
}
