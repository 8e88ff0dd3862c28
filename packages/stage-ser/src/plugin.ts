import { definePlugin } from '@serx/core';
import { registerBuiltinStructures } from '@serx/stage-autoencoder';
import { baseline } from './stages/baseline.ts';
import { predict } from './stages/predict.ts';
import { train } from './stages/train.ts';

/** The `ser` plugin: `ser:train`, `ser:predict` and `ser:baseline`. */
export const plugin = definePlugin({
  name: '@serx/stage-ser',
  version: '0.1.0',
  stages: [train, predict, baseline],
  // The default encoder structures, so a spec may train `parry-cnn` from scratch without listing
  // @serx/stage-autoencoder (registering the same structures twice is a no-op).
  setup: () => registerBuiltinStructures(),
});
