import { defineShards } from '@serx/core/shards';
import { definePlugin } from '@serx/core/stage';
import pkg from '../package.json' with { type: 'json' };
import { featuresCommand } from './cli/features-command.ts';
import { registerBuiltinReaders } from './corpora/builtin.ts';
import { opensmileCheck, opensmileStep } from './opensmile/provision.ts';
import { ffmpegCheck, mfccKernelStep } from './provision.ts';
import { ingest } from './stages/ingest.ts';
import { ingestShards } from './stages/ingest-shards.ts';
import { mfcc } from './stages/mfcc.ts';
import { mfccShards } from './stages/mfcc-shards.ts';
import { opensmile } from './stages/opensmile.ts';
import { select } from './stages/select.ts';
import { split } from './stages/split.ts';

/**
 * The `@serx/stage-features` plugin: stages `features:ingest`, `features:split`, `features:mfcc`,
 * `features:opensmile`, `features:select`, the built-in corpus readers, the `serx features
 * <audio-file>` command, the `mfcc-kernel` and (opt-in) `opensmile` steps of `serx setup` and the
 * ffmpeg and openSMILE lines of `serx doctor`.
 */
// Shard contracts live beside the stages (not in their modules: the stages' cache keys stay).
defineShards(ingest, ingestShards);
defineShards(mfcc, mfccShards);

export const plugin = definePlugin({
  name: '@serx/stage-features',
  version: pkg.version,
  stages: [ingest, split, mfcc, opensmile, select],
  commands: [featuresCommand],
  artifactTypes: [
    {
      name: 'features',
      description: 'a feature store (docs/stages.md): meta.json, index.jsonl, float32 shards',
      // imported when a command stage's output is checked, not when the plugin loads
      validate: async (dir) => (await import('./store/check-store.ts')).featureStoreProblem(dir),
    },
  ],
  doctor: [ffmpegCheck, opensmileCheck],
  provision: [mfccKernelStep, opensmileStep],
  register: registerBuiltinReaders,
});
