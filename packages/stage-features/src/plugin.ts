import { definePlugin } from '@serx/core';
import pkg from '../package.json' with { type: 'json' };
import { featuresCommand } from './cli/features-command.ts';
import { ingest } from './stages/ingest.ts';
import { mfcc } from './stages/mfcc.ts';
import { split } from './stages/split.ts';

/**
 * The `@serx/stage-features` plugin: stages `features:ingest`, `features:split`, `features:mfcc`
 * and the `serx features <audio-file>` command.
 */
export const plugin = definePlugin({
  name: '@serx/stage-features',
  version: pkg.version,
  stages: [ingest, split, mfcc],
  commands: [featuresCommand],
});
