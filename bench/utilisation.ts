import { readFileSync } from 'node:fs';

/**
 * The machine's peak single-precision FLOP/s as the benches assume it: `cores × clock × FLOP per
 * cycle`. The clock is /proc/cpuinfo's `cpu MHz` (no turbo); FLOP per cycle is two FMA pipes × SIMD
 * lanes × 2 (a fused multiply-add is two FLOP), with 8 float32 lanes for AVX2/FMA and 16 for
 * AVX-512 on Intel (AMD's Zen 4 executes 512-bit operations as two 256-bit halves: 8 lanes).
 */
export function peakFlops(cores: number): { flops: number; assumption: string } {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return { flops: Number.NaN, assumption: 'no /proc/cpuinfo' };
  }
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const mhz = Number(field('cpu MHz'));
  const flags = new Set(field('flags').split(/\s+/));
  const amd = /AMD/i.test(field('vendor_id')) || /AMD/i.test(field('model name'));
  const lanes = flags.has('avx512f') && !amd ? 16 : flags.has('avx2') || flags.has('fma') ? 8 : 4;
  const fma = flags.has('fma') ? 2 : 1;
  const perCycle = 2 * lanes * fma;
  return {
    flops: cores * mhz * 1e6 * perCycle,
    assumption:
      `${cores} core(s) × ${(mhz / 1000).toFixed(3)} GHz (cpu MHz) × ${perCycle} FLOP/cycle ` +
      `(2 pipes × ${lanes} float32 lanes${fma === 2 ? ' × 2 for FMA' : ''}; ${field('model name')})`,
  };
}

/** Forward FLOPs (2 per multiply-add) of a 'same'-padded strided 2-D convolution over `[b, t, c, cin]`. */
export function convFlops(
  batch: number,
  frames: number,
  ceps: number,
  cin: number,
  filters: number,
  kernel: [number, number],
  strides: [number, number],
): { flops: number; frames: number; ceps: number } {
  const t = Math.ceil(frames / strides[0]);
  const c = Math.ceil(ceps / strides[1]);
  return { flops: 2 * batch * t * c * filters * kernel[0] * kernel[1] * cin, frames: t, ceps: c };
}

/** One convolution layer of an encoder structure's `conv` param. */
export interface ConvLayer {
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
}

/**
 * Forward FLOPs of a stack of convolutions over `[batch, frames, ceps, 1]`, and the shape it leaves
 * (`frames × ceps × cin` per utterance).
 */
export function convStackFlops(
  batch: number,
  frames: number,
  ceps: number,
  layers: readonly ConvLayer[],
): { flops: number; frames: number; ceps: number; cin: number } {
  return layers.reduce(
    (acc, layer) => {
      const c = convFlops(
        batch,
        acc.frames,
        acc.ceps,
        acc.cin,
        layer.filters,
        layer.kernelSize,
        layer.strides,
      );
      return { flops: acc.flops + c.flops, frames: c.frames, ceps: c.ceps, cin: layer.filters };
    },
    { flops: 0, frames, ceps, cin: 1 },
  );
}

/** Forward FLOPs of `rows × inputs` through a dense `inputs → units` layer. */
export const denseFlops = (rows: number, inputs: number, units: number) => 2 * rows * inputs * units;

/** Forward FLOPs of an LSTM's gate products over `batch × steps` (element-wise work not counted). */
export const lstmFlops = (batch: number, steps: number, inputs: number, units: number) =>
  2 * batch * steps * (inputs + units) * 4 * units;

/**
 * Training FLOPs of one step from its forward FLOPs: the backward pass of a matmul or convolution is
 * two products of the forward's size (input and weight gradients), so a step is ~3× the forward
 * (a slight over-count: the first layer needs no input gradient; element-wise ops are ignored).
 */
export const trainingFlops = (forward: number) => 3 * forward;

/** "12.3 GFLOP/s = 7.4 % of <what>" */
export function utilisation(stepFlops: number, stepsPerSecond: number, peak: number, what = 'peak'): string {
  const rate = stepFlops * stepsPerSecond;
  return `${(rate / 1e9).toFixed(1)} GFLOP/s = ${((100 * rate) / peak).toFixed(1)} % of ${what}`;
}
