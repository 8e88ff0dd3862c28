import { definePlugin } from '@serx/core/stage';
import { defineShards } from '@serx/core/shards';
import { registerBuiltinStructures } from '@serx/stage-autoencoder/structures';
import { backendDoctorCheck, tensorflowProvisionStep } from '@serx/tf-backend/plugin-hooks';
import pkg from '../package.json' with { type: 'json' };
import { baseline } from './stages/baseline.ts';
import { finetune } from './stages/finetune.ts';
import { predict } from './stages/predict.ts';
import { predictShards } from './stages/predict-shards.ts';
import { train } from './stages/train.ts';

// The shard contract lives beside the stage (not in its module: the stage's cache key stays).
defineShards(predict, predictShards);

/** The `ser` plugin: `ser:train`, `ser:finetune`, `ser:predict` and `ser:baseline`. */
export const plugin = definePlugin({
  name: '@serx/stage-ser',
  version: pkg.version,
  stages: [train, finetune, predict, baseline],
  doctor: [backendDoctorCheck],
  provision: [tensorflowProvisionStep],
  // The default encoder structures, so a spec may train `parry-cnn` from scratch without listing
  // @serx/stage-autoencoder (registering the same structures twice is a no-op).
  register: () => registerBuiltinStructures(),
});
