// python/serx_predictions.py against the TypeScript writer of ser:predict / ser:baseline: the same
// predictions give the same bytes, the `predictions` type check accepts them, and names a bad row.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureStoreWriter } from '@serx/stage-features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referencePython } from '../../../../bench/python-venv.ts';
import { predictionsStoreProblem } from './check-predictions.ts';
import { readPredictionsStore } from './predictions-store.ts';

const pythonDir = join(import.meta.dirname, '..', '..', 'python');
const featuresPython = join(import.meta.dirname, '..', '..', '..', 'stage-features', 'python');
let python: string;
let dir: string;
beforeAll(async () => {
  python = referencePython('sklearn-venv', 'import numpy, sklearn', () => ['numpy', 'scikit-learn']);
  dir = await mkdtemp(join(tmpdir(), 'serx-pypred-'));
}, 600_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

function runPython(code: string, ...args: string[]): string {
  return execFileSync(python, ['-c', code, ...args], {
    env: { ...process.env, PYTHONPATH: pythonDir },
    encoding: 'utf8',
  });
}

const classes = ['negative', 'neutral', 'positive'];
const input = [
  {
    id: 'a',
    corpus: 'emodb',
    speaker: '03',
    label: 'anger',
    class: 'negative',
    split: 'test',
    frames: 300,
    shard: 0,
    offset: 0,
    rawFrames: 280,
    duration: 2.81,
  },
  {
    id: 'b',
    corpus: 'tess',
    speaker: 'OAF',
    label: 'happy',
    class: 'positive',
    split: null,
    frames: 120,
    shard: 0,
    offset: 12000,
    rawFrames: 120,
    duration: 1.2,
  },
  {
    id: 'c',
    corpus: 'tess',
    speaker: 'YAF',
    label: 'neutral',
    class: 'neutral',
    split: null,
    frames: 200,
    shard: 1,
    offset: 0,
    rawFrames: 150,
    duration: 1.5,
  },
];
const probs = [
  [0.7, 0.2, 0.1],
  [Math.fround(0.1), Math.fround(0.3), Math.fround(0.6)],
  [1, 0, 0],
];
const embeddings = input.map((_, i) => Float32Array.from({ length: 4 }, (_, j) => (i + 1) * 0.25 - j * 1e-3));

describe('serx_predictions.py', () => {
  it('writes byte-for-byte what the TypeScript predictions writer writes; the type check accepts it', async () => {
    const ts = join(dir, 'ts');
    // as ser:baseline and ser:predict write them
    const writer = await FeatureStoreWriter.create(ts, {
      dims: 4,
      meta: { kind: 'predictions', classes, strategy: 'svm', trainCorpora: ['emodb'], splits: ['test'] },
    });
    for (const [i, row] of input.entries()) {
      const { frames: _f, shard: _s, offset: _o, ...fields } = row;
      const p = probs[i]!;
      await writer.append({ ...fields, probs: p, pred: classes[p.indexOf(Math.max(...p))]! }, embeddings[i]!);
    }
    await writer.close();

    const spec = join(dir, 'input.json');
    await writeFile(spec, JSON.stringify({ input, probs, embeddings: embeddings.map((e) => Array.from(e)) }));
    const py = join(dir, 'py');
    runPython(
      `import json, sys
from serx_predictions import PredictionsWriter
spec = json.load(open(sys.argv[1]))
w = PredictionsWriter(sys.argv[2], ${JSON.stringify(classes)}, train_corpora=["emodb"], strategy="svm")
for row, p, e in zip(spec["input"], spec["probs"], spec["embeddings"]):
    w.append(row, p, embedding=e)
w.close()`,
      spec,
      py,
    );
    const names = (await readdir(ts)).sort();
    expect((await readdir(py)).sort()).toEqual(names);
    for (const name of names)
      expect(await readFile(join(py, name)), name).toEqual(await readFile(join(ts, name)));
    expect(await predictionsStoreProblem(py)).toBeUndefined();
    const store = await readPredictionsStore(py);
    expect(store.rows.map((r) => [r.id, r.pred, r.split])).toEqual([
      ['a', 'negative', 'test'],
      ['b', 'positive', 'none'],
      ['c', 'negative', 'none'],
    ]);
    store.close();

    const read = JSON.parse(
      runPython(
        `import json, sys
from serx_predictions import open_predictions
s = open_predictions(sys.argv[1])
print(json.dumps([[r["id"], r["pred"], s.read(r).astype(float).ravel().tolist()] for r in s.rows]))`,
        ts,
      ),
    );
    expect(read).toEqual(
      input.map((r, i) => [r.id, ['negative', 'positive', 'negative'][i], Array.from(embeddings[i]!)]),
    );
  });

  it('makes the predictions check name what is wrong', async () => {
    const bad = join(dir, 'bad');
    runPython(
      `import sys
from serx_predictions import PredictionsWriter
w = PredictionsWriter(sys.argv[1], ["a", "b"], train_corpora=[])
w.append({"id": "u1", "corpus": "c", "speaker": "s", "label": "x", "class": "a", "split": "test"}, [0.4, 0.6], pred="z")
w.close()`,
      bad,
    );
    expect(await predictionsStoreProblem(bad)).toBe("row 'u1': pred 'z' is not one of meta.classes (a, b)");
    const features = join(dir, 'features');
    runPython(
      `import sys
from serx_predictions import FeatureStoreWriter
w = FeatureStoreWriter(sys.argv[1], dims=2)
w.append({"id": "u1", "corpus": "c", "speaker": "s", "label": "x", "class": "a", "split": "test"}, [1, 2])
w.close()`,
      features,
    );
    expect(await predictionsStoreProblem(features)).toMatch(/row 'u1' lacks string field 'pred'/);
  });

  it('shares its store I/O with serx_features.py, character for character', async () => {
    const block = (text: string) =>
      text.slice(text.indexOf('FORMAT = '), text.indexOf('# --- end of store I/O ---'));
    const own = await readFile(join(pythonDir, 'serx_predictions.py'), 'utf8');
    const features = await readFile(join(featuresPython, 'serx_features.py'), 'utf8');
    expect(block(own).length).toBeGreaterThan(1000);
    expect(block(own)).toBe(block(features));
  });
});
