import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { mfcc } from '../stages/mfcc.ts';
import { mfccShards } from '../stages/mfcc-shards.ts';
import { mfccKernelName, mfccKernelSource } from './native-kernel.ts';

it('features:mfcc names the C kernel source (loaded outside the import graph) and its shard contract in its cache key', () => {
  const files = mfcc.codeDependencies?.({} as never) ?? [];
  expect(files).toEqual([mfccKernelSource, mfccShards]);
  expect(existsSync(mfccKernelSource)).toBe(true);
  expect(readFileSync(mfccKernelSource, 'utf8')).toContain('NAPI_MODULE_INIT');
});

it('the C kernel is built by setup and used (SERX_MFCC_NATIVE=0 would select the JS pipeline)', () => {
  expect(process.env.SERX_MFCC_NATIVE === '0' ? 'js' : 'native').toBe(mfccKernelName());
});
