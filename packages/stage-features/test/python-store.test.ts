// python/serx_features.py against the TypeScript store: the same rows, data and meta give the same
// bytes, and each reads what the other wrote. Python with numpy from the reference venv
// (~/.cache/serx/sklearn-venv, created on first use).
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referencePython } from '../../../bench/python-venv.ts';
import {
  type FeatureRowInput,
  FeatureStoreWriter,
  featureStoreProblem,
  openFeatureStore,
} from '../src/store/index.ts';

const pythonDir = join(import.meta.dirname, '..', 'python');
let python: string;
let dir: string;
beforeAll(async () => {
  python = referencePython('sklearn-venv', 'import numpy, sklearn', () => ['numpy', 'scikit-learn']);
  dir = await mkdtemp(join(tmpdir(), 'serx-pystore-'));
}, 600_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

function runPython(code: string, ...args: string[]): string {
  return execFileSync(python, ['-c', code, ...args], {
    env: { ...process.env, PYTHONPATH: pythonDir },
    encoding: 'utf8',
  });
}

const dims = 3;
const rows: FeatureRowInput[] = [
  { id: 'a01', corpus: 'emodb', speaker: '03', label: 'anger', class: 'negative', split: 'train' },
  {
    id: 'ü "quoted" \\ \n tab\t',
    corpus: 'emodb',
    speaker: '08',
    gender: 'female',
    label: null,
    class: null,
    split: null,
  },
  {
    id: 'x',
    corpus: 'tess',
    speaker: 'OAF',
    label: 'happy',
    class: 'positive',
    split: 'test',
    score: 1e-7,
    big: 1e21,
    third: Math.fround(1 / 3),
    whole: 2,
    neg: -0.5,
    flag: true,
    nested: { a: [], b: {}, c: [1.5, 'z'] },
  },
  {
    id: 'y',
    corpus: 'tess',
    speaker: 'YAF',
    label: 'neutral',
    class: 'neutral',
    split: 'test',
    small: 0.000001,
    tiny: 1.5e-6,
  },
  { id: 'z', corpus: 'savee', speaker: 'DC', label: 'sad', class: 'negative', split: 'validation' },
];
const data = rows.map((_, i) =>
  Float32Array.from({ length: (i + 2) * dims }, (_, j) => Math.sin(i * 7 + j) * 10 ** (j % 5) - 0.1),
);
const meta = {
  corpus: 'emodb',
  preset: 'python_speech_features',
  mfcc: { numCeps: 3, lowFreq: 0, highFreq: null, dither: 1e-5 },
  normalise: true,
  empty: [],
};

describe('serx_features.py', () => {
  it('writes byte-for-byte what FeatureStoreWriter writes (rows, data, meta, shard roll-over)', async () => {
    const ts = join(dir, 'ts');
    const writer = await FeatureStoreWriter.create(ts, { dims, sampleRate: 16000, shardBytes: 100, meta });
    for (const [i, row] of rows.entries()) await writer.append(row, data[i]!);
    await writer.close();

    const input = join(dir, 'input.json');
    await writeFile(input, JSON.stringify({ rows, data: data.map((d) => Array.from(d)), meta }));
    const py = join(dir, 'py');
    runPython(
      `import json, sys
from serx_features import FeatureStoreWriter
spec = json.load(open(sys.argv[1]))
w = FeatureStoreWriter(sys.argv[2], dims=${dims}, sample_rate=16000, meta=spec["meta"], shard_bytes=100)
for row, values in zip(spec["rows"], spec["data"]):
    w.append(row, values)
w.close()`,
      input,
      py,
    );
    const names = (await readdir(ts)).sort();
    expect(names.filter((n) => n.startsWith('shard-')).length).toBeGreaterThan(2);
    expect((await readdir(py)).sort()).toEqual(names);
    for (const name of names)
      expect(await readFile(join(py, name)), name).toEqual(await readFile(join(ts, name)));
    expect(await featureStoreProblem(py)).toBeUndefined();
  });

  it('reads a store the TypeScript writer wrote, and TypeScript reads one it wrote', async () => {
    const ts = join(dir, 'ts');
    const read = JSON.parse(
      runPython(
        `import json, sys
from serx_features import open_feature_store
s = open_feature_store(sys.argv[1])
print(json.dumps({"meta": s.meta, "ids": [r["id"] for r in s.select(corpus="tess")],
                  "values": [s.read(r).astype(float).tolist() for r in s.rows]}))`,
        ts,
      ),
    );
    const store = await openFeatureStore(ts);
    expect(read.meta).toEqual(store.meta);
    expect(read.ids).toEqual(['x', 'y']);
    expect(read.values.map((v: number[][]) => v.flat())).toEqual(
      store.rows.map((r) => Array.from(store.read(r))),
    );
    expect(read.values[1]).toHaveLength(3); // frames × dims
    store.close();
  });

  it('makes featureStoreProblem say what is wrong with a broken store', async () => {
    const broken = join(dir, 'broken');
    runPython(
      `import sys
from serx_features import FeatureStoreWriter
w = FeatureStoreWriter(sys.argv[1], dims=2)
w.append({"id": "u", "corpus": "c", "speaker": "s", "label": None, "class": None, "split": None}, [1, 2, 3, 4])
w.close()
open(sys.argv[1] + "/shard-00000.f32", "r+b").truncate(8)`,
      broken,
    );
    expect(await featureStoreProblem(broken)).toBe(
      'shard-00000.f32 has 8 bytes, its rows need 16 (truncated?)',
    );
    expect(await featureStoreProblem(join(dir, 'nowhere'))).toMatch(/not a feature store/);
  });
});
