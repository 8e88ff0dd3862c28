/**
 * Stages that break the contract in the ways users' stages do. `misbehave:stage` does what its
 * `how` param says; `misbehave:ok` is a well-behaved stage to run beside or after it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Artifact, definePlugin, defineStage } from '../../../src/contract.ts';

const HOW = [
  'return-42',
  'meta-string',
  'meta-function',
  'metric-nan',
  'write-cache-tmp',
  'write-beside-outputs',
  'use-tmpdir',
  'process-exit',
  'timer-throws',
  'unhandled-rejection',
  'never-settles',
  'busy-loop',
] as const;

type How = (typeof HOW)[number];

function misbehave(how: How, out: string): unknown {
  switch (how) {
    case 'return-42':
      return 42;
    case 'meta-string':
      return { meta: 'oops' };
    case 'meta-function':
      return { meta: { out: { when: () => 1 } } };
    case 'metric-nan':
      return { metrics: { ua: Number.NaN } };
    case 'write-cache-tmp':
      // `<cache>/tmp/<staging>/out/../../stray.txt` = `<cache>/tmp/stray.txt`
      writeFileSync(join(out, '..', '..', 'stray.txt'), 'x');
      return undefined;
    case 'write-beside-outputs':
      writeFileSync(join(out, '..', 'stray.txt'), 'x');
      return undefined;
    case 'use-tmpdir':
      writeFileSync(join(tmpdir(), 'scratch.bin'), 'x'); // allowed: the stage's own temp dir
      return undefined;
    case 'process-exit':
      process.exit(0);
      return undefined;
    case 'timer-throws':
      setTimeout(() => {
        throw new Error('boom from a timer');
      }, 10);
      return new Promise((resolve) => setTimeout(resolve, 60_000));
    case 'unhandled-rejection':
      void Promise.reject(new Error('nobody awaited me'));
      return new Promise((resolve) => setTimeout(resolve, 60_000));
    case 'never-settles':
      return new Promise(() => {});
    case 'busy-loop':
      for (;;) {
        // ignores ctx.signal and never yields to the event loop
      }
  }
}

const stage = defineStage<{ how: How }>({
  name: 'misbehave:stage',
  version: '1',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['how'],
    properties: { how: { enum: [...HOW] } },
  },
  inputs: {},
  outputs: { out: { type: 'numbers' } },
  async run(ctx) {
    writeFileSync(join(ctx.outputs.out as string, 'value.json'), '1\n');
    ctx.log.info(`misbehaving: ${ctx.params.how}`);
    return (await misbehave(ctx.params.how, ctx.outputs.out as string)) as never;
  },
});

const ok = defineStage<{ value: number; note?: string }>({
  name: 'misbehave:ok',
  version: '1',
  params: {
    type: 'object',
    properties: { value: { type: 'number', default: 1 }, note: { type: 'string' } },
  },
  inputs: {},
  outputs: { out: { type: 'numbers' } },
  corpora: () => ['emodb'],
  async run(ctx) {
    writeFileSync(join(ctx.outputs.out as string, 'value.json'), `${ctx.params.value}\n`);
    return { metrics: { value: ctx.params.value } };
  },
});

/**
 * A long stage: waits until the file `gate` exists (the test creates it when it is done with the
 * run in flight), then reads its input: fails if the input entry vanished meanwhile.
 */
const slow = defineStage<{ gate: string; value: number }>({
  name: 'misbehave:slow',
  version: '1',
  params: {
    type: 'object',
    required: ['gate'],
    properties: { gate: { type: 'string' }, value: { type: 'number', default: 1 } },
  },
  inputs: { in: { type: 'numbers' } },
  outputs: { out: { type: 'numbers' } },
  async run(ctx) {
    while (!existsSync(ctx.params.gate)) {
      ctx.signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const input = ctx.inputs.in as Artifact;
    const value = readFileSync(join(input.path, 'value.json'), 'utf8');
    writeFileSync(join(ctx.outputs.out as string, 'value.json'), `${Number(value) + ctx.params.value}\n`);
    return undefined;
  },
});

export const plugin = definePlugin({
  name: 'serx-misbehave',
  version: '1.0.0',
  stages: [stage, ok, slow],
});
