import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Json } from '@serx/core';

/** `node --import` this to run a TypeScript script through core's loader (src/loader/import.mjs). */
const TYPESCRIPT = createRequire(import.meta.url).resolve('@serx/core/typescript/import');

/**
 * Peak RSS (MiB) of a fresh process running autoencoder:pretrain over `store`, and its RSS once
 * TensorFlow was loaded (before the stage ran).
 */
export function pretrainPeakRss(
  store: string,
  params: { [key: string]: Json },
): { peakRssMiB: number; baselineRssMiB: number; seconds: number } {
  const child = spawnSync(
    process.execPath,
    ['--import', TYPESCRIPT, join(import.meta.dirname, 'rss-child.ts'), store, JSON.stringify(params)],
    {
      encoding: 'utf8',
      env: { ...process.env, SERX_THREADS: '1' },
    },
  );
  if (child.status !== 0) throw new Error(`rss child failed (${child.status}):\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!);
}
