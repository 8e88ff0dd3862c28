// The README's "Add an encoder structure" walk-through as a user would continue it: a `./my-plugin`
// with `wide-cnn` runs at smoke size; then the structure file is edited. Only the autoencoder and
// what is downstream of it may miss; reverting the edit reuses the old entries.

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadSpec, openCache, planGraph, STUDY_PLUGIN_FILES } from '@serx/core';
import { beforeAll, expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const data = process.env.SERX_DATA ?? join(root, '../shared/corpora');
let work: string;
let spec: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'serx-code-change-'));
  // The study plugin `serx init` scaffolds (the walk-through's one source), as its ./my-plugin.
  await mkdir(join(work, 'my-plugin'));
  for (const [file, text] of Object.entries(STUDY_PLUGIN_FILES))
    await writeFile(join(work, 'my-plugin', file), text);
  // A user's research project: serx installed beside it, the plugin in a folder of it.
  await symlink(join(root, 'node_modules'), join(work, 'node_modules'));
  await writeFile(
    join(work, 'package.json'),
    '{ "name": "my-research", "private": true, "type": "module" }\n',
  );
  spec = join(work, 'spec.yaml');
  const stages = {
    ingest_emodb: `{ uses: features:ingest, params: { corpus: emodb, root: ${data}/emodb, perSpeaker: 2 } }`,
    split_emodb: '{ uses: features:split, inputs: { utterances: ingest_emodb.utterances } }',
    mfcc_emodb: '{ uses: features:mfcc, inputs: { utterances: split_emodb.utterances } }',
    ingest_unlabelled: `{ uses: features:ingest, params: { corpus: librispeech, reader: librispeech, root: ${data}/librispeech, limit: 24 } }`,
    mfcc_unlabelled: '{ uses: features:mfcc, inputs: { utterances: ingest_unlabelled.utterances } }',
    ae:
      '{ uses: autoencoder:pretrain, inputs: { features: [mfcc_unlabelled.features] }, params: ' +
      '{ structure: wide-cnn, structureParams: { filters: 2, units: 8 }, epochs: 1, batchSize: 8, maxFrames: 300, samples: 2 } }',
    ser_frozen:
      '{ uses: ser:train, inputs: { data: [mfcc_emodb.features], encoder: ae.encoder }, ' +
      'params: { strategy: frozen, epochs: 1, batchSize: 8, maxFrames: 300 } }',
  };
  await writeFile(
    spec,
    [
      'name: code-change',
      'plugins: ["@serx/stage-features", "@serx/stage-autoencoder", "@serx/stage-ser", ./my-plugin/index.ts]',
      'stages:',
      ...Object.entries(stages).map(([id, stage]) => `  ${id}: ${stage}`),
      '',
    ].join('\n'),
  );
});

async function plan() {
  const result = await planGraph(await loadSpec(spec), await openCache(join(work, 'cache')));
  return result.nodes.map((n) => [n.id, n.status, ...n.reasons.filter((r) => r.startsWith('code'))]);
}

it('editing a structure file misses the autoencoder and its downstream only; reverting hits again', async () => {
  // Through the CLI with its default executor (a process per stage), as the user runs it: the stage
  // processes must load ./my-plugin too, or `wide-cnn` is unknown there.
  // (asynchronously: a blocked test thread starves vitest's own RPC)
  const cli = await promisify(execFile)(
    process.execPath,
    [join(root, 'packages/core/bin/serx.mjs'), 'run', spec, '--cache', join(work, 'cache'), '--json'],
    { cwd: work, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stderr?: string; code?: number }) => ({
    stderr: error.stderr ?? '',
    failed: error.code,
  }));
  expect(cli.stderr).not.toMatch(/unknown encoder structure/);
  expect('failed' in cli ? cli.failed : 0).toBe(0);
  const ids = (await plan()).map(([id]) => id as string);
  const allHit = ids.map((id) => [id, 'hit']);
  expect(await plan()).toEqual(allHit);

  const file = join(work, 'my-plugin/wide-cnn.ts');
  const original = await readFile(file, 'utf8');
  await writeFile(file, original.replace('kernelSize: [5, 3]', 'kernelSize: [7, 3]'));
  expect(await plan()).toEqual(
    ids.map((id) =>
      id.startsWith('ae')
        ? [id, 'miss', 'code changed: my-research/my-plugin/wide-cnn.ts']
        : id.startsWith('ser_')
          ? [id, 'pending']
          : [id, 'hit'],
    ),
  );

  await writeFile(file, original);
  expect(await plan()).toEqual(allHit);
});
