import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('./', import.meta.url));

export interface GoldenArray {
  file: string;
  frames: number;
  dims: number;
}

export interface Golden {
  versions: Record<string, string>;
  utterances: {
    name: string;
    path: string;
    sampleRate: number;
    samples: number;
    sha256: string;
    presets: Record<'python_speech_features' | 'librosa' | 'kaldi', GoldenArray>;
  }[];
  opus: { path: string; sampleRate: number; samples: number; sha256: string; python_speech_features: GoldenArray };
  rawSamples: { path: string; format: string; channels: number; sampleRate: number; samples: number; sha256: string }[];
}

export const golden: Golden = JSON.parse(readFileSync(`${HERE}golden.json`, 'utf8'));

export function readGoldenArray(entry: GoldenArray): Float32Array {
  const bytes = readFileSync(`${HERE}${entry.file}`);
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  if (out.length !== entry.frames * entry.dims) throw new Error(`${entry.file}: ${out.length} values, expected ${entry.frames}×${entry.dims}`);
  return out;
}

export function sha256Float32(samples: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)).digest('hex');
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
