/**
 * MFCC-only throughput, serx vs python_speech_features, on the same decoded signals in the same
 * run (one core each; the Python side times itself in a child process). Target: ≥ 3× faster.
 * serx is timed twice: the C kernel (native/mfcc-kernel.c, what features:mfcc uses when setup
 * built it) and the JavaScript fallback pipeline.
 * Both sides are timed in CPU time of their process (best of N interleaved rounds): on a shared,
 * loaded machine wall time mostly measures the neighbours.
 *
 *   node --import @serx/core/typescript/import packages/stage-features/bench/mfcc.bench.ts [--per-corpus 20] [--rounds 3]
 *
 * Also times the librosa and kaldi presets against librosa and kaldi-native-fbank (for context).
 * The Python references live in the golden venv (~/.cache/serx/golden-venv, created here on first
 * use with the packages test/golden/make_golden.py needs); $SERX_GOLDEN_PYTHON overrides its path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { referencePython } from '../../../bench/python-venv.ts';
import { decodeAudioFile } from '../src/audio/index.ts';
import { MfccExtractor } from '../src/mfcc/extractor.ts';
import { type MfccPresetName, resolveMfccOptions } from '../src/mfcc/presets.ts';
import { CORPORA_ROOT } from '../test/golden/corpora.ts';

const { values } = parseArgs({
  options: { 'per-corpus': { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } },
});
const perCorpus = Number(values['per-corpus']);
const rounds = Number(values.rounds);
/** The reference implementations, pinned so that timings compare the same code run to run. */
const GOLDEN_PACKAGES = [
  'python_speech_features==0.6',
  'numpy==2.4.6',
  'soundfile==0.14.0',
  'librosa==0.11.0',
  'kaldi-native-fbank==1.23.0',
];
const python =
  process.env.SERX_GOLDEN_PYTHON ??
  referencePython(
    'golden-venv',
    'import python_speech_features, librosa, kaldi_native_fbank, soundfile',
    () => GOLDEN_PACKAGES,
  );

function* audioFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* audioFiles(path);
    else if (entry.name.endsWith('.flac')) yield path;
  }
}

// A spread of utterances: the first N (by path) of every labelled corpus.
const paths = ['emodb', 'emovo', 'savee', 'ravdess', 'tess'].flatMap((corpus) => {
  const all = [...audioFiles(join(CORPORA_ROOT, corpus))];
  const stride = Math.max(1, Math.floor(all.length / perCorpus));
  return all.filter((_, i) => i % stride === 0).slice(0, perCorpus);
});
const signals = await Promise.all(paths.map(async (p) => (await decodeAudioFile(p)).samples));
const audioSec = signals.reduce((s, x) => s + x.length, 0) / 16000;

const dir = await mkdtemp(join(tmpdir(), 'serx-bench-mfcc-'));
const concat = new Float32Array(signals.reduce((s, x) => s + x.length, 0));
let offset = 0;
for (const x of signals) {
  concat.set(x, offset);
  offset += x.length;
}
await writeFile(join(dir, 'signals.f32'), concat);
await writeFile(join(dir, 'lengths.json'), JSON.stringify(signals.map((x) => x.length)));

const PY = `
import json, sys, time
import numpy as np, python_speech_features as psf
d, which = sys.argv[1], sys.argv[2]
lengths = json.load(open(d + '/lengths.json'))
flat = np.fromfile(d + '/signals.f32', dtype='<f4')
signals = np.split(flat, np.cumsum(lengths)[:-1])
if which == 'python_speech_features':
    signals = [x.astype(np.float64) for x in signals]
    run = lambda x: psf.mfcc(x, 16000, 0.025, 0.01, numcep=40, nfilt=40, nfft=512, preemph=0.97,
                             ceplifter=0, appendEnergy=False, winfunc=np.hamming)
elif which == 'librosa':
    import librosa
    run = lambda x: librosa.feature.mfcc(y=x, sr=16000, n_mfcc=40)
else:
    import kaldi_native_fbank as knf
    opts = knf.MfccOptions(); opts.frame_opts.dither = 0; opts.mel_opts.num_bins = 40; opts.num_ceps = 40
    signals = [(x * 32768).tolist() for x in signals]
    def run(x):
        m = knf.OnlineMfcc(opts); m.accept_waveform(16000, x); m.input_finished()
        return [m.get_frame(i) for i in range(m.num_frames_ready)]
for x in signals:  # warm-up pass, as on the JS side (plan caches, allocator)
    run(x)
t, w = time.process_time(), time.perf_counter()
for x in signals:
    run(x)
print(json.dumps({"cpu": time.process_time() - t, "wall": time.perf_counter() - w}))
`;

