import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlugin, STUDY_PLUGIN_FILES } from '@serx/core';
import { beforeAll, expect, it } from 'vitest';
import { featuresArtifact, testContext } from '../../test/context.ts';
import { stageParams } from '../../test/pretrain-params.ts';
import { writeSyntheticStore } from '../../test/synthetic-store.ts';
import { plugin } from '../plugin.ts';
import { pretrain } from './pretrain.ts';

let store: string;
let study: string;
const packageDir = join(import.meta.dirname, '../..');

beforeAll(async () => {
  await plugin.register!();
  store = join(mkdtempSync(join(tmpdir(), 'serx-ae-')), 'store');
  await writeSyntheticStore(store, { utterances: 8, dims: 8, minFrames: 15, maxFrames: 30, seed: 2 });
  // The study plugin exactly as `serx init` writes it, in a study folder that sees the repo's packages.
  study = mkdtempSync(join(tmpdir(), 'serx-study-'));
  mkdirSync(join(study, 'plugins', 'my-encoders'), { recursive: true });
  for (const [file, text] of Object.entries(STUDY_PLUGIN_FILES))
    writeFileSync(join(study, 'plugins', 'my-encoders', file), text);
  symlinkSync(join(packageDir, '../../node_modules'), join(study, 'node_modules'));
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

  await loadPlugin('./plugins/my-encoders/index.ts', study);
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

it("the README walk-through is `serx init`'s study plugin, verbatim", () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) =>
    m[1]!.replace(/^ {3}/gm, '').trim(),
  );
  for (const text of Object.values(STUDY_PLUGIN_FILES)) expect(blocks).toContain(text.trim());
});
