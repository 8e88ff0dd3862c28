// Runs autoencoder:pretrain in a child process so a test can SIGKILL it mid-training.
// argv: <store dir> <work dir>; blocks for a minute after logging epoch 1 (the checkpoint is written).

import { pretrain } from '../src/stages/pretrain.ts';
import { registerBuiltinStructures } from '../src/structures/builtin.ts';
import { featuresArtifact, testContext } from './context.ts';
import { stageParams } from './pretrain-params.ts';

const [store, workDir] = process.argv.slice(2) as [string, string];
registerBuiltinStructures();
const { ctx } = testContext(pretrain, {
  params: stageParams,
  inputs: { features: [featuresArtifact(store)] },
  workDir,
  onLog: (message) => {
    if (message.startsWith('epoch 1/')) {
      process.stdout.write('checkpointed\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    }
  },
});
await pretrain.run(ctx);
