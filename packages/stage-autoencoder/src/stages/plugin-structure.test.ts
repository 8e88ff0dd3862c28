import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlugin } from '@serx/core';
import { beforeAll, expect, it } from 'vitest';
import { featuresArtifact, testContext } from '../../test/context.ts';
import { stageParams } from '../../test/pretrain-params.ts';
import { writeSyntheticStore } from '../../test/synthetic-store.ts';
import { plugin } from '../plugin.ts';
import { pretrain } from './pretrain.ts';

let store: string;
const packageDir = join(import.meta.dirname, '../..');

beforeAll(async () => {
  await plugin.register!();
  store = join(mkdtempSync(join(tmpdir(), 'serx-ae-')), 'store');
  await writeSyntheticStore(store, { utterances: 8, dims: 8, minFrames: 15, maxFrames: 30, seed: 2 });
});

it('trains a structure registered by another plugin (the README walk-through), with no change to the stage', async () => {
  const params = {
    ...stageParams,
    structure: 'wide-cnn',
    structureParams: { filters: 2, units: 4 },
    epochs: 1,
  };
  const before = testContext(pretrain, { params, inputs: { features: [featuresArtifact(store)] } });
  await expect(pretrain.run(before.ctx)).rejects.toMatchObject({
    code: 'autoencoder:ENCODER_STRUCTURE_UNKNOWN',
  });

  await loadPlugin('./test/fixtures/my-plugin/index.ts', packageDir);
  const { ctx } = testContext(pretrain, { params, inputs: { features: [featuresArtifact(store)] } });
  const result = await pretrain.run(ctx);
  const structure = JSON.parse(readFileSync(join(ctx.outputs.encoder!, 'structure.json'), 'utf8'));
  expect(structure).toEqual({
    name: 'wide-cnn',
    params: { filters: 2, units: 4 },
    numCeps: 8,
    timeStride: 1,
    units: 4,
  });
  expect(result!.metrics!.reconstruction_mse).toBeGreaterThan(0);
}, 30_000);

it('the fixture plugin is the README walk-through, verbatim', () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) =>
    m[1]!.replace(/^ {3}/gm, '').trim(),
  );
  for (const file of ['wide-cnn.ts', 'index.ts']) {
    const code = readFileSync(join(packageDir, 'test/fixtures/my-plugin', file), 'utf8')
      .split('\n')
      .slice(1)
      .join('\n')
      .trim();
    expect(blocks).toContain(code);
  }
});
