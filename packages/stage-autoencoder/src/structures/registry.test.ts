import type { SymbolicTensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { tf } from '../../test/tf.ts';
import { buildStructure } from './build.ts';
import { resolveStructureParams } from './params.ts';
import {
  defineEncoderStructure,
  getEncoderStructure,
  listEncoderStructures,
  registerEncoderStructure,
  unregisterEncoderStructure,
} from './registry.ts';

const tiny = defineEncoderStructure<{ filters: number }>({
  name: 'test-tiny',
  description: 'one conv layer',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: { filters: { type: 'integer', minimum: 1, default: 2 } },
  },
  buildEncoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, ctx.numCeps, 1] });
    const conv = tf.layers
      .conv2d({
        filters: p.filters,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: ctx.kernelInitializer(),
      })
      .apply(input);
    const seq = tf.layers
      .reshape({ targetShape: [-1, ctx.numCeps * p.filters] })
      .apply(conv) as SymbolicTensor;
    return tf.model({ inputs: input, outputs: seq });
  },
  buildDecoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, ctx.numCeps * p.filters] });
    const out = tf.layers
      .dense({ units: ctx.numCeps, kernelInitializer: ctx.kernelInitializer() })
      .apply(input) as SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  },
  timeStride: () => 1,
});

describe('encoder-structure registry', () => {
  it('registers, finds, and refuses a second structure under the same name', () => {
    registerEncoderStructure(tiny);
    registerEncoderStructure(tiny); // same object again: no-op
    expect(getEncoderStructure('test-tiny')).toBe(tiny);
    expect(listEncoderStructures().map((s) => s.name)).toContain('test-tiny');
    expect(() => registerEncoderStructure({ ...tiny })).toThrowError(
      expect.objectContaining({ code: 'autoencoder:ENCODER_STRUCTURE_DUPLICATE' }),
    );
    unregisterEncoderStructure('test-tiny');
  });

  it('names the registered structures when asked for an unknown one', () => {
    registerEncoderStructure(tiny);
    try {
      getEncoderStructure('nope');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'autoencoder:ENCODER_STRUCTURE_UNKNOWN' });
      expect((e as Error).message).toMatch(
        /unknown encoder structure 'nope'; registered structures: .*test-tiny/,
      );
    } finally {
      unregisterEncoderStructure('test-tiny');
    }
  });

  it('applies schema defaults and reports bad params by path', () => {
    expect(resolveStructureParams(tiny, {})).toEqual({ filters: 2 });
    expect(() => resolveStructureParams(tiny, { filters: 0, extra: 1 })).toThrowError(
      /params of encoder structure 'test-tiny': \/extra is not a param of this structure; \/filters must be >= 1/,
    );
  });

  it('builds seeded models with checked shapes', () => {
    registerEncoderStructure(tiny);
    const a = buildStructure(tf, { name: 'test-tiny' }, { numCeps: 5, seed: 3 });
    const b = buildStructure(tf, { name: 'test-tiny' }, { numCeps: 5, seed: 3 });
    const c = buildStructure(tf, { name: 'test-tiny' }, { numCeps: 5, seed: 4 });
    expect(a.ref).toEqual({ name: 'test-tiny', params: { filters: 2 } });
    expect(a.units).toBe(10);
    const wa = a.encoder.getWeights()[0]!.dataSync();
    expect(Array.from(b.encoder.getWeights()[0]!.dataSync())).toEqual(Array.from(wa));
    expect(Array.from(c.encoder.getWeights()[0]!.dataSync())).not.toEqual(Array.from(wa));
    unregisterEncoderStructure('test-tiny');
  });
});
