import { definePlugin } from '@serx/core/stage';
import { backendDoctorCheck, tensorflowProvisionStep } from '@serx/tf-backend/plugin-hooks';
import pkg from '../package.json' with { type: 'json' };
import { pretrain } from './stages/pretrain.ts';
import { registerBuiltinStructures } from './structures/builtin.ts';

/** The autoencoder plugin: the `autoencoder:pretrain` stage and the built-in encoder structures. */
export const plugin = definePlugin({
  name: '@serx/stage-autoencoder',
  version: pkg.version,
  stages: [pretrain],
  doctor: [backendDoctorCheck],
  provision: [tensorflowProvisionStep],
  register: registerBuiltinStructures,
});
