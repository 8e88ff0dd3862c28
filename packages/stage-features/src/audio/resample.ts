import type libsamplerate from '@alexanderolsen/libsamplerate-js';

type Src = Awaited<ReturnType<typeof libsamplerate.create>>;

/** libsamplerate converters: `best` (SRC_SINC_BEST_QUALITY), `medium`, `fastest` (band-limited sinc). */
export type ResampleQuality = 'best' | 'medium' | 'fastest';

export interface ResampleOptions {
  quality?: ResampleQuality;
  /** Input samples per libsamplerate call (the wasm buffer holds ~1e6); exposed for tests. */
  blockSize?: number;
}

const CONVERTER = { best: 0, medium: 1, fastest: 2 } as const;
/** Below the library's wasm transfer buffer (1,008,000 samples), beyond which it mishandles the end. */
const WASM_BUFFER = 800_000;
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
    // libsamplerate's wasm loads on the first resample, not with the plugin.
    // (a UMD bundle: its `create` is on the default export under Node, on the namespace under a
    // loader that applies its own CommonJS interop, e.g. in worker threads run through a TypeScript loader)
    src = import('@alexanderolsen/libsamplerate-js').then((module) => {
      const lib = (module.default ?? module) as typeof libsamplerate;
      return lib.create(1, from, to, { converterType: CONVERTER[quality] });
    });
    converters.set(key, src);
  }
  return src;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Band-limited resampling of mono audio (libsamplerate compiled to wasm). The output has exactly
 * floor(n · to / from) samples, aligned with the input (sample k at time k / to). Long signals are
 * cut into blocks that overlap by more than the sinc filter's reach, so the result equals a
 * one-shot conversion; block edges fall on instants common to both rates. Equal rates return
 * `samples` itself.
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
  const total = Math.floor((samples.length * toRate) / fromRate);
  const unit = fromRate / gcd(fromRate, toRate);
  const align = (n: number): number => Math.max(unit, Math.ceil(n / unit) * unit);
  // Beyond the reach of the longest (best-quality) sinc filter, stretched when downsampling.
  const margin = align(512 * Math.max(1, fromRate / toRate));
  // Trailing zeros let libsamplerate produce every output sample up to the end of the input.
  const padded = new Float32Array(samples.length + margin);
  padded.set(samples);
  const limit = Math.floor(Math.min(options.blockSize ?? WASM_BUFFER, WASM_BUFFER / Math.max(1, ratio)));
  if (padded.length <= limit) return src.simple(padded).slice(0, total);

  const step = Math.floor((limit - 2 * margin) / unit) * unit;
  if (step <= 0) throw new RangeError(`resample: block size ${limit} too small for ${fromRate} → ${toRate}`);
  const out = new Float32Array(total);
  for (let start = 0, written = 0; written < total; start += step) {
    const from = Math.max(0, start - margin);
    const block = src.simple(padded.subarray(from, Math.min(padded.length, start + step + margin)));
    const skip = Math.round((start - from) * ratio);
    const want = Math.min(Math.round(step * ratio), total - written);
    out.set(block.subarray(skip, skip + want), written);
    written += want;
  }
  return out;
}
