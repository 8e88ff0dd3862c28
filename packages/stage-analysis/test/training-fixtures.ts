/** history.json and samples.json in the formats ser:train and autoencoder:pretrain write. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import { artifact } from './context.ts';

export async function serModelFixture(root: string, producer: string): Promise<Artifact> {
  const dir = join(root, producer.replace(/\W+/g, '_'));
  await mkdir(dir, { recursive: true });
  const epochs = Array.from({ length: 6 }, (_, i) => ({
    epoch: i + 1,
    phase: 'train',
    loss: 1 / (i + 1),
    trainUa: 0.4 + i * 0.05,
    trainWa: 0.45 + i * 0.05,
    valLoss: 1.1 / (i + 1) + 0.05,
    valUa: 0.38 + i * 0.03,
    valWa: 0.4 + i * 0.03,
    seconds: 3.2,
  }));
  await writeFile(join(dir, 'history.json'), JSON.stringify({ bestEpoch: 5, epochs }));
  return artifact(dir, 'model', producer);
}

export async function encoderFixture(root: string): Promise<{ encoder: Artifact; reconstruction: Artifact }> {
  const dir = join(root, 'ae-encoder');
  const rec = join(root, 'ae-reconstruction');
  await mkdir(dir, { recursive: true });
  await mkdir(rec, { recursive: true });
  const history = Array.from({ length: 5 }, (_, i) => ({
    epoch: i + 1,
    loss: 0.9 - i * 0.1,
    mse: 0.85 - i * 0.1,
    l1: 0.05,
    val_loss: 0.95 - i * 0.09,
    val_mse: 0.9 - i * 0.09,
    val_l1: 0.05,
    batches: 20,
    seconds: 11,
  }));
  await writeFile(join(dir, 'history.json'), JSON.stringify(history));
  const input = Array.from({ length: 100 }, (_, t) =>
    Array.from({ length: 40 }, (_, k) => Math.cos(t / 9 + k / 4)),
  );
  const output = input.map((r) => r.map((v) => 0.7 * v));
  await writeFile(
    join(rec, 'samples.json'),
    JSON.stringify({
      numCeps: 40,
      samples: [{ id: 'ls-1', corpus: 'librispeech', frames: 100, mse: 0.1, input, output }],
    }),
  );
  return { encoder: artifact(dir, 'encoder', 'ae'), reconstruction: artifact(rec, 'reconstruction', 'ae') };
}
