/**
 * Issue 24 point 6: a checkpoint-resumed pretraining must end bit for bit where an uninterrupted one
 * ends (every output file's sha256), wherever the kill lands. The abort point is drawn from a seed:
 * an epoch after the first checkpoint, a batch inside it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { mulberry32 } from '@serx/core';
import { beforeAll, expect, it } from 'vitest';
import { featuresArtifact, testContext } from '../../test/context.ts';
import { writeSyntheticStore } from '../../test/synthetic-store.ts';
import { registerBuiltinStructures } from '../structures/builtin.ts';
import { pretrain } from './pretrain.ts';

let store: string;
const EPOCHS = 6;
const params = {
  structureParams: { conv: [{ filters: 2, kernelSize: [3, 3], strides: [2, 2] }], units: 6 },
  learningRate: 0.01,
  batchSize: 4,
  epochs: EPOCHS,
  patience: EPOCHS,
  validationFraction: 0.2,
  minFrames: 20,
  maxFrames: 40,
  samples: 1,
};

beforeAll(async () => {
  registerBuiltinStructures();
  store = join(mkdtempSync(join(tmpdir(), 'serx-ae-resume-')), 'store');
  await writeSyntheticStore(store, { utterances: 40, dims: 8, minFrames: 15, maxFrames: 50, seed: 2 });
});

/** sha256 of every file under `dir`, by relative path. */
function hashes(dir: string): { [file: string]: string } {
  const out: { [file: string]: string } = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

async function run(o: { workDir?: string; abortAtTick?: number } = {}) {
  const controller = new AbortController();
  const { ctx, recorded } = testContext(pretrain, {
    params,
    inputs: { features: [featuresArtifact(store)] },
    signal: controller.signal,
    ...(o.workDir ? { workDir: o.workDir } : {}),
    onTick: (ticks) => ticks === o.abortAtTick && controller.abort(new Error('killed')),
  });
  await pretrain.run(ctx);
  return {
    recorded,
    outputs: { encoder: hashes(ctx.outputs.encoder!), reconstruction: hashes(ctx.outputs.reconstruction!) },
  };
}

it('a run aborted at a seeded batch mid-epoch resumes to byte-identical outputs', async () => {
  const whole = await run();
  const batches = whole.recorded.progress[0]!.total;
  expect(batches).toBeGreaterThanOrEqual(6);
  for (const seed of [1, 2]) {
    const r = mulberry32(seed);
    const epoch = 2 + Math.floor(r() * (EPOCHS - 2)); // 2..EPOCHS-1: a checkpoint exists, epochs follow
    const batch = 1 + Math.floor(r() * (batches - 1)); // mid-epoch: not after the last batch
    const workDir = mkdtempSync(join(tmpdir(), 'serx-ae-resume-work-'));
    await expect(run({ workDir, abortAtTick: (epoch - 1) * batches + batch })).rejects.toThrow('killed');
    const resumed = await run({ workDir });
    expect(resumed.recorded.logs).toContain(`resuming from the checkpoint after epoch ${epoch - 1}`);
    expect(resumed.outputs, `killed in epoch ${epoch} at batch ${batch}`).toEqual(whole.outputs);
  }
}, 240_000);
