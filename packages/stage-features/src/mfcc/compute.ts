import { MfccExtractor } from './extractor.ts';
import type { MfccMatrix, MfccOptions } from './options.ts';
import { type MfccPresetName, resolveMfccOptions } from './presets.ts';

const CACHE_LIMIT = 8;
// Module state is per thread (each worker has its own module instance), so this cache is too.
const extractors = new Map<string, MfccExtractor>();

function extractorFor(options: MfccOptions): MfccExtractor {
  const key = JSON.stringify(options);
  let extractor = extractors.get(key);
  if (!extractor) {
    if (extractors.size >= CACHE_LIMIT) extractors.delete(extractors.keys().next().value as string);
    extractor = new MfccExtractor(options);
    extractors.set(key, extractor);
  }
  return extractor;
}

/**
 * MFCCs of mono samples (frames × numCeps, row-major, before normalisation). Options default to
 * the `python_speech_features` preset (the paper's recipe); pass `preset` to start from another.
 *
 * @example
 * ```ts
 * const { samples } = await decodeAudioFile('emodb/wav/03a01Fa.flac');
 * const { data, frames, dims } = computeMfcc(samples); // dims = 40
 * const features = padFrames(normaliseUtterance({ data, frames, dims }), 100);
 * ```
 */
export function computeMfcc(
  samples: Float32Array,
  options: Partial<MfccOptions> & { preset?: MfccPresetName } = {},
): MfccMatrix {
  return extractorFor(resolveMfccOptions(options)).compute(samples);
}
