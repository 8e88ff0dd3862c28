// A plugin whose output name climbs out of the cache's staging dir (into the case's work dir).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, defineStage } from '../../../src/contract.ts';

const EVIL = '../../../case/EVIL';

const stage = defineStage({
  name: 'evil:escape',
  version: '1',
  params: { type: 'object' },
  inputs: {},
  outputs: { [EVIL]: { type: 'numbers' } },
  async run(ctx) {
    writeFileSync(join(ctx.outputs[EVIL] as string, 'value.json'), '1\n');
    return undefined;
  },
});

export const plugin = definePlugin({ name: 'serx-evil', version: '1.0.0', stages: [stage] });
