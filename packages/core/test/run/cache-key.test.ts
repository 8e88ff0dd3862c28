import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash, hashTree } from '../../src/cache/hash-tree.ts';
import { type CacheKeyInput, cacheKey, canonicalJson } from '../../src/index.ts';

const input: CacheKeyInput = {
  stage: 'features:mfcc',
  plugin: { name: '@serx/stage-features', version: '0.1.0' },
  version: '1',
  params: { window: { type: 'hann', ms: 25 }, numCeps: 40 },
  seed: 0,
  inputs: { utterances: 'ab'.repeat(32), train: ['cd'.repeat(32), 'ef'.repeat(32)] },
};

describe('cacheKey', () => {
  it('is sha256 of sorted-key JSON (pinned, computed independently with Python json.dumps(sort_keys=True))', () => {
    expect(canonicalJson(input)).toBe(
      `{"inputs":{"train":["${'cd'.repeat(32)}","${'ef'.repeat(32)}"],"utterances":"${'ab'.repeat(32)}"},` +
        '"params":{"numCeps":40,"window":{"ms":25,"type":"hann"}},"plugin":{"name":"@serx/stage-features","version":"0.1.0"},' +
        '"seed":0,"stage":"features:mfcc","version":"1"}',
    );
    expect(cacheKey(input)).toBe('6d7634656bba219173150e1f68c975f2b90dee9088aa3ee75fa56be6ab84187c');
    expect(cacheKey({ ...input, fingerprint: 'emodb:535:1234' })).toBe(
      '8585086aed959ec3fc2c9175bd9aef0026c2b0156abc8a78f64a4b4bbb3ee0c9',
    );
  });

  it('holds the code fingerprint (pinned, computed independently with Python json.dumps(sort_keys=True))', () => {
    const code = {
      files: {
        'packages/stage-features/src/stages/mfcc.ts': 'aa'.repeat(32),
        'packages/core/src/contract.ts': 'bb'.repeat(32),
      },
      runtime: { '@tensorflow/tfjs-node': '4.22.0', libtensorflow: '2.18.1' },
    };
    // python3 -c "import json,hashlib; print(hashlib.sha256(json.dumps({...input, 'code': code},
    //   sort_keys=True, separators=(',', ':')).encode()).hexdigest())"
    expect(cacheKey({ ...input, code })).toBe(
      '7bf388e13b24355e435912006e09c9b9f22d180eb1681856169d3c96bf171fb6',
    );
    const edited = { ...code, files: { ...code.files, 'packages/core/src/contract.ts': 'bc'.repeat(32) } };
    expect(cacheKey({ ...input, code: edited })).not.toBe(cacheKey({ ...input, code }));
    expect(
      cacheKey({ ...input, code: { ...code, runtime: { ...code.runtime, libtensorflow: '2.19.0' } } }),
    ).not.toBe(cacheKey({ ...input, code }));
  });

  it('ignores key order but not list order, values or any field', () => {
    const { seed, version, ...rest } = input;
    const reordered = { seed, version, ...rest, params: { numCeps: 40, window: { ms: 25, type: 'hann' } } };
    expect(cacheKey(reordered)).toBe(cacheKey(input));
    const variants: CacheKeyInput[] = [
      { ...input, inputs: { ...input.inputs, train: ['ef'.repeat(32), 'cd'.repeat(32)] } },
      { ...input, seed: 1 },
      { ...input, version: '2' },
      { ...input, plugin: { ...input.plugin, version: '0.1.1' } },
      { ...input, params: { ...input.params, numCeps: 41 } },
      { ...input, stage: 'features:mfcc2' },
    ];
    const keys = new Set([cacheKey(input), ...variants.map(cacheKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('contentHash', () => {
  it('equals sha256sum of the sha256sum listing of the files sorted by path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serx-hash-'));
    await writeFile(join(dir, 'a.txt'), 'hello\n');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'b.bin'), '');
    const files = await hashTree(dir);
    expect(files).toEqual([
      { path: 'a.txt', size: 6, sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' },
      {
        path: 'sub/b.bin',
        size: 0,
        sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
    ]);
    // printf '%s  %s\n' <sha a.txt> a.txt <sha b.bin> sub/b.bin | sha256sum
    expect(contentHash(files)).toBe('4ca4da2758171db94240e12c28074e80aadb213af51615a364b0c449a63b8d39');
  });
});
