import { definePlugin } from '@serx/core';
import { pretrain } from './stages/pretrain.ts';
import { registerBuiltinStructures } from './structures/builtin.ts';

/** The autoencoder plugin: the `autoencoder:pretrain` stage and the built-in encoder structures. */
export const plugin = definePlugin({
  name: '@serx/stage-autoencoder',
  version: '0.1.0',
  stages: [pretrain],
  setup: registerBuiltinStructures,
});
