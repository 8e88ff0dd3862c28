import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpec, openCache, runGraph } from '@serx/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUtterances } from '../src/corpora/index.ts';
import type { SplitUtterance } from '../src/corpora/types.ts';
import { openFeatureStore } from '../src/store/index.ts';
import { sineWav, writeFileDeep } from './fixtures/wav.ts';
import { countBy } from './helpers.ts';

const packageDir = join(import.meta.dirname, '..');

/** The README's "Add a corpus" blocks: every fenced block whose first line names its file. */
async function readmeFiles(): Promise<Map<string, string>> {
  const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Add a corpus'), readme.indexOf('## Emotion mapping'));
  const files = new Map<string, string>();
  for (const [, body] of section.matchAll(/```(?:ts|yaml)\n([\s\S]*?)```/g)) {
    const code = body!.replace(/^ {3}/gm, '');
    const name = /^(?:\/\/|#) (\S+)\n/.exec(code)?.[1];
    if (name) files.set(name, code);
  }
  return files;
}

let dir: string;
let cacheDir: string;
beforeAll(async () => {
  // Inside the package, so that the plugin resolves @serx/* like a plugin in a user's workspace.
  dir = await mkdtemp(join(packageDir, 'test', '.walkthrough-'));
  cacheDir = await mkdtemp(join(tmpdir(), 'serx-walkthrough-cache-'));
  for (const [name, code] of await readmeFiles()) await writeFileDeep(join(dir, name), code);
  // The made-up corpus: 4 speakers × 3 sentences × 4 emotions.
  for (const speaker of ['s01', 's02', 's03', 's04'])
    for (const sentence of ['000', '001', '002'])
      for (const code of 'AHNS')
        await writeFileDeep(
          join(dir, 'mylab', speaker, `${speaker}_${sentence}_${code}.wav`),
          sineWav(0.3, 220),
        );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

describe('README walk-through "Add a corpus"', { timeout: 180_000 }, () => {
  it('the README has the reader, the plugin and the spec', async () => {
    expect([...(await readmeFiles()).keys()]).toEqual([
      'my-corpora/mylab.ts',
      'my-corpora/index.ts',
      'walkthrough.yaml',
    ]);
  });

  it("runs the spec: the plugin's reader ingests, its paper split and label vocabulary apply, MFCCs follow", async () => {
    const graph = await loadSpec(join(dir, 'walkthrough.yaml'));
    const result = await runGraph(graph, { cache: cacheDir, threads: 2, jobs: 1 });
    expect(result.errors.map((e) => e.message)).toEqual([]);
    expect(result.counts).toMatchObject({ succeeded: 3, failed: 0 });
    const cache = await openCache(cacheDir);
    const entry = async (id: string) => {
      const hit = await cache.lookup(result.stages[id]!.key!);
      if (hit.status !== 'hit') throw new Error(`${id} not cached`);
      return hit.path;
    };
    const { meta, utterances } = await readUtterances<SplitUtterance>(
      join(await entry('split_mylab'), 'utterances'),
    );
    expect(meta).toMatchObject({ corpus: 'mylab', reader: 'mylab', labelled: true, count: 32 });
    // minSentence: 1 left sentence 000 out; the reader's paperSplit put s02 in validation, s03 in test.
    expect(utterances.some((u) => u.text === '000')).toBe(false);
    expect(countBy(utterances, (u) => `${u.split} ${u.speaker}`)).toEqual({
      'train s01': 8,
      'validation s02': 8,
      'test s03': 8,
      'train s04': 8,
    });
    expect(utterances.find((u) => u.id === 's01_001_H')).toMatchObject({
      label: 'happiness',
      rawLabel: 'H',
      class: 'positive',
    });
    const leakage = JSON.parse(
      await readFile(join(await entry('split_mylab'), 'utterances', 'leakage.json'), 'utf8'),
    );
    expect(leakage.rule).toBe('mylab: s02 validation, s03 test, the rest train');
    const store = await openFeatureStore(join(await entry('mfcc_mylab'), 'features'));
    expect(store.meta).toMatchObject({ count: 32, dims: 40 });
    store.close();
  });

  it('wrong reader options and an uncovered label vocabulary are refused with the reader named', async () => {
    const spec = (await readFile(join(dir, 'walkthrough.yaml'), 'utf8')).replace(
      'minSentence: 1',
      'minSentense: 1',
    );
    await writeFile(join(dir, 'bad-options.yaml'), spec);
    await expect(loadSpec(join(dir, 'bad-options.yaml'))).rejects.toThrow(
      "corpus reader 'mylab': options.minSentense is not an option of this reader (its options: minSentence)",
    );
    const uncovered = (await readFile(join(dir, 'walkthrough.yaml'), 'utf8')).replace(
      'inputs: { utterances: ingest_mylab.utterances } }',
      'params: { useDefaultMapping: false, mapping: { anger: negative } }, inputs: { utterances: ingest_mylab.utterances } }',
    );
    await writeFile(join(dir, 'uncovered.yaml'), uncovered);
    const run = await runGraph(await loadSpec(join(dir, 'uncovered.yaml')), {
      cache: cacheDir,
      threads: 2,
      jobs: 1,
    });
    expect(run.errors).toHaveLength(1);
    // The runner wraps a stage's error (STAGE_FAILED naming the stage) and keeps it as the cause.
    expect(run.errors[0]!.cause).toMatchObject({
      code: 'features:LABEL_UNMAPPED',
      message: expect.stringContaining(
        "reader 'mylab' labels 'happiness', 'neutral', 'sadness' have no class in the mapping",
      ),
    });
  });
});
