// Runs autoencoder:pretrain over one store in a fresh process and prints its peak RSS.
// argv: <store dir> <params JSON>
import { loadTensorflow } from '@serx/tf-backend';
import { pretrain } from '../src/stages/pretrain.ts';
import { registerBuiltinStructures } from '../src/structures/builtin.ts';
import { featuresArtifact, testContext } from './context.ts';

const [store, params] = process.argv.slice(2) as [string, string];
registerBuiltinStructures();
// Load the backend first: its own size varies by ~±15 MiB between processes, which would swamp
// the comparison; what is compared is the growth from here to the peak.
await loadTensorflow({ threads: 1 });
const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
const { ctx } = testContext(pretrain, {
  params: JSON.parse(params),
  inputs: { features: [featuresArtifact(store)] },
});
const started = performance.now();
const result = await pretrain.run(ctx);
process.stdout.write(
  `${JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024, baselineRssMiB, seconds: (performance.now() - started) / 1000, metrics: result?.metrics })}\n`,
);