interface Timing {
  cpu: number;
  wall: number;
}

type Pipeline = 'native' | 'js';

const extractors = new Map<string, MfccExtractor>();
function timeJs(preset: MfccPresetName, pipeline: Pipeline = 'native'): Timing {
  const key = `${preset}/${pipeline}`;
  let extractor = extractors.get(key);
  if (!extractor) {
    extractor = new MfccExtractor(resolveMfccOptions({ preset }), pipeline === 'js' ? 'js' : 'auto');
    if (extractor.pipeline !== pipeline) {
      console.error('the MFCC C kernel is not built: run `npm run setup` (native/build.mjs)');
      process.exit(1);
    }
    extractors.set(key, extractor);
  }
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (const x of signals) extractor.compute(x);
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / 1e6, wall: (performance.now() - wall) / 1000 };
}

function timePython(preset: MfccPresetName = 'python_speech_features'): Timing {
  // One thread for numpy's BLAS too, so both sides use one core.
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync(python, ['-c', PY, dir, preset], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`Python ${preset} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Timing;
}

const fmt = (t: Timing) => `${t.cpu.toFixed(3)} s CPU (${t.wall.toFixed(3)} s wall)`;
const best = (ts: Timing[]) => ts.reduce((a, b) => (b.cpu < a.cpu ? b : a));

try {
  timeJs('python_speech_features'); // warm-up (JIT, allocator)
  timeJs('python_speech_features', 'js');
  const native: Timing[] = [];
  const js: Timing[] = [];
  const py: Timing[] = [];
  // Interleaved rounds so all sides see the same machine load; best of N for each.
  for (let i = 0; i < rounds; i++) {
    native.push(timeJs('python_speech_features'));
    js.push(timeJs('python_speech_features', 'js'));
    py.push(timePython());
    console.log(
      `round ${i + 1}: serx C kernel ${fmt(native[i]!)}, serx JS ${fmt(js[i]!)}, python_speech_features ${fmt(py[i]!)}`,
    );
  }
  const bestNative = best(native);
  const bestJs = best(js);
  const bestPy = best(py);
  const speedup = bestPy.cpu / bestNative.cpu;
  const rtf = (t: Timing) => `${(audioSec / t.cpu).toFixed(0)}× real time per core`;
  console.log(
    `\n${signals.length} utterances, ${audioSec.toFixed(1)} s of 16 kHz audio; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log(`serx MFCC, C kernel (python_speech_features preset): ${fmt(bestNative)} → ${rtf(bestNative)}`);
  console.log(
    `serx MFCC, JS fallback:                             ${fmt(bestJs)} → ${rtf(bestJs)} (${(bestPy.cpu / bestJs.cpu).toFixed(2)}×)`,
  );
  console.log(`python_speech_features.mfcc:                        ${fmt(bestPy)} → ${rtf(bestPy)}`);
  const references = { librosa: 'librosa.feature.mfcc', kaldi: 'kaldi_native_fbank.OnlineMfcc' } as const;
  for (const preset of ['librosa', 'kaldi'] as const) {
    const ours = best(Array.from({ length: rounds }, () => timeJs(preset)));
    const theirs = best(Array.from({ length: rounds }, () => timePython(preset)));
    console.log(`serx MFCC (${preset} preset): ${fmt(ours)} → ${rtf(ours)}`);
    console.log(
      `  ${references[preset]}: ${fmt(theirs)} → ${rtf(theirs)}; serx ${(theirs.cpu / ours.cpu).toFixed(2)}× as fast`,
    );
  }
  console.log(
    `speed-up of the C kernel vs python_speech_features (CPU time): ${speedup.toFixed(2)}× (target ≥ 3×: ${speedup >= 3 ? 'met' : 'NOT met'})`,
  );
  if (speedup < 3) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
