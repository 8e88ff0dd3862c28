// features:opensmile against openSMILE's own Python package on real corpus files: eGeMAPSv02 LLD and
// functionals of `Smile.process_file` (opensmile-python, in a reference venv installed from the wheel
// serx provisioned) and of serx (the addon called directly, and the stage end to end in two worker
// threads). Same library, same config, same 16-bit samples: equal to float32 rounding.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { writeUtterances } from '../../src/corpora/utterances-file.ts';
import { opensmileAddon, toPcm16 } from '../../src/opensmile/addon.ts';
import { type OpensmileLevel, opensmileRun } from '../../src/opensmile/feature-sets.ts';
import { findOpensmile, type OpensmileInstallation } from '../../src/opensmile/installation.ts';
import { opensmile } from '../../src/stages/opensmile.ts';
import { openFeatureStore } from '../../src/store/reader.ts';
import { asArtifact, testContext } from '../context.ts';
import { corpusFile } from '../golden/corpora.ts';
import { opensmilePython, type ReferenceFile, referenceFeatures } from './reference.ts';

/** One file per labelled corpus (16 kHz FLAC: the samples are 16-bit, so both sides feed openSMILE the same PCM). */
const FILES = [
  'emodb/wav/03a01Fa.flac',
  'emovo/f1/dis-f1-b1.flac',
  'ravdess/Actor_01/03-01-03-01-01-01-01.flac',
  'savee/AudioData/KL/sa03.flac',
  'tess/OAF_angry/OAF_back_angry.flac',
];

/**
 * Both sides run the same libSMILEapi on the same machine over the same 16-bit samples, so the
 * numbers are equal bit for bit (measured: max |diff| 0 on every value of these files); any
 * difference would be a difference in what serx feeds openSMILE.
 */
const TOLERANCE = 0;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

let installation: OpensmileInstallation;
let python: string;
const reference = new Map<OpensmileLevel, ReferenceFile[]>();
const work = mkdtempSync(join(tmpdir(), 'serx-opensmile-conformance-'));

beforeAll(async () => {
  installation = await findOpensmile('conformance test'); // provisioned by the global setup
  python = await opensmilePython();
  const paths = FILES.map(corpusFile);
  for (const level of ['lld', 'functionals'] as const)
    reference.set(level, referenceFeatures(python, 'eGeMAPSv02', level, paths));
}, 900_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('eGeMAPSv02 conformance with opensmile-python (Smile.process_file)', () => {
  for (const level of ['lld', 'functionals'] as const) {
    it(`${level}: the addon computes what opensmile-python does, file by file`, async () => {
      const run = opensmileRun(installation.configs, 'eGeMAPSv02', level, 16000);
      const addon = opensmileAddon(installation.addon, installation.library);
      const columns = addon.names(run.config, run.options);
      for (const [i, path] of FILES.map(corpusFile).entries()) {
        const want = reference.get(level)![i]!;
        expect(columns).toEqual(want.columns);
        const { samples } = await decodeAudioFile(path, { targetRate: 16000 });
        const got = addon.extract(run.config, run.options, toPcm16(samples));
        expect([got.frames, got.dims], path).toEqual([want.frames, want.columns.length]);
        expect(maxAbsDiff(got.data, want.values), path).toBeLessThanOrEqual(TOLERANCE);
      }
      expect(columns).toHaveLength(level === 'lld' ? 25 : 88);
    }, 120_000);

    it(`${level}: features:opensmile writes the same numbers (two worker threads, normalise: none)`, async () => {
      const dir = join(work, level);
      mkdirSync(dir, { recursive: true });
      const rows = FILES.map((f, i) => ({
        id: `u${i}`,
        corpus: 'mixed',
        path: corpusFile(f),
        speaker: f.split('/')[0]!,
        label: null,
      }));
      await writeUtterances(
        dir,
        { corpus: 'mixed', reader: 'manifest', labelled: false, count: rows.length },
        rows,
      );
      const { ctx } = await testContext(
        opensmile,
        { featureSet: 'eGeMAPSv02', level, normalise: 'none', ...(level === 'lld' ? { minFrames: 0 } : {}) },
        { utterances: asArtifact(dir, 'utterances', ['mixed']) },
        { threads: 2 },
      );
      await opensmile.run(ctx);
      const store = await openFeatureStore(ctx.outputs.features!);
      try {
        expect(store.meta.columns).toEqual(reference.get(level)![0]!.columns);
        expect(store.meta).toMatchObject({
          featureSet: 'eGeMAPSv02',
          level,
          dims: level === 'lld' ? 25 : 88,
        });
        for (const [i, row] of store.rows.entries()) {
          const want = reference.get(level)![i]!;
          expect(row.frames).toBe(want.frames);
          expect(maxAbsDiff(store.read(row), want.values), row.id).toBeLessThanOrEqual(TOLERANCE);
        }
        expect(store.rows).toHaveLength(FILES.length);
      } finally {
        store.close();
      }
    }, 120_000);
  }
});
