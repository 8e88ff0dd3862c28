import libsamplerate from '@alexanderolsen/libsamplerate-js';

type Src = Awaited<ReturnType<typeof libsamplerate.create>>;

/** libsamplerate converters: `best` (SRC_SINC_BEST_QUALITY), `medium`, `fastest` (band-limited sinc). */
export type ResampleQuality = 'best' | 'medium' | 'fastest';

export interface ResampleOptions {
  quality?: ResampleQuality;
  /** Input samples per libsamplerate call (the wasm buffer holds ~1e6); exposed for tests. */
  blockSize?: number;
}

const CONVERTER = { best: 0, medium: 1, fastest: 2 } as const;
/** The library's wasm transfer buffer, in samples. */
const WASM_BUFFER = 1_000_000;
const CACHE_LIMIT = 4;

// Each converter instance owns a ~26 MB wasm heap: keep a few per thread, created on first use.
const converters = new Map<string, Promise<Src>>();

function converter(from: number, to: number, quality: ResampleQuality): Promise<Src> {
  const key = `${from}:${to}:${quality}`;
  let src = converters.get(key);
  if (!src) {
    if (converters.size >= CACHE_LIMIT) {
      const [oldKey, old] = converters.entries().next().value as [string, Promise<Src>];
      converters.delete(oldKey);
      void old.then((s) => s.destroy());
    }
    src = libsamplerate.create(1, from, to, { converterType: CONVERTER[quality] });
    converters.set(key, src);
  }
  return src;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Band-limited resampling of mono audio (libsamplerate compiled to wasm). Long signals are cut
 * into blocks that overlap by more than the sinc filter's reach, so the result equals a one-shot
 * conversion; block edges fall on sample instants common to both rates.
 */
export async function resample(
  samples: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Promise<Float32Array> {
  if (fromRate === toRate) return samples;
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
    throw new RangeError(`resample: rates must be positive integers (got ${fromRate} → ${toRate})`);
  }
  const src = await converter(fromRate, toRate, options.quality ?? 'medium');
  const ratio = toRate / fromRate;
  const limit = Math.floor(Math.min(options.blockSize ?? WASM_BUFFER, WASM_BUFFER / Math.max(1, ratio)) * 0.8);
  if (samples.length <= limit) return src.simple(samples);

  const unit = fromRate / gcd(fromRate, toRate);
  const align = (n: number): number => Math.max(unit, Math.floor(n / unit) * unit);
  const margin = align(Math.ceil((512 * Math.max(1, fromRate / toRate)) / unit + 1) * unit);
  const step = align(limit - 2 * margin);
  if (step <= 0) throw new RangeError(`resample: block size ${limit} too small for ${fromRate} → ${toRate}`);
  // An upper bound: the last block decides the exact length, as a one-shot call would.
  const total = Math.ceil(samples.length * ratio) + 1;
  const out = new Float32Array(total);
  let written = 0;
  for (let start = 0; start < samples.length; start += step) {
    const from = Math.max(0, start - margin);
    const to = Math.min(samples.length, start + step + margin);
    const block = src.simple(samples.subarray(from, to));
    const skip = Math.round((start - from) * ratio);
    const want = Math.min(Math.round(step * ratio), total - written);
    out.set(block.subarray(skip, skip + want), written);
    written += Math.max(0, Math.min(want, block.length - skip));
  }
  return written === total ? out : out.subarray(0, written);
}
